/**
 * fast-check generators for random lab networks and paths (the differential test between the product's
 * path analyzer and the lab's ground truth). One VPC (10.0.0.0/16), 2–4 subnets in two zones, an optional
 * internet gateway, zonal or regional NAT gateways in every state, route tables with internet / NAT routes,
 * security groups whose rules mix CIDRs and references to other groups, custom NACLs with random entries in
 * both directions, target servers, and a connector ENI. Destinations: targets by IP and by private name,
 * internet hosts by name and IP, unused VPC addresses and names that do not exist (PATHS_PER_WORLD per world).
 */
import fc from 'fast-check';
import type {
  NetworkAclSpec,
  NetworkSpec,
  RouteSpec,
  SecurityGroupRuleSpec,
  SecurityGroupSpec,
} from '../../lab/world/network-spec.js';

export interface RandomCase {
  spec: NetworkSpec;
  connector: { subnet: number; groups: number[] };
  /** An interface endpoint created after seeding (CreateVpcEndpoint), then maybe DNS hostnames switched off. */
  endpoint: {
    subnets: number[];
    groups: number[];
    privateDns: boolean;
    service: string;
    hostnamesOffAfter: boolean;
  } | null;
  /** PATHS_PER_WORLD paths from the connector ENI. */
  destinations: RandomDestination[];
}

export interface RandomDestination {
  kind:
    | 'target-ip'
    | 'target-name'
    | 'internet-name'
    | 'internet-ip'
    | 'unused-ip'
    | 'unknown-name'
    | 'endpoint-name'
    | 'endpoint-service';
  index: number;
  port: number;
  protocol: 'tcp' | 'udp';
}

/** Paths checked per generated world (building a world costs far more than evaluating a path). */
export const PATHS_PER_WORLD = 10;

const VPC = 'vpc';
const ZONES = ['ap-northeast-1a', 'ap-northeast-1c'];
const PORTS = [22, 53, 80, 443, 5432];
const PORT_RANGES: [number, number][] = [
  [80, 80],
  [443, 443],
  [53, 53],
  [0, 1023],
  [1024, 65535],
  [32768, 60999],
  [49152, 49152],
  [50000, 65535],
  [0, 65535],
  [5432, 5432],
];

const subnetCidr = (i: number) => `10.0.${i}.0/24`;

function peerCidr(subnets: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('0.0.0.0/0', '10.0.0.0/16', '198.51.100.0/24', '198.51.100.34/32', '192.0.2.0/24'),
    fc.nat({ max: subnets - 1 }).map(subnetCidr),
  );
}

function sgRule(subnets: number, groups: number): fc.Arbitrary<SecurityGroupRuleSpec> {
  const ports = fc.constantFrom(...PORT_RANGES);
  const peer = fc.oneof(
    peerCidr(subnets).map((cidr) => ({ cidr })),
    fc.nat({ max: groups - 1 }).map((g) => ({ securityGroup: `sg${g}` })),
  );
  return fc.oneof(
    peer.map((p) => ({ protocol: '-1' as const, ...p })),
    fc
      .record({ protocol: fc.constantFrom('tcp' as const, 'udp' as const), ports, peer })
      .map(({ protocol, ports: [fromPort, toPort], peer: p }) => ({ protocol, fromPort, toPort, ...p })),
  );
}

/** A broad rule most real groups have (so that paths are often open and the narrow rules decide). */
function broadRule(groups: number): fc.Arbitrary<SecurityGroupRuleSpec | null> {
  return fc.oneof(
    fc.constant({ protocol: '-1' as const, cidr: '10.0.0.0/16' }),
    fc.constant({ protocol: 'tcp' as const, fromPort: 0, toPort: 65535, cidr: '0.0.0.0/0' }),
    fc.nat({ max: groups - 1 }).map((g) => ({ protocol: '-1' as const, securityGroup: `sg${g}` })),
    fc.constant(null),
  );
}

function securityGroups(subnets: number, groups: number): fc.Arbitrary<SecurityGroupSpec[]> {
  const rules = fc
    .tuple(fc.array(sgRule(subnets, groups), { maxLength: 3 }), broadRule(groups))
    .map(([narrow, broad]) => (broad ? [...narrow, broad] : narrow));
  return fc.tuple(
    ...Array.from({ length: groups }, (_, g) =>
      fc.record({ ingress: rules, egress: fc.option(rules, { nil: undefined }) }).map(
        ({ ingress, egress }): SecurityGroupSpec => ({
          name: `sg${g}`,
          vpc: VPC,
          ingress,
          ...(egress !== undefined ? { egress } : {}),
        }),
      ),
    ),
  );
}

