/**
 * Static path analysis (pure): from a network-facts snapshot, can a connector ENI reach a destination
 * (IP or name, port, protocol), and if not, EVERY reason why. See docs/path-analysis.md for the AWS facts
 * (with their doc pages) each step follows:
 *
 *   DNS (enableDnsSupport, private names, interface-endpoint names) → source security-group egress
 *   (stateful, SG-to-SG references) → source subnet NACL outbound + return inbound (stateless, ephemeral
 *   port) → route table, longest prefix match (local, NAT gateway + its state + its own route to an
 *   attached internet gateway, internet gateway, VPC endpoint, peering, transit gateway, blackhole) →
 *   destination subnet NACL inbound + return outbound → destination security-group ingress.
 *
 * `PathAnalyzer` builds its indexes once per snapshot; `analyze` is then a few map look-ups and short scans.
 */
import { blockContains, type Ipv4Block, parseCidrBlock, parseIpv4 } from './ipv4.js';
import type {
  NatGatewayFact,
  NetworkAclEntryFact,
  NetworkInterfaceFact,
  NetworkSnapshot,
  RouteFact,
  SecurityGroupRuleFact,
  VpcFact,
} from './network-facts.js';
import { routeTableOfSubnets } from './network-facts.js';

export type PathProtocol = 'tcp' | 'udp';

/** Where to: a host (IPv4 address or DNS name), a port (1–65535) and a transport protocol. */
export interface PathDestination {
  host: string;
  port: number;
  protocol: PathProtocol;
}

export type PathVerdict = 'reachable' | 'blocked' | 'unknown';

export type PathComponent =
  | 'network-interface'
  | 'dns'
  | 'security-group'
  | 'network-acl'
  | 'route-table'
  | 'nat-gateway'
  | 'internet-gateway'
  | 'vpc-endpoint'
  | 'vpc-peering'
  | 'transit-gateway'
  | 'destination';

/**
 * `outbound`/`inbound`: the request leaving the source or entering the destination; `return-inbound` /
 * `return-outbound`: the reply crossing a stateless NACL back; `none` for DNS and routing.
 */
export type PathDirection = 'outbound' | 'inbound' | 'return-inbound' | 'return-outbound' | 'none';

/** One step the packet takes (or would take). */
export interface PathHop {
  component: PathComponent;
  id: string;
  detail: string;
}

/** One reason the path is blocked: the exact element, its rule number (NACL) or rule id (SG) when one decides. */
export interface PathBlocker {
  component: PathComponent;
  id: string;
  direction: PathDirection;
  /** NACL entry number that denies (32767 is the default `*` rule). */
  ruleNumber?: number;
  /** The `sgr-` id when a single security-group rule is involved. */
  securityGroupRuleId?: string;
  detail: string;
}

/** The result for one source ENI. `unknowns` say which parts the facts cannot see (verdict `unknown`). */
export interface PathAnalysis {
  verdict: PathVerdict;
  sourceNetworkInterfaceId: string;
  destination: PathDestination;
  resolvedIp: string | null;
  hops: PathHop[];
  blockers: PathBlocker[];
  unknowns: string[];
}

export interface PathAnalyzerOptions {
  /**
   * Answers for names that are not private to the VPC (e.g. from a public resolver); undefined = no
   * resolver (such a name is `unknown`), [] = NXDOMAIN (blocked).
   */
  publicDns?: (name: string) => readonly string[] | undefined;
  /**
   * The client's source port checked on the NACL return path (default 49152: inside Linux's default
   * 32768–60999 range and AWS's 1024–65535 guidance).
   */
  ephemeralPort?: number;
}

// ── indexes ────────────────────────────────────────────────────────────────────────────────────────────────

interface IndexedRoute {
  block: Ipv4Block;
  fact: RouteFact;
  /** `10.0.0.0/16` or `pl-… (10.0.0.0/16)`: the route's destination as details print it. */
  destinationText: string;
  /** The route-table hop's detail, prepared once. */
  hopDetail: string;
}

