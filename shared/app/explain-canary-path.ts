/**
 * Why a canary probe failed (docs/canaries.md#explanations): the static path analyzer
 * (shared/domain/path-analysis.ts) over a network snapshot from `SnapshotLoader` (functions/canary.ts: live
 * EC2 facts, else the stored one), loaded at most once per tick and scope, on the first failing probe. Connector ENIs are
 * owned by the Lambda service and often not visible to the account (the field notes got
 * InvalidNetworkInterfaceID.NotFound); the analysis then starts from a stand-in ENI in the connector's first
 * subnet with its security groups, which is what decides the path.
 */
import type { ConnectorConfigSource, PathExplainer } from '../canary-ports.js';
import type { PathExplanation } from '../domain/canary.js';
import type { NetworkInterfaceFact, NetworkSnapshot } from '../domain/network-facts.js';
import { PathAnalyzer } from '../domain/path-analysis.js';
import type { Scope } from '../ports.js';

/** The latest stored snapshot of a scope (`FACTS#<account>#<region>` / `NETWORK`), or undefined. */
export type SnapshotLoader = (scope: Scope) => Promise<NetworkSnapshot | undefined>;

const STAND_IN_ENI = 'eni-connector-stand-in';

/** One instance per tick: the snapshot of each scope is described at most once, on the first failure. */
export class SnapshotPathExplainer implements PathExplainer {
  private readonly analyzers = new Map<string, Promise<PathAnalyzer | undefined>>();

  constructor(
    private readonly snapshots: SnapshotLoader,
    private readonly connectors: ConnectorConfigSource,
  ) {}

  async explain(input: {
    account: string;
    region: string;
    connectorId: string;
    destination: string;
    port: number | null;
  }): Promise<PathExplanation | null> {
    const scope = { account: input.account, region: input.region };
    const key = `${scope.account}#${scope.region}`;
    let analyzer = this.analyzers.get(key);
    if (!analyzer) {
      analyzer = this.snapshots(scope).then((snapshot) => (snapshot ? new PathAnalyzer(snapshot) : undefined));
      this.analyzers.set(key, analyzer);
    }
    const base = await analyzer;
    if (!base) return null;
    const destination = { host: input.destination, port: input.port ?? 443, protocol: 'tcp' as const };
    if (base.connectorInterfaces(input.connectorId).length > 0) {
      const { verdict, paths } = base.analyzeConnector(input.connectorId, destination);
      return toExplanation(verdict, paths, base.snapshot);
    }
    const config = await this.connectors.configOf(input.connectorId);
    const subnet = base.snapshot.subnets.find((s) => s.subnetId === config?.subnetIds[0]);
    if (!config || !subnet) return null;
    const standIn: NetworkInterfaceFact = {
      networkInterfaceId: STAND_IN_ENI,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddresses: [firstUsableAddress(subnet.cidrBlock)],
      securityGroupIds: config.securityGroupIds,
      interfaceType: 'lambda',
      status: 'in-use',
      connectorId: input.connectorId,
    };
    const snapshot: NetworkSnapshot = {
      ...base.snapshot,
      networkInterfaces: [...base.snapshot.networkInterfaces, standIn],
    };
    const analysis = new PathAnalyzer(snapshot).analyze(STAND_IN_ENI, destination);
    return toExplanation(analysis.verdict, [analysis], snapshot);
  }
}

function toExplanation(
  verdict: PathExplanation['verdict'],
  paths: ReturnType<PathAnalyzer['analyze']>[],
  snapshot: NetworkSnapshot,
): PathExplanation {
  const seen = new Set<string>();
  const blockers: PathExplanation['blockers'] = [];
  for (const path of paths) {
    for (const b of path.blockers) {
      const rule =
        b.ruleNumber !== undefined
          ? ` rule #${b.ruleNumber}`
          : b.securityGroupRuleId
            ? ` ${b.securityGroupRuleId}`
            : '';
      const key = `${b.component}|${b.id}|${b.direction}|${rule}`;
      if (seen.has(key)) continue;
      seen.add(key);
      blockers.push({ component: b.component, id: `${b.id}${rule}`, direction: b.direction, detail: b.detail });
    }
  }
  // What the internet sees on a reachable path: the EIPs of the NAT gateways it leaves through.
  const egress = new Set<string>();
  for (const path of paths) {
    if (path.verdict !== 'reachable') continue;
    for (const hop of path.hops) {
      if (hop.component !== 'nat-gateway') continue;
      for (const ip of snapshot.natGateways.find((n) => n.natGatewayId === hop.id)?.publicIps ?? []) egress.add(ip);
    }
  }
  return {
    verdict,
    blockers,
    hops: paths[0]?.hops ?? [],
    asOf: snapshot.capturedAt,
    ...(egress.size > 0 ? { egressPublicIps: [...egress].sort() } : {}),
  };
}

/** The first address AWS lets an ENI have in a subnet (the first four are reserved). */
function firstUsableAddress(cidr: string): string {
  const [base = '0.0.0.0'] = cidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] = (octets[3] ?? 0) + 4;
  return octets.join('.');
}