function networkAcls(subnets: number): fc.Arbitrary<NetworkAclSpec[]> {
  const entry = fc.record({
    egress: fc.boolean(),
    protocol: fc.constantFrom('-1' as const, 'tcp' as const, 'udp' as const, 'icmp' as const),
    action: fc.constantFrom('allow' as const, 'deny' as const),
    cidr: peerCidr(subnets),
    ports: fc.constantFrom(...PORT_RANGES),
  });
  // Random exceptions, usually followed by allow-all entries in both directions (rules 1000, 1001).
  const allowAll = [true, false].map((egress) => ({
    egress,
    protocol: '-1' as const,
    action: 'allow' as const,
    cidr: '0.0.0.0/0',
    ports: [0, 65535] as [number, number],
    tail: true,
  }));
  const acl = fc
    .tuple(fc.array(entry, { maxLength: 5 }), fc.integer({ min: 0, max: 3 }))
    .map(([entries, tail]) => [...entries.map((e) => ({ ...e, tail: false })), ...(tail > 0 ? allowAll : [])]);
  // Each subnet: default NACL (-1) or one of two custom ones.
  return fc
    .record({
      owners: fc.array(fc.integer({ min: -2, max: 1 }), { minLength: subnets, maxLength: subnets }),
      acls: fc.tuple(acl, acl),
    })
    .map(({ owners, acls }) =>
      acls.flatMap((entries, a) => {
        const members = owners.flatMap((owner, s) => (owner === a ? [`s${s}`] : []));
        if (members.length === 0) return [];
        return [
          {
            name: `acl${a}`,
            vpc: VPC,
            subnets: members,
            entries: entries.map((e, i) => ({
              ruleNumber: e.tail ? 1000 + i : (i + 1) * 10,
              egress: e.egress,
              protocol: e.protocol,
              action: e.action,
              cidr: e.cidr,
              ...(e.protocol === 'tcp' || e.protocol === 'udp' ? { fromPort: e.ports[0], toPort: e.ports[1] } : {}),
            })),
          },
        ];
      }),
    );
}