interface IndexedTable {
  routeTableId: string;
  /** Longest prefix first. */
  routes: IndexedRoute[];
}

interface IndexedAclEntry {
  ruleNumber: number;
  block: Ipv4Block;
  /** -1 all, 6 tcp, 17 udp, other numbers as given */
  protocol: number;
  from: number;
  to: number;
  allow: boolean;
}

interface IndexedAcl {
  networkAclId: string;
  outbound: IndexedAclEntry[];
  inbound: IndexedAclEntry[];
}

interface IndexedRule {
  securityGroupRuleId: string;
  /** "tcp 443-443 10.0.0.0/16, sg-…" for details. */
  text: string;
  groupId: string;
  /** 'all' | 'tcp' | 'udp' | other protocol text */
  protocol: string;
  from: number;
  to: number;
  blocks: Ipv4Block[];
  referencedGroupId?: string;
}

interface IndexedGroup {
  groupId: string;
  egress: IndexedRule[];
  ingress: IndexedRule[];
}

interface IndexedEni {
  fact: NetworkInterfaceFact;
  ips: number[];
  /** The source hop's detail, prepared once. */
  hopDetail: string;
}

const PROTOCOL_NUMBER: Record<PathProtocol, number> = { tcp: 6, udp: 17 };
const DEFAULT_RULE_NUMBER = 32767;
const PRIVATE_NAME = /^ip-(\d+)-(\d+)-(\d+)-(\d+)\.(?:[a-z0-9-]+\.compute|ec2)\.internal$/;

function sgProtocol(ipProtocol: string): string {
  const p = ipProtocol.toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  if (p === '6') return 'tcp';
  if (p === '17') return 'udp';
  if (p === '1') return 'icmp';
  return p;
}

function naclProtocol(protocol: string): number {
  const p = protocol.toLowerCase();
  if (p === '-1' || p === 'all') return -1;
  if (p === 'tcp') return 6;
  if (p === 'udp') return 17;
  if (p === 'icmp') return 1;
  const n = Number(p);
  return Number.isInteger(n) ? n : -2;
}

const formatted = new Map<number, string>();

