/**
 * npm run bench:explain — static path analysis throughput: 1,000 connector ENIs × 20 destinations
 * (targets by IP and private name, internet names, unused addresses) on a lab-built network with NACLs,
 * SG-to-SG references, a NAT gateway and an internet gateway. Measured side by side in one run:
 * the analyzer with its indexes built once per snapshot (as the product uses it) against rebuilding the
 * indexes for every path (the naive way). Prints figures, asserts nothing.
 */
import os from 'node:os';
import { VirtualClock } from '../../lab/clock.js';
import type { CallerIdentity } from '../../lab/trail/record.js';
import { NetworkWorld } from '../../lab/world/network.js';
import type { NetworkSpec } from '../../lab/world/network-spec.js';
import { PathAnalyzer, type PathDestination } from '../../shared/domain/path-analysis.js';
import { labNetworkSnapshot } from '../support/lab-network-facts.js';

const CONNECTORS = Number(process.env.BENCH_CONNECTORS ?? 1000);
const TARGETS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NAIVE_SAMPLE = Number(process.env.BENCH_NAIVE_SAMPLE ?? 400);

const operator: CallerIdentity = {
  kind: 'assumed-role',
  account: '111122223333',
  roleName: 'NetworkConnectorOperatorRole',
  sessionName: '123456789012',
  invokedBy: 'network-connectors.lambda.amazonaws.com',
};

function spec(): NetworkSpec {
  const vpc = 'bench';
  const subnets = Array.from({ length: 8 }, (_, i) => ({
    name: `s${i}`,
    vpc,
    cidr: `10.0.${i * 16}.0/20`,
    availabilityZone: i % 2 ? 'ap-northeast-1c' : 'ap-northeast-1a',
  }));
  return {
    vpcs: [{ name: vpc, cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true }],
    subnets,
    internetGateways: [{ name: 'igw', vpc }],
    elasticIps: [{ name: 'eip', publicIp: '192.0.2.10' }],
    natGateways: [{ name: 'nat', vpc, subnet: 's0', elasticIp: 'eip' }],
    routeTables: [
      { name: 'public', vpc, subnets: ['s0'], routes: [{ destination: '0.0.0.0/0', internetGateway: 'igw' }] },
      {
        name: 'private',
        vpc,
        main: true,
        routes: [{ destination: '0.0.0.0/0', natGateway: 'nat' }],
      },
      { name: 'isolated', vpc, subnets: ['s7'] },
    ],
    securityGroups: [
      ...Array.from({ length: 4 }, (_, g) => ({
        name: `conn${g}`,
        vpc,
        egress:
          g === 3
            ? [{ protocol: 'tcp' as const, fromPort: 5432, toPort: 5432, cidr: '10.0.0.0/16' }]
            : [{ protocol: '-1' as const, cidr: '0.0.0.0/0' }],
      })),
      {
        name: 'db',
        vpc,
        ingress: [
          { protocol: 'tcp', fromPort: 5432, toPort: 5432, securityGroup: 'conn0' },
          { protocol: 'tcp', fromPort: 5432, toPort: 5432, securityGroup: 'conn3' },
        ],
      },
      { name: 'web', vpc, ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 443, cidr: '10.0.0.0/16' }] },
    ],
    networkAcls: [
      {
        name: 'strict',
        vpc,
        subnets: ['s5', 's6'],
        entries: [
          {
            ruleNumber: 10,
            egress: false,
            protocol: 'tcp',
            action: 'allow',
            cidr: '10.0.0.0/16',
            fromPort: 80,
            toPort: 5432,
          },
          {
            ruleNumber: 20,
            egress: false,
            protocol: 'tcp',
            action: 'allow',
            cidr: '0.0.0.0/0',
            fromPort: 1024,
            toPort: 65535,
          },
          {
            ruleNumber: 10,
            egress: true,
            protocol: 'tcp',
            action: 'deny',
            cidr: '10.0.96.0/20',
            fromPort: 0,
            toPort: 65535,
          },
          { ruleNumber: 20, egress: true, protocol: '-1', action: 'allow', cidr: '0.0.0.0/0' },
        ],
      },
    ],
    targets: Array.from({ length: 14 }, (_, t) => ({
      name: `t${t}`,
      subnet: `s${1 + (t % 7)}`,
      securityGroups: [t % 2 ? 'db' : 'web'],
      tcpPorts: t % 2 ? [5432] : [80, 443],
    })),
  };
}