/** A whole random case: world spec, connector placement, destination. */
export function randomCase(): fc.Arbitrary<RandomCase> {
  return fc
    .record({
      subnets: fc.integer({ min: 2, max: 4 }),
      groups: fc.integer({ min: 2, max: 4 }),
      targets: fc.integer({ min: 1, max: 3 }),
    })
    .chain(({ subnets, groups, targets }) =>
      fc.record({
        dnsSupport: fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }),
        igw: fc.constantFrom('attached', 'attached', 'attached', 'detached', 'none'),
        nats: fc.array(
          fc.record({
            mode: fc.constantFrom('zonal' as const, 'regional' as const),
            subnet: fc.nat({ max: subnets - 1 }),
            state: fc.constantFrom(
              'available' as const,
              'available' as const,
              'pending' as const,
              'deleting' as const,
              'deleted' as const,
            ),
            natTableHasIgw: fc.oneof(
              { arbitrary: fc.constant(true), weight: 4 },
              { arbitrary: fc.constant(false), weight: 1 },
            ),
          }),
          { maxLength: 2 },
        ),
        tables: fc.array(
          fc.record({
            subnets: fc.subarray(Array.from({ length: subnets }, (_, i) => i)),
            defaultRoute: fc.constantFrom('igw', 'nat0', 'nat1', 'none'),
            docRoute: fc.constantFrom('igw', 'nat0', 'nat1', 'none'),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        groups: securityGroups(subnets, groups),
        acls: networkAcls(subnets),
        targets: fc.array(
          fc.record({
            subnet: fc.nat({ max: subnets - 1 }),
            groups: fc.subarray(
              Array.from({ length: groups }, (_, i) => i),
              { minLength: 1 },
            ),
          }),
          { minLength: targets, maxLength: targets },
        ),
        connector: fc.record({
          subnet: fc.nat({ max: subnets - 1 }),
          groups: fc.subarray(
            Array.from({ length: groups }, (_, i) => i),
            { minLength: 1, maxLength: 2 },
          ),
        }),
        destinations: fc.array(
          fc.record({
            kind: fc.constantFrom(
              'target-ip' as const,
              'target-ip' as const,
              'target-ip' as const,
              'target-name' as const,
              'target-name' as const,
              'internet-name' as const,
              'internet-name' as const,
              'internet-ip' as const,
              'internet-ip' as const,
              'unused-ip' as const,
              'unknown-name' as const,
              'endpoint-name' as const,
              'endpoint-service' as const,
            ),
            index: fc.nat({ max: 9 }),
            port: fc.constantFrom(...PORTS),
            protocol: fc.constantFrom('tcp' as const, 'udp' as const),
          }),
          { minLength: PATHS_PER_WORLD, maxLength: PATHS_PER_WORLD },
        ),
        subnetCount: fc.constant(subnets),
        endpoint: fc.option(
          fc.record({
            subnets: fc.subarray(
              Array.from({ length: subnets }, (_, i) => i),
              { minLength: 1 },
            ),
            groups: fc.subarray(
              Array.from({ length: groups }, (_, i) => i),
              { maxLength: 2 },
            ),
            privateDns: fc.boolean(),
            service: fc.constantFrom('ssm', 'sts', 'secretsmanager'),
            hostnamesOffAfter: fc.oneof(
              { arbitrary: fc.constant(false), weight: 3 },
              { arbitrary: fc.constant(true), weight: 1 },
            ),
          }),
          { nil: null },
        ),
      }),
    )
    .map((g): RandomCase => {
      const subnetNames = Array.from({ length: g.subnetCount }, (_, i) => `s${i}`);
      const natNames = g.nats.map((_, i) => `nat${i}`);
      const routeTo = (target: string): Omit<RouteSpec, 'destination'> | null => {
        if (target === 'igw') return g.igw === 'none' ? null : { internetGateway: 'igw' };
        return natNames.includes(target) ? { natGateway: target } : null;
      };
      const claimed = new Set<number>();
      const routeTables = g.tables.map((t, i) => {
        const subnets = t.subnets.filter((s) => !claimed.has(s));
        for (const s of subnets) claimed.add(s);
        const routes: RouteSpec[] = [];
        const def = routeTo(t.defaultRoute);
        if (def) routes.push({ destination: '0.0.0.0/0', ...def });
        const doc = routeTo(t.docRoute);
        if (doc) routes.push({ destination: '198.51.100.0/24', ...doc });
        return { name: `rt${i}`, vpc: VPC, main: i === 0, subnets: subnets.map((s) => `s${s}`), routes };
      });
      g.nats.forEach((nat, i) => {
        if (nat.mode !== 'regional') return;
        routeTables.push({
          name: `natrt${i}`,
          vpc: VPC,
          main: false,
          subnets: [],
          routes: nat.natTableHasIgw && g.igw !== 'none' ? [{ destination: '0.0.0.0/0', internetGateway: 'igw' }] : [],
        });
      });
      const spec: NetworkSpec = {
        vpcs: [{ name: VPC, cidr: '10.0.0.0/16', enableDnsSupport: g.dnsSupport, enableDnsHostnames: true }],
        subnets: subnetNames.map((name, i) => ({
          name,
          vpc: VPC,
          cidr: subnetCidr(i),
          availabilityZone: ZONES[i % 2] ?? 'ap-northeast-1a',
        })),
        ...(g.igw === 'none'
          ? {}
          : { internetGateways: [{ name: 'igw', ...(g.igw === 'attached' ? { vpc: VPC } : {}) }] }),
        elasticIps: natNames.map((name, i) => ({ name: `eip-${name}`, publicIp: `192.0.2.${10 + i}` })),
        natGateways: g.nats.map((nat, i) => ({
          name: `nat${i}`,
          vpc: VPC,
          availabilityMode: nat.mode,
          ...(nat.mode === 'zonal' ? { subnet: `s${nat.subnet}` } : { routeTable: `natrt${i}` }),
          elasticIp: `eip-nat${i}`,
          state: nat.state,
        })),
        routeTables,
        securityGroups: g.groups,
        networkAcls: g.acls,
        targets: g.targets.map((t, i) => ({
          name: `t${i}`,
          subnet: `s${t.subnet}`,
          securityGroups: t.groups.map((s) => `sg${s}`),
          tcpPorts: [80, 443],
          udpPorts: [53],
        })),
      };
      // One endpoint subnet per zone, as EC2 requires.
      const endpoint = g.endpoint
        ? {
            ...g.endpoint,
            subnets: g.endpoint.subnets.filter((s, i, all) => all.findIndex((o) => o % 2 === s % 2) === i),
          }
        : null;
      return { spec, connector: g.connector, endpoint, destinations: g.destinations };
    });
}
