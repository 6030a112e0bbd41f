/**
 * Honesty check between two independent implementations: the product's static path analyzer
 * (shared/domain/path-analysis.ts, reading network facts) and the lab's ground truth
 * (lab/network/reachability.ts, reading the lab's world) must agree on every random world and path.
 * The lab world is converted to facts directly (test/support/lab-network-facts.ts); an integration test
 * proves the EC2 adapter produces the same facts over HTTP.
 *
 * Verdict mapping: the lab's `reachable` and `refused` (the network delivered the packet, nothing listened)
 * are the analyzer's `reachable`; the lab's `timeout` and `dns` failures are `blocked`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { evaluateEgress } from '../../../lab/network/reachability.js';
import type { CallerIdentity } from '../../../lab/trail/record.js';
import type { EgressDestination, EgressOutcome } from '../../../lab/world/contracts.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { endpointDnsName, type VpcEndpoint } from '../../../lab/world/network-endpoints.js';
import { createVpcEndpoint, modifyVpcAttribute } from '../../../lab/world/network-vpc-mutations.js';
import { PathAnalyzer, type PathVerdict } from '../../../shared/domain/path-analysis.js';
import { labNetworkSnapshot } from '../../support/lab-network-facts.js';
import { PATHS_PER_WORLD, type RandomCase, type RandomDestination, randomCase } from '../../support/random-network.js';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 10_000);
const ACCOUNT = '111122223333';
const operator: CallerIdentity = {
  kind: 'assumed-role',
  account: ACCOUNT,
  roleName: 'NetworkConnectorOperatorRole',
  sessionName: '123456789012',
  invokedBy: 'network-connectors.lambda.amazonaws.com',
};

function labVerdict(outcome: EgressOutcome): PathVerdict {
  if (outcome.reachable) return 'reachable';
  return outcome.failure === 'refused' ? 'reachable' : 'blocked';
}

function play(c: RandomCase) {
  const world = NetworkWorld.fromSpec(c.spec, {
    clock: new VirtualClock('2026-06-24T01:00:00Z'),
    trail: { emit: () => {} },
    account: ACCOUNT,
    region: 'ap-northeast-1',
  });
  const created = world.createNetworkInterface(
    {
      subnetId: world.idOf('subnet', `s${c.connector.subnet}`),
      securityGroupIds: c.connector.groups.map((g) => world.idOf('security-group', `sg${g}`)),
      tags: { 'aws:lambda:networkConnectorName': 'conn', 'aws:lambda:networkConnectorId': 'nc-conn' },
      operatorPrincipal: 'network-connectors.lambda.amazonaws.com',
    },
    operator,
  );
  if (!created.ok) throw new Error(created.errorMessage);
  const vpcId = world.idOf('vpc', 'vpc');
  let endpoint: VpcEndpoint | undefined;
  if (c.endpoint) {
    const made = createVpcEndpoint(
      world,
      {
        vpcId,
        serviceName: `com.amazonaws.ap-northeast-1.${c.endpoint.service}`,
        vpcEndpointType: 'Interface',
        subnetIds: c.endpoint.subnets.map((s) => world.idOf('subnet', `s${s}`)),
        securityGroupIds: c.endpoint.groups.map((g) => world.idOf('security-group', `sg${g}`)),
        privateDnsEnabled: c.endpoint.privateDns,
      },
      { caller: operator },
    );
    // Private DNS needs both DNS attributes: with DNS support off, EC2 refuses the endpoint.
    if (made.ok) endpoint = made.value;
    else expect(c.endpoint.privateDns && !c.spec.vpcs[0]?.enableDnsSupport).toBe(true);
    if (c.endpoint.hostnamesOffAfter) {
      const modified = modifyVpcAttribute(
        world,
        { vpcId, attribute: 'enableDnsHostnames', value: false },
        { caller: operator },
      );
      expect(modified.ok).toBe(true);
    }
  }
  const snapshot = labNetworkSnapshot(world);
  const options = {
    publicDns: (name: string) => {
      const known = world.internetHosts.get(name);
      return known ? [known.ip] : [];
    },
  };
  const analyzer = new PathAnalyzer(snapshot, options);
  const targets = [...world.targets.values()];
  const hosts = [...world.internetHosts.values()];
  const hostOf = (d: RandomDestination): string => {
    const target = targets[d.index % targets.length];
    const internet = hosts[d.index % hosts.length];
    switch (d.kind) {
      case 'target-ip':
        return world.networkInterfaces.get(target?.networkInterfaceId ?? '')?.privateIpAddress ?? '10.0.0.5';
      case 'target-name':
        return target?.privateDnsName ?? 'ip-10-0-0-5.ap-northeast-1.compute.internal';
      case 'internet-name':
        return internet?.hostName ?? 'example.com';
      case 'internet-ip':
        return internet?.ip ?? '198.51.100.34';
      case 'unused-ip':
        return `10.0.${d.index % 4}.250`;
      case 'unknown-name':
        return 'db.internal.invalid';
      case 'endpoint-name':
        return endpoint ? endpointDnsName(endpoint, 'ap-northeast-1') : 'vpce-0.ssm.ap-northeast-1.vpce.amazonaws.com';
      case 'endpoint-service':
        return `${c.endpoint?.service ?? 'ssm'}.ap-northeast-1.amazonaws.com`;
    }
  };
  const paths = c.destinations.map((d) => {
    const endpointKind = d.kind === 'endpoint-name' || d.kind === 'endpoint-service';
    const destination: EgressDestination = {
      host: hostOf(d),
      port: endpointKind && d.index % 3 !== 0 ? 443 : d.port,
      protocol: d.protocol,
    };
    return {
      destination,
      truth: evaluateEgress(world, created.eni, destination),
      analysis: analyzer.analyze(created.eni.networkInterfaceId, destination),
    };
  });
  // One analyzer serves many queries (indexes built once per snapshot): asked again, and asked of a fresh
  // analyzer, it answers the same.
  for (const { destination, analysis } of paths) {
    expect(analyzer.analyze(created.eni.networkInterfaceId, destination)).toEqual(analysis);
    expect(new PathAnalyzer(snapshot, options).analyze(created.eni.networkInterfaceId, destination)).toEqual(analysis);
  }
  return paths;
}

describe('path analyzer vs the lab ground truth (differential)', () => {
  it(`agrees on ${RUNS} random paths (${RUNS / PATHS_PER_WORLD} random worlds)`, () => {
    const seen: Record<string, number> = {};
    let paths = 0;
    fc.assert(
      fc.property(randomCase(), (c) => {
        for (const { destination, truth, analysis } of play(c)) {
          paths++;
          const expected = labVerdict(truth);
          const key = `${expected}:${truth.reachable ? 'ok' : truth.failure}`;
          seen[key] = (seen[key] ?? 0) + 1;
          if (truth.reachable && truth.responseBody.includes('"vpc-endpoint"'))
            seen.endpoint = (seen.endpoint ?? 0) + 1;
          if (analysis.verdict !== expected) {
            throw new Error(
              `${JSON.stringify(destination)}: analyzer says ${analysis.verdict}, lab says ${expected} (${truth.reachable ? 'reachable' : truth.labReason})\nblockers: ${JSON.stringify(analysis.blockers, null, 1)}\nunknowns: ${analysis.unknowns.join('; ')}`,
            );
          }
          // A blocked verdict always names at least one blocker; a reachable one none.
          expect(analysis.blockers.length > 0).toBe(expected === 'blocked');
        }
      }),
      { numRuns: Math.ceil(RUNS / PATHS_PER_WORLD) },
    );
    expect(paths).toBeGreaterThanOrEqual(RUNS);
    // The generator must exercise both outcomes and every failure kind, or the agreement means little.
    expect(Object.keys(seen).sort()).toEqual(
      expect.arrayContaining(['blocked:dns', 'blocked:timeout', 'reachable:ok', 'reachable:refused', 'endpoint']),
    );
  }, 300_000);
});