function build() {
  const world = NetworkWorld.fromSpec(spec(), {
    clock: new VirtualClock('2026-06-24T01:00:00Z'),
    trail: { emit: () => {} },
    account: '111122223333',
    region: 'ap-northeast-1',
  });
  const sources: string[] = [];
  for (let c = 0; c < CONNECTORS; c++) {
    const created = world.createNetworkInterface(
      {
        subnetId: world.idOf('subnet', `s${1 + (c % 7)}`),
        securityGroupIds: [world.idOf('security-group', `conn${c % 4}`)],
        tags: { 'aws:lambda:networkConnectorId': `nc-${c}`, 'aws:lambda:networkConnectorName': `conn-${c}` },
        operatorPrincipal: 'network-connectors.lambda.amazonaws.com',
      },
      operator,
    );
    if (!created.ok) throw new Error(created.errorMessage);
    sources.push(created.eni.networkInterfaceId);
  }
  const targets = [...world.targets.values()];
  const ipOf = (t: (typeof targets)[number]) =>
    world.networkInterfaces.get(t.networkInterfaceId)?.privateIpAddress ?? '';
  const destinations: PathDestination[] = [
    ...targets.slice(0, 12).map((t, i) => ({ host: ipOf(t), port: i % 2 ? 5432 : 443, protocol: 'tcp' as const })),
    ...targets.slice(12, 14).map((t) => ({ host: t.privateDnsName, port: 80, protocol: 'tcp' as const })),
    { host: 'example.com', port: 443, protocol: 'tcp' },
    { host: 'checkip.amazonaws.com', port: 80, protocol: 'tcp' },
    { host: '198.51.100.34', port: 443, protocol: 'tcp' },
    { host: 'nope.invalid', port: 443, protocol: 'tcp' },
    { host: '10.0.200.9', port: 22, protocol: 'tcp' },
    { host: '10.0.0.2', port: 53, protocol: 'udp' },
  ];
  if (destinations.length !== TARGETS) throw new Error(`expected ${TARGETS} destinations`);
  const publicDns = (name: string) => {
    const host = world.internetHosts.get(name);
    return host ? [host.ip] : [];
  };
  return { snapshot: labNetworkSnapshot(world), sources, destinations, publicDns };
}

function main(): void {
  const { snapshot, sources, destinations, publicDns } = build();
  const verdicts = { reachable: 0, blocked: 0, unknown: 0 };
  let blockers = 0;
  let indexedMs = 0;
  let indexedCpuMs = 0;
  let indexedPaths = 0;
  let naiveMs = 0;
  let naivePaths = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Side by side: the naive way on a sample, then the indexed way on every path.
    const n0 = performance.now();
    for (let i = 0; i < NAIVE_SAMPLE; i++) {
      const source = sources[(i * 7 + round) % sources.length] as string;
      new PathAnalyzer(snapshot, { publicDns }).analyze(source, destinations[i % TARGETS] as PathDestination);
      naivePaths++;
    }
    naiveMs += performance.now() - n0;

    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const analyzer = new PathAnalyzer(snapshot, { publicDns });
    for (const source of sources) {
      for (const destination of destinations) {
        const result = analyzer.analyze(source, destination);
        if (round === 0) {
          verdicts[result.verdict]++;
          blockers += result.blockers.length;
        }
        indexedPaths++;
      }
    }
    indexedMs += performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    indexedCpuMs += (cpu.user + cpu.system) / 1000;
  }
  const indexedRate = indexedPaths / (indexedMs / 1000);
  const naiveRate = naivePaths / (naiveMs / 1000);
  console.log(
    `bench:explain — ${sources.length} connector ENIs × ${destinations.length} destinations, ${ROUNDS} rounds; snapshot: ${snapshot.networkInterfaces.length} ENIs, ${snapshot.securityGroups.length} SGs, ${snapshot.subnets.length} subnets`,
  );
  console.log(
    `  verdicts per round            : ${verdicts.reachable} reachable, ${verdicts.blocked} blocked (${blockers} blockers), ${verdicts.unknown} unknown`,
  );
  console.log(`  indexed once per snapshot     : ${indexedRate.toFixed(0)} paths/s  (target >= 100000)`);
  console.log(
    `  … per CPU-second (this process) : ${(indexedPaths / (indexedCpuMs / 1000)).toFixed(0)} paths/s  (wall-clock rate suffers when the machine is shared; load average ${os.loadavg()[0]?.toFixed(1)})`,
  );
  console.log(`  index rebuilt for every path  : ${naiveRate.toFixed(0)} paths/s`);
  console.log(`  ratio indexed / rebuilt       : ${(indexedRate / naiveRate).toFixed(1)}`);
}

main();