/** Dotted-quad text of an address, memoized (the same few addresses recur in every path's details). */
function formatIp(value: number): string {
  let text = formatted.get(value);
  if (text === undefined) {
    if (formatted.size > 100_000) formatted.clear();
    text = `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
    formatted.set(value, text);
  }
  return text;
}

function ruleLabel(ruleNumber: number): string {
  return ruleNumber === DEFAULT_RULE_NUMBER ? 'rule *' : `rule #${ruleNumber}`;
}

const orderOf: Record<PathVerdict, number> = { reachable: 0, unknown: 1, blocked: 2 };

/** The worse of two verdicts: blocked > unknown > reachable. */
export function worseVerdict(a: PathVerdict, b: PathVerdict): PathVerdict {
  return orderOf[a] >= orderOf[b] ? a : b;
}

/**
 * Indexes one snapshot for repeated path queries. Construction is O(size of the snapshot); build one per
 * snapshot and reuse it (the indexes are immutable).
 */
export class PathAnalyzer {
  private readonly enis = new Map<string, IndexedEni>();
  private readonly eniByVpcIp = new Map<string, Map<number, IndexedEni>>();
  private readonly subnetBlock = new Map<string, Ipv4Block>();
  private readonly subnetVpc = new Map<string, string>();
  private readonly vpcs = new Map<string, VpcFact>();
  private readonly tables = new Map<string, IndexedTable>();
  private readonly tableOfSubnet = new Map<string, IndexedTable>();
  private readonly aclOfSubnet = new Map<string, IndexedAcl>();
  private readonly groups = new Map<string, IndexedGroup>();
  private readonly nats = new Map<string, NatGatewayFact>();
  private readonly igwVpcs = new Map<string, string[]>();
  private readonly endpointState = new Map<string, { state: string; serviceName: string }>();
  /** vpc → name → endpoint ENI addresses, split by whether the name needs private DNS (both DNS attributes). */
  private readonly endpointNames = new Map<
    string,
    Map<string, { ips: string[]; privateDns: boolean; endpointId: string }>
  >();
  private readonly ephemeralPort: number;

  constructor(
    readonly snapshot: NetworkSnapshot,
    private readonly options: PathAnalyzerOptions = {},
  ) {
    this.ephemeralPort = options.ephemeralPort ?? 49152;
    for (const vpc of snapshot.vpcs) this.vpcs.set(vpc.vpcId, vpc);
    for (const subnet of snapshot.subnets) {
      const block = parseCidrBlock(subnet.cidrBlock);
      if (block) this.subnetBlock.set(subnet.subnetId, block);
      this.subnetVpc.set(subnet.subnetId, subnet.vpcId);
    }
    const prefixLists = new Map(snapshot.prefixLists.map((p) => [p.prefixListId, p.cidrs]));
    for (const table of snapshot.routeTables) {
      const routes: IndexedRoute[] = [];
      for (const fact of table.routes) {
        const cidrs = fact.destinationCidrBlock
          ? [fact.destinationCidrBlock]
          : (prefixLists.get(fact.destinationPrefixListId ?? '') ?? []);
        for (const cidr of cidrs) {
          const block = parseCidrBlock(cidr);
          if (!block) continue;
          const destinationText = fact.destinationPrefixListId
            ? `${fact.destinationPrefixListId} (${formatBlock(block)})`
            : (fact.destinationCidrBlock ?? '');
          const hopDetail = `${destinationText} → ${fact.targetId}${fact.state === 'blackhole' ? ' (blackhole)' : ''}`;
          routes.push({ block, fact, destinationText, hopDetail });
        }
      }
      routes.sort((a, b) => b.block.prefixLength - a.block.prefixLength);
      this.tables.set(table.routeTableId, { routeTableId: table.routeTableId, routes });
    }
    for (const [subnetId, tableId] of Object.entries(routeTableOfSubnets(snapshot))) {
      const table = this.tables.get(tableId);
      if (table) this.tableOfSubnet.set(subnetId, table);
    }
    for (const acl of snapshot.networkAcls) {
      const indexed: IndexedAcl = { networkAclId: acl.networkAclId, outbound: [], inbound: [] };
      for (const entry of acl.entries) {
        const block = parseCidrBlock(entry.cidrBlock);
        if (!block) continue; // IPv6 entries never match IPv4 traffic
        (entry.egress ? indexed.outbound : indexed.inbound).push(indexAclEntry(entry, block));
      }
      indexed.outbound.sort((a, b) => a.ruleNumber - b.ruleNumber);
      indexed.inbound.sort((a, b) => a.ruleNumber - b.ruleNumber);
      for (const association of acl.associations) this.aclOfSubnet.set(association.subnetId, indexed);
    }
    for (const group of snapshot.securityGroups) {
      const indexed: IndexedGroup = { groupId: group.groupId, egress: [], ingress: [] };
      for (const rule of group.rules) {
        (rule.isEgress ? indexed.egress : indexed.ingress).push(indexRule(rule, prefixLists));
      }
      this.groups.set(group.groupId, indexed);
    }
    for (const eni of snapshot.networkInterfaces) {
      const ips = eni.privateIpAddresses.map(parseIpv4).filter((ip): ip is number => ip !== undefined);
      const first = ips[0];
      const indexed = {
        fact: eni,
        ips,
        hopDetail: `${first === undefined ? 'no address' : formatIp(first)} in ${eni.subnetId} (${eni.availabilityZone}), groups ${eni.securityGroupIds.join(', ') || 'none'}`,
      };
      this.enis.set(eni.networkInterfaceId, indexed);
      let byIp = this.eniByVpcIp.get(eni.vpcId);
      if (!byIp) {
        byIp = new Map();
        this.eniByVpcIp.set(eni.vpcId, byIp);
      }
      for (const ip of ips) byIp.set(ip, indexed);
    }
    for (const nat of snapshot.natGateways) this.nats.set(nat.natGatewayId, nat);
    for (const igw of snapshot.internetGateways) this.igwVpcs.set(igw.internetGatewayId, igw.attachedVpcIds);
    for (const endpoint of snapshot.vpcEndpoints) {
      this.endpointState.set(endpoint.vpcEndpointId, { state: endpoint.state, serviceName: endpoint.serviceName });
      if (endpoint.vpcEndpointType.toLowerCase() !== 'interface' || endpoint.state !== 'available') continue;
      const ips = endpoint.networkInterfaceIds.flatMap(
        (id) => this.enis.get(id)?.fact.privateIpAddresses.slice(0, 1) ?? [],
      );
      let names = this.endpointNames.get(endpoint.vpcId);
      if (!names) {
        names = new Map();
        this.endpointNames.set(endpoint.vpcId, names);
      }
      for (const name of endpoint.dnsNames) {
        const privateDns = !name.includes('.vpce.amazonaws.com');
        names.set(name.toLowerCase(), { ips, privateDns, endpointId: endpoint.vpcEndpointId });
      }
    }
  }

  /** The ENIs of a connector (`aws:lambda:networkConnectorId` tag). */
  connectorInterfaces(connectorId: string): NetworkInterfaceFact[] {
    return this.snapshot.networkInterfaces.filter((eni) => eni.connectorId === connectorId);
  }

  /** Evaluates every ENI of a connector; the combined verdict is the worst one (a MicroVM may use any of them). */
  analyzeConnector(connectorId: string, destination: PathDestination): { verdict: PathVerdict; paths: PathAnalysis[] } {
    const paths = this.connectorInterfaces(connectorId).map((eni) => this.analyze(eni.networkInterfaceId, destination));
    if (paths.length === 0) return { verdict: 'unknown', paths };
    return { verdict: paths.map((p) => p.verdict).reduce(worseVerdict), paths };
  }

  /** Evaluates one path from the ENI `sourceNetworkInterfaceId`. Never throws: missing facts give `unknown`. */
  analyze(sourceNetworkInterfaceId: string, destination: PathDestination): PathAnalysis {
    const out: PathAnalysis = {
      verdict: 'reachable',
      sourceNetworkInterfaceId,
      destination,
      resolvedIp: null,
      hops: [],
      blockers: [],
      unknowns: [],
    };
    const source = this.enis.get(sourceNetworkInterfaceId);
    const sourceIp = source?.ips[0];
    const vpc = source ? this.vpcs.get(source.fact.vpcId) : undefined;
    if (!source || sourceIp === undefined || !vpc) {
      out.unknowns.push(`${sourceNetworkInterfaceId} is not in the network facts`);
      return finish(out);
    }
    const src = source.fact;
    out.hops.push({
      component: 'network-interface',
      id: src.networkInterfaceId,
      detail: source.hopDetail,
    });

    const ip = this.resolve(vpc, destination.host, out);
    if (ip === undefined) return finish(out);
    out.resolvedIp = formatIp(ip);

    const table = this.tableOfSubnet.get(src.subnetId);
    const route = table?.routes.find((r) => blockContains(r.block, ip));
    const destinationEni = route?.fact.targetKind === 'local' ? this.eniByVpcIp.get(vpc.vpcId)?.get(ip) : undefined;

    // Security groups are stateful: only the request direction is checked.
    this.checkGroups(src.securityGroupIds, 'egress', destination, ip, destinationEni?.fact.securityGroupIds ?? [], out);

    // NACLs sit at the subnet boundary; traffic that stays in the subnet does not cross them.
    const sourceBlock = this.subnetBlock.get(src.subnetId);
    if (!sourceBlock || !blockContains(sourceBlock, ip)) {
      this.checkAcl(src.subnetId, 'source', destination, ip, out);
    }

    if (!table) {
      out.blockers.push({
        component: 'route-table',
        id: src.subnetId,
        direction: 'none',
        detail: `no route table applies to ${src.subnetId}`,
      });
      return finish(out);
    }
    if (!route) {
      out.blockers.push({
        component: 'route-table',
        id: table.routeTableId,
        direction: 'none',
        detail: `${table.routeTableId} has no route to ${formatIp(ip)}`,
      });
      return finish(out);
    }
    const r = route.fact;
    const { destinationText } = route;
    out.hops.push({ component: 'route-table', id: table.routeTableId, detail: route.hopDetail });
    if (r.state === 'blackhole') {
      const nat = r.targetKind === 'nat-gateway' ? this.nats.get(r.targetId) : undefined;
      out.blockers.push({
        component: 'route-table',
        id: table.routeTableId,
        direction: 'none',
        detail: `route ${destinationText} → ${r.targetId} is a blackhole${nat ? ` (NAT gateway ${nat.state})` : ' (its target no longer exists)'}`,
      });
      return finish(out);
    }
    switch (r.targetKind) {
      case 'local':
        this.deliverLocally(source, sourceIp, destinationEni, vpc, destination, ip, out);
        break;
      case 'nat-gateway':
        this.throughNat(r.targetId, ip, table.routeTableId, out);
        break;
      case 'internet-gateway': {
        const attached = this.igwVpcs.get(r.targetId)?.includes(vpc.vpcId) ?? false;
        if (!attached) {
          out.blockers.push({
            component: 'internet-gateway',
            id: r.targetId,
            direction: 'none',
            detail: `${r.targetId} is not attached to ${vpc.vpcId}`,
          });
        } else if (!src.publicIp) {
          out.blockers.push({
            component: 'internet-gateway',
            id: r.targetId,
            direction: 'none',
            detail: `route to internet gateway ${r.targetId}, but ${src.networkInterfaceId} has no public IPv4 address (a connector needs a NAT gateway)`,
          });
        } else {
          out.hops.push({ component: 'internet-gateway', id: r.targetId, detail: `translated to ${src.publicIp}` });
        }
        break;
      }
      case 'vpc-endpoint': {
        const endpoint = this.endpointState.get(r.targetId);
        if (endpoint?.state !== 'available') {
          out.blockers.push({
            component: 'vpc-endpoint',
            id: r.targetId,
            direction: 'none',
            detail: `gateway endpoint ${r.targetId} is ${endpoint?.state ?? 'not in the facts'}`,
          });
        } else {
          out.hops.push({
            component: 'vpc-endpoint',
            id: r.targetId,
            detail: `gateway endpoint for ${endpoint.serviceName}`,
          });
          out.unknowns.push(`the endpoint policy of ${r.targetId} is not part of the facts`);
        }
        break;
      }
      case 'vpc-peering':
        out.hops.push({
          component: 'vpc-peering',
          id: r.targetId,
          detail: 'leaves the VPC through a peering connection',
        });
        out.unknowns.push(
          `beyond peering connection ${r.targetId} (the peer VPC's NACLs, routes and groups) is not in the facts`,
        );
        break;
      case 'transit-gateway':
        out.hops.push({
          component: 'transit-gateway',
          id: r.targetId,
          detail: 'leaves the VPC through a transit gateway',
        });
        out.unknowns.push(
          `beyond transit gateway ${r.targetId} (its route tables and attachments) is not in the facts`,
        );
        break;
      default:
        out.unknowns.push(`route target ${r.targetId} (${r.targetKind}) forwards traffic the facts cannot follow`);
    }
    return finish(out);
  }

  // ── steps ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The address the connector's resolver (the VPC's Amazon-provided DNS) gives, or undefined with the reason. */
  private resolve(vpc: VpcFact, host: string, out: PathAnalysis): number | undefined {
    const literal = parseIpv4(host);
    if (literal !== undefined) return literal;
    const name = host.toLowerCase().replace(/\.$/, '');
    if (!vpc.enableDnsSupport) {
      out.blockers.push({
        component: 'dns',
        id: vpc.vpcId,
        direction: 'none',
        detail: `${vpc.vpcId} has enableDnsSupport=false: the Amazon-provided resolver does not answer, so ${name} cannot be resolved`,
      });
      return undefined;
    }
    const privateName = PRIVATE_NAME.exec(name);
    if (privateName) {
      const ip = parseIpv4(privateName.slice(1, 5).join('.'));
      if (ip !== undefined && this.eniByVpcIp.get(vpc.vpcId)?.has(ip)) {
        out.hops.push({ component: 'dns', id: vpc.vpcId, detail: `${name} → ${formatIp(ip)} (private name)` });
        return ip;
      }
      out.blockers.push({
        component: 'dns',
        id: vpc.vpcId,
        direction: 'none',
        detail: `${name}: no network interface in ${vpc.vpcId} has that address (NXDOMAIN)`,
      });
      return undefined;
    }
    const endpoint = this.endpointNames.get(vpc.vpcId)?.get(name);
    if (endpoint && (!endpoint.privateDns || vpc.enableDnsHostnames)) {
      const ip = endpoint.ips.map(parseIpv4).find((v) => v !== undefined);
      if (ip !== undefined) {
        out.hops.push({
          component: 'dns',
          id: endpoint.endpointId,
          detail: `${name} → ${formatIp(ip)} (interface endpoint ${endpoint.endpointId}${endpoint.privateDns ? ', private DNS' : ''})`,
        });
        return ip;
      }
    }
    const answers = this.options.publicDns?.(name);
    if (answers === undefined) {
      out.unknowns.push(`${name} is not a private name of ${vpc.vpcId} and no public resolver was given`);
      return undefined;
    }
    const ip = answers.map(parseIpv4).find((v) => v !== undefined);
    if (ip === undefined) {
      out.blockers.push({
        component: 'dns',
        id: vpc.vpcId,
        direction: 'none',
        detail: `${name} does not resolve (NXDOMAIN)`,
      });
      return undefined;
    }
    out.hops.push({ component: 'dns', id: vpc.vpcId, detail: `${name} → ${formatIp(ip)}` });
    return ip;
  }

  /** Whether any of `groupIds` admits the request; a blocker per direction when none does. */
  private checkGroups(
    groupIds: readonly string[],
    direction: 'egress' | 'ingress',
    destination: PathDestination,
    peerIp: number,
    peerGroupIds: readonly string[],
    out: PathAnalysis,
  ): void {
    for (const groupId of groupIds) {
      const group = this.groups.get(groupId);
      const rules = direction === 'egress' ? group?.egress : group?.ingress;
      for (const rule of rules ?? []) {
        if (!ruleCovers(rule, destination)) continue;
        const byCidr = rule.blocks.some((block) => blockContains(block, peerIp));
        const byGroup = rule.referencedGroupId !== undefined && peerGroupIds.includes(rule.referencedGroupId);
        if (byCidr || byGroup) {
          out.hops.push({
            component: 'security-group',
            id: groupId,
            detail: `${direction} allowed by ${rule.securityGroupRuleId} (${rule.text})`,
          });
          return;
        }
      }
    }
    const peer = formatIp(peerIp);
    const unknownGroups = groupIds.filter((g) => !this.groups.has(g));
    out.blockers.push({
      component: 'security-group',
      id: groupIds.join(', ') || 'none',
      direction: direction === 'egress' ? 'outbound' : 'inbound',
      detail:
        direction === 'egress'
          ? `no egress rule of [${groupIds.join(', ')}] allows ${destination.protocol}/${destination.port} to ${peer}${peerGroupIds.length ? ` or its groups [${peerGroupIds.join(', ')}]` : ''}`
          : `no ingress rule of [${groupIds.join(', ')}] allows ${destination.protocol}/${destination.port} from ${peer}${peerGroupIds.length ? ` or its groups [${peerGroupIds.join(', ')}]` : ''}`,
    });
    if (unknownGroups.length) out.unknowns.push(`security groups not in the facts: ${unknownGroups.join(', ')}`);
  }

  /**
   * The NACL of `subnetId` both ways: `source` side = request outbound + reply inbound; `destination`
   * side = request inbound + reply outbound (the reply goes to the client's ephemeral port).
   */
  private checkAcl(
    subnetId: string,
    side: 'source' | 'destination',
    destination: PathDestination,
    peerIp: number,
    out: PathAnalysis,
  ): void {
    const acl = this.aclOfSubnet.get(subnetId);
    if (!acl) {
      out.blockers.push({
        component: 'network-acl',
        id: subnetId,
        direction: side === 'source' ? 'outbound' : 'inbound',
        detail: `no network ACL association is known for ${subnetId}`,
      });
      return;
    }
    const peer = formatIp(peerIp);
    const { port } = destination;
    const reply = this.ephemeralPort;
    if (side === 'source') {
      this.aclLeg(
        acl,
        acl.outbound,
        port,
        'outbound',
        side,
        subnetId,
        destination,
        peerIp,
        `outbound ${destination.protocol}/${port} to ${peer}`,
        out,
      );
      this.aclLeg(
        acl,
        acl.inbound,
        reply,
        'return-inbound',
        side,
        subnetId,
        destination,
        peerIp,
        `the reply inbound ${destination.protocol}/${reply} (ephemeral) from ${peer}`,
        out,
      );
    } else {
      this.aclLeg(
        acl,
        acl.inbound,
        port,
        'inbound',
        side,
        subnetId,
        destination,
        peerIp,
        `inbound ${destination.protocol}/${port} from ${peer}`,
        out,
      );
      this.aclLeg(
        acl,
        acl.outbound,
        reply,
        'return-outbound',
        side,
        subnetId,
        destination,
        peerIp,
        `the reply outbound ${destination.protocol}/${reply} (ephemeral) to ${peer}`,
        out,
      );
    }
  }

  /** One NACL direction: the lowest-numbered matching entry decides (the `*` entry denies what none matched). */
  private aclLeg(
    acl: IndexedAcl,
    entries: IndexedAclEntry[],
    port: number,
    direction: PathDirection,
    side: 'source' | 'destination',
    subnetId: string,
    destination: PathDestination,
    peerIp: number,
    text: string,
    out: PathAnalysis,
  ): void {
    const protocol = PROTOCOL_NUMBER[destination.protocol];
    let decisive: IndexedAclEntry | undefined;
    for (const e of entries) {
      if (
        blockContains(e.block, peerIp) &&
        (e.protocol === -1 || (e.protocol === protocol && port >= e.from && port <= e.to))
      ) {
        decisive = e;
        break;
      }
    }
    if (decisive?.allow) {
      out.hops.push({
        component: 'network-acl',
        id: acl.networkAclId,
        detail: `${ruleLabel(decisive.ruleNumber)} allows ${text}`,
      });
      return;
    }
    const ruleNumber = decisive?.ruleNumber ?? DEFAULT_RULE_NUMBER;
    out.blockers.push({
      component: 'network-acl',
      id: acl.networkAclId,
      direction,
      ruleNumber,
      detail: `${side} subnet ${subnetId}: ${ruleLabel(ruleNumber)} of ${acl.networkAclId} denies ${text}`,
    });
  }

  private deliverLocally(
    source: IndexedEni,
    sourceIp: number,
    destinationEni: IndexedEni | undefined,
    vpc: VpcFact,
    destination: PathDestination,
    ip: number,
    out: PathAnalysis,
  ): void {
    if (!destinationEni) {
      out.blockers.push({
        component: 'destination',
        id: vpc.vpcId,
        direction: 'none',
        detail: `no network interface in ${vpc.vpcId} has address ${formatIp(ip)}`,
      });
      return;
    }
    const target = destinationEni.fact;
    if (target.subnetId !== source.fact.subnetId)
      this.checkAcl(target.subnetId, 'destination', destination, sourceIp, out);
    this.checkGroups(target.securityGroupIds, 'ingress', destination, sourceIp, source.fact.securityGroupIds, out);
    out.hops.push({
      component: 'destination',
      id: target.networkInterfaceId,
      detail: `${formatIp(ip)} in ${target.subnetId} (${target.interfaceType})`,
    });
  }

  private throughNat(natGatewayId: string, ip: number, routeTableId: string, out: PathAnalysis): void {
    const nat = this.nats.get(natGatewayId);
    if (nat?.state !== 'available') {
      out.blockers.push({
        component: 'nat-gateway',
        id: natGatewayId,
        direction: 'none',
        detail: `route in ${routeTableId} goes to NAT gateway ${natGatewayId}, which is ${nat?.state ?? 'not in the facts'}`,
      });
      return;
    }
    if (nat.connectivityType !== 'public' || nat.publicIps.length === 0) {
      out.blockers.push({
        component: 'nat-gateway',
        id: natGatewayId,
        direction: 'none',
        detail: `NAT gateway ${natGatewayId} is private (no Elastic IP): it cannot reach the internet`,
      });
      return;
    }
    out.hops.push({ component: 'nat-gateway', id: natGatewayId, detail: `translated to ${nat.publicIps.join(', ')}` });
    const natTable = nat.routeTableId
      ? this.tables.get(nat.routeTableId)
      : nat.subnetId
        ? this.tableOfSubnet.get(nat.subnetId)
        : undefined;
    const onward = natTable?.routes.find((r) => blockContains(r.block, ip))?.fact;
    const attached =
      onward?.targetKind === 'internet-gateway' &&
      onward.state === 'active' &&
      (this.igwVpcs.get(onward.targetId)?.includes(nat.vpcId) ?? false);
    if (!onward || !attached) {
      out.blockers.push({
        component: 'nat-gateway',
        id: natGatewayId,
        direction: 'none',
        detail: `NAT gateway ${natGatewayId}'s route table ${natTable?.routeTableId ?? '(none)'} has no route to an internet gateway attached to ${nat.vpcId} for ${formatIp(ip)}`,
      });
      return;
    }
    out.hops.push({ component: 'internet-gateway', id: onward.targetId, detail: `via ${natTable?.routeTableId}` });
  }
}

function indexAclEntry(entry: NetworkAclEntryFact, block: Ipv4Block): IndexedAclEntry {
  return {
    ruleNumber: entry.ruleNumber,
    block,
    protocol: naclProtocol(entry.protocol),
    from: entry.portRange?.from ?? 0,
    to: entry.portRange?.to ?? 65535,
    allow: entry.ruleAction === 'allow',
  };
}

function indexRule(rule: SecurityGroupRuleFact, prefixLists: Map<string, string[]>): IndexedRule {
  const cidrs = [
    ...(rule.cidrIpv4 ? [rule.cidrIpv4] : []),
    ...(rule.prefixListId ? (prefixLists.get(rule.prefixListId) ?? []) : []),
  ];
  const indexed: IndexedRule = {
    securityGroupRuleId: rule.securityGroupRuleId,
    text: '',
    groupId: rule.groupId,
    protocol: sgProtocol(rule.ipProtocol),
    from: rule.fromPort,
    to: rule.toPort,
    blocks: cidrs.map(parseCidrBlock).filter((b): b is Ipv4Block => b !== undefined),
    ...(rule.referencedGroupId ? { referencedGroupId: rule.referencedGroupId } : {}),
  };
  indexed.text = describeRule(indexed);
  return indexed;
}

function ruleCovers(rule: IndexedRule, destination: PathDestination): boolean {
  if (rule.protocol === 'all') return true;
  if (rule.protocol !== destination.protocol) return false;
  // -1 / -1 on tcp or udp means every port.
  if (rule.from === -1 && rule.to === -1) return true;
  return destination.port >= rule.from && destination.port <= rule.to;
}

function describeRule(rule: IndexedRule): string {
  const ports = rule.protocol === 'all' ? 'all traffic' : `${rule.protocol} ${rule.from}-${rule.to}`;
  const peers = [...rule.blocks.map(formatBlock), ...(rule.referencedGroupId ? [rule.referencedGroupId] : [])];
  return `${ports} ${peers.join(', ')}`;
}

function formatBlock(block: Ipv4Block): string {
  return `${formatIp(block.base)}/${block.prefixLength}`;
}

function finish(out: PathAnalysis): PathAnalysis {
  out.verdict = out.blockers.length > 0 ? 'blocked' : out.unknowns.length > 0 ? 'unknown' : 'reachable';
  return out;
}
