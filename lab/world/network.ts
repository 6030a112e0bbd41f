/**
 * The network half of the lab world: VPCs, subnets, route tables, gateways, security groups, NACLs, ENIs,
 * target servers and internet hosts. Seed objects (fromSpec) are silent; every mutation made through the
 * methods below is recorded as the CloudTrail record EC2 writes (see network-call.ts).
 */
import { createHash } from 'node:crypto';
import { evaluateEgress } from '../network/reachability.js';
import type { CallerIdentity } from '../trail/record.js';
import type {
  CreateEniInput,
  EgressDestination,
  EgressOutcome,
  EgressSource,
  EniCreateResult,
  LabContext,
  NetworkWorldPort,
} from './contracts.js';
import { cloudTrailJson, EC2_XMLNS, Ec2Call, type Ec2CallOptions, type Ec2Result, itemSet } from './network-call.js';
import { cidrHost, cidrSize, cidrWithin, ipOffsetInCidr, isCidr, isIpv4 } from './network-cidr.js';
import type { VpcEndpoint } from './network-endpoints.js';
import type {
  ElasticIp,
  InternetGateway,
  InternetHost,
  NatGateway,
  NatGatewayState,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  RouteTable,
  RouteTarget,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  TargetServer,
  Vpc,
} from './network-model.js';
import {
  natGatewayShape,
  networkInterfaceShape,
  privateDnsNameOf,
  revokedRuleShape,
  securityGroupRuleShape,
} from './network-shapes.js';
import type { NetworkAclEntrySpec, NetworkSpec, RouteSpec, SecurityGroupRuleSpec } from './network-spec.js';
import { DEFAULT_INTERNET_HOSTS, stableId } from './network-spec.js';

/** A scenario file declared something inconsistent (unknown name, bad CIDR, …). */
export class NetworkSpecError extends Error {
  override readonly name = 'NetworkSpecError';
}

/** How long AWS takes to move a NAT gateway pending → available and deleting → deleted. */
export const NAT_GATEWAY_TRANSITION_MS = 90_000;
/** Lowest host offset EC2 hands out: .0 network, .1 router, .2 DNS, .3 reserved. */
const FIRST_USABLE_OFFSET = 4;
const RESERVED_PER_SUBNET = 5;

export interface IpPermissionInput {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges: { cidrIp: string; description?: string }[];
  groups: { groupId: string; description?: string }[];
}

export interface SecurityGroupRuleUpdate {
  securityGroupRuleId: string;
  rule: {
    ipProtocol: string;
    fromPort?: number;
    toPort?: number;
    cidrIpv4?: string;
    referencedGroupId?: string;
    description?: string;
  };
}

/** The target parameters of CreateRoute/ReplaceRoute, as the caller sent them. */
export interface RouteTargetInput {
  gatewayId?: string;
  natGatewayId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  egressOnlyInternetGatewayId?: string;
  vpcEndpointId?: string;
  localTarget?: boolean;
}

export interface RouteInput {
  routeTableId: string;
  destinationCidrBlock: string;
  target: RouteTargetInput;
  dryRun?: boolean;
}

export interface NetworkAclEntryInput {
  networkAclId: string;
  ruleNumber: number;
  protocol: string;
  ruleAction: 'allow' | 'deny';
  egress: boolean;
  cidrBlock: string;
  portRange?: { from: number; to: number };
  icmpTypeCode?: { type: number; code: number };
  dryRun?: boolean;
}

export interface CreateNatGatewayInput {
  subnetId?: string;
  vpcId?: string;
  availabilityMode?: 'zonal' | 'regional';
  allocationId?: string;
  connectivityType?: 'public' | 'private';
  tags?: Record<string, string>;
  clientToken?: string;
  dryRun?: boolean;
}

const SG_PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };
const NACL_PROTOCOL_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };

/** Security groups store EC2's names (tcp/udp/icmp/-1); callers may send numbers. */
export function normalizeSgProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  return SG_PROTOCOL_NAMES[lower] ?? lower;
}

/** NACL entries store protocol numbers as strings (-1 = all); callers may send names. */
export function normalizeNaclProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  return NACL_PROTOCOL_NUMBERS[lower] ?? lower;
}

/** One all-traffic entry per direction: the catch-all deny (#32767) or a default VPC ACL's allow (#100). */
function catchAllNaclEntries(ruleNumber: number, ruleAction: 'allow' | 'deny'): NetworkAclEntry[] {
  return [true, false].map((egress) => ({ ruleNumber, egress, protocol: '-1', ruleAction, cidrBlock: '0.0.0.0/0' }));
}

const defaultNaclEntries = () => catchAllNaclEntries(32767, 'deny');
const allowAllNaclEntries = () => catchAllNaclEntries(100, 'allow');

function sortNaclEntries(entries: NetworkAclEntry[]): NetworkAclEntry[] {
  return entries.sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
}

function macAddressFor(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return ['02', ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))].join(':');
}

/** Zone id from a zone name when the spec leaves it out: ap-northeast-1a → apne1-az1. */
function zoneIdFor(zone: string): string {
  const match = /^([a-z]{2})-([a-z]+)-(\d+)([a-z])$/.exec(zone);
  if (!match) return `${zone}-az1`;
  const [, country = '', direction = '', number = '', letter = 'a'] = match;
  const shortDirection = direction
    .replace('north', 'n')
    .replace('south', 's')
    .replace('east', 'e')
    .replace('west', 'w');
  return `${country}${shortDirection.replace('central', 'c')}${number}-az${letter.charCodeAt(0) - 96}`;
}

function ruleMatchesPermission(rule: SecurityGroupRule, candidate: Omit<SecurityGroupRule, 'securityGroupRuleId'>) {
  return (
    rule.isEgress === candidate.isEgress &&
    rule.ipProtocol === candidate.ipProtocol &&
    rule.fromPort === candidate.fromPort &&
    rule.toPort === candidate.toPort &&
    rule.cidrIpv4 === candidate.cidrIpv4 &&
    rule.referencedGroupId === candidate.referencedGroupId
  );
}

export class NetworkWorld implements NetworkWorldPort {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly internetGateways = new Map<string, InternetGateway>();
  readonly elasticIps = new Map<string, ElasticIp>();
  readonly natGateways = new Map<string, NatGateway>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly networkAcls = new Map<string, NetworkAcl>();
  /** VPC endpoints (lab/world/network-endpoints.ts). */
  readonly vpcEndpoints = new Map<string, VpcEndpoint>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  readonly targets = new Map<string, TargetServer>();
  /** Keyed by lower-case host name. */
  readonly internetHosts = new Map<string, InternetHost>();
  /** "<kind>:<logical name>" → id, so scenarios and tests can address seed objects by name. */
  private readonly logicalIds = new Map<string, string>();
  private apiSequence = 0;

  constructor(readonly ctx: LabContext) {}

  // ── building ────────────────────────────────────────────────────────────────────────────────────────────

  static fromSpec(spec: NetworkSpec, ctx: LabContext): NetworkWorld {
    const world = new NetworkWorld(ctx);
    world.seed(spec);
    return world;
  }

  /** The id a seed object got, e.g. idOf('subnet', 'nat-subnet-1a'). */
  idOf(kind: string, name: string): string {
    const id = this.logicalIds.get(`${kind}:${name}`);
    if (!id) throw new NetworkSpecError(`no ${kind} named '${name}' in this network world`);
    return id;
  }

  private declare(kind: string, prefix: string, name: string): string {
    const key = `${kind}:${name}`;
    if (this.logicalIds.has(key)) throw new NetworkSpecError(`${kind} '${name}' is declared twice`);
    const id = stableId(prefix, key);
    this.logicalIds.set(key, id);
    return id;
  }

  /** API-created ids are deterministic too: the n-th object created through the API gets the same id. */
  private nextId(prefix: string): string {
    this.apiSequence += 1;
    return stableId(prefix, `api:${this.apiSequence}`);
  }

  private requireCidr(cidr: string, what: string): void {
    if (!isCidr(cidr)) throw new NetworkSpecError(`${what}: '${cidr}' is not an IPv4 CIDR block`);
  }

  private seed(spec: NetworkSpec): void {
    for (const vpcSpec of spec.vpcs) {
      this.requireCidr(vpcSpec.cidr, `vpc '${vpcSpec.name}'`);
      const vpcId = this.declare('vpc', 'vpc', vpcSpec.name);
      this.vpcs.set(vpcId, {
        vpcId,
        cidrBlock: vpcSpec.cidr,
        enableDnsSupport: vpcSpec.enableDnsSupport ?? true,
        enableDnsHostnames: vpcSpec.enableDnsHostnames ?? false,
        dhcpOptionsId: stableId('dopt', vpcSpec.name),
        cidrAssociationId: stableId('vpc-cidr-assoc', vpcSpec.name),
        tags: vpcSpec.tags ?? {},
      });
      // Every VPC comes with a default security group and a default (allow-all) network ACL.
      const defaultSg = stableId('sg', `default:${vpcSpec.name}`);
      this.securityGroups.set(defaultSg, {
        groupId: defaultSg,
        groupName: 'default',
        description: 'default VPC security group',
        vpcId,
        tags: {},
        rules: [
          this.seedRule(defaultSg, false, { ipProtocol: '-1', fromPort: -1, toPort: -1, referencedGroupId: defaultSg }),
          this.seedRule(defaultSg, true, { ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }),
        ],
      });
      const defaultAcl = stableId('acl', `default:${vpcSpec.name}`);
      this.networkAcls.set(defaultAcl, {
        networkAclId: defaultAcl,
        vpcId,
        isDefault: true,
        entries: sortNaclEntries([...allowAllNaclEntries(), ...defaultNaclEntries()]),
        associations: [],
        tags: {},
      });
    }
    for (const igw of spec.internetGateways ?? []) {
      const id = this.declare('internet-gateway', 'igw', igw.name);
      this.internetGateways.set(id, {
        internetGatewayId: id,
        ...(igw.vpc ? { attachedVpcId: this.idOf('vpc', igw.vpc) } : {}),
        tags: { Name: igw.name },
      });
    }
    for (const eip of spec.elasticIps ?? []) {
      if (!isIpv4(eip.publicIp)) throw new NetworkSpecError(`elastic IP '${eip.name}': bad address ${eip.publicIp}`);
      const id = this.declare('elastic-ip', 'eipalloc', eip.name);
      this.elasticIps.set(id, { allocationId: id, publicIp: eip.publicIp });
    }
    const ipOverrides = new Map<string, number>();
    for (const subnetSpec of spec.subnets) {
      this.requireCidr(subnetSpec.cidr, `subnet '${subnetSpec.name}'`);
      const vpc = this.vpcs.get(this.idOf('vpc', subnetSpec.vpc));
      if (!vpc || !cidrWithin(subnetSpec.cidr, vpc.cidrBlock)) {
        throw new NetworkSpecError(`subnet '${subnetSpec.name}' (${subnetSpec.cidr}) is not inside its VPC's CIDR`);
      }
      const subnetId = this.declare('subnet', 'subnet', subnetSpec.name);
      this.subnets.set(subnetId, {
        subnetId,
        vpcId: vpc.vpcId,
        cidrBlock: subnetSpec.cidr,
        availabilityZone: subnetSpec.availabilityZone,
        availabilityZoneId: subnetSpec.availabilityZoneId ?? zoneIdFor(subnetSpec.availabilityZone),
        externallyUsedIps: 0,
        tags: subnetSpec.tags ?? { Name: subnetSpec.name },
      });
      this.defaultAclOf(vpc.vpcId).associations.push({
        networkAclAssociationId: stableId('aclassoc', `default:${subnetSpec.name}`),
        subnetId,
      });
      if (subnetSpec.availableIpAddressCount !== undefined) {
        ipOverrides.set(subnetId, subnetSpec.availableIpAddressCount);
      }
    }
    this.seedSecurityGroups(spec);
    this.seedRouteTablesAndNat(spec);
    this.seedNetworkAcls(spec);
    for (const target of spec.targets ?? []) this.seedTarget(target);
    for (const host of [...DEFAULT_INTERNET_HOSTS, ...(spec.internetHosts ?? [])]) {
      this.internetHosts.set(host.hostName.toLowerCase(), {
        hostName: host.hostName.toLowerCase(),
        ip: host.ip,
        tcpPorts: host.tcpPorts ?? [80, 443],
        behavior: host.behavior ?? 'static',
        body: host.body ?? '',
      });
    }
    for (const [subnetId, available] of ipOverrides) this.setAvailableIpAddressCount(subnetId, available);
  }

  private seedRule(
    groupId: string,
    isEgress: boolean,
    rule: Omit<SecurityGroupRule, 'securityGroupRuleId' | 'groupId' | 'isEgress'>,
  ): SecurityGroupRule {
    const key = `${groupId}:${isEgress}:${rule.ipProtocol}:${rule.fromPort}:${rule.toPort}:${rule.cidrIpv4 ?? rule.referencedGroupId}`;
    return { securityGroupRuleId: stableId('sgr', key), groupId, isEgress, ...rule };
  }

  private ruleFromSpec(groupId: string, isEgress: boolean, spec: SecurityGroupRuleSpec, where: string) {
    if ((spec.cidr === undefined) === (spec.securityGroup === undefined)) {
      throw new NetworkSpecError(`${where}: give exactly one of cidr or securityGroup`);
    }
    if (spec.cidr !== undefined) this.requireCidr(spec.cidr, where);
    const allPorts = spec.protocol === '-1';
    return this.seedRule(groupId, isEgress, {
      ipProtocol: spec.protocol,
      fromPort: allPorts ? -1 : (spec.fromPort ?? -1),
      toPort: allPorts ? -1 : (spec.toPort ?? spec.fromPort ?? -1),
      ...(spec.cidr !== undefined ? { cidrIpv4: spec.cidr } : {}),
      ...(spec.securityGroup !== undefined
        ? { referencedGroupId: this.idOf('security-group', spec.securityGroup) }
        : {}),
      ...(spec.description !== undefined ? { description: spec.description } : {}),
    });
  }

  private seedSecurityGroups(spec: NetworkSpec): void {
    const groups = spec.securityGroups ?? [];
    // Two passes: rules may reference any group, declared before or after.
    for (const group of groups) {
      const groupId = this.declare('security-group', 'sg', group.name);
      this.securityGroups.set(groupId, {
        groupId,
        groupName: group.name,
        description: group.description ?? group.name,
        vpcId: this.idOf('vpc', group.vpc),
        tags: { Name: group.name },
        rules: [],
      });
    }
    for (const group of groups) {
      const sg = this.securityGroups.get(this.idOf('security-group', group.name));
      if (!sg) continue;
      const egress = group.egress ?? [{ protocol: '-1' as const, cidr: '0.0.0.0/0' }];
      sg.rules = [
        ...(group.ingress ?? []).map((rule, i) =>
          this.ruleFromSpec(sg.groupId, false, rule, `${group.name} ingress ${i}`),
        ),
        ...egress.map((rule, i) => this.ruleFromSpec(sg.groupId, true, rule, `${group.name} egress ${i}`)),
      ];
    }
  }

  private seedRouteTablesAndNat(spec: NetworkSpec): void {
    const tables = spec.routeTables ?? [];
    for (const vpcSpec of spec.vpcs) {
      if (tables.some((table) => table.vpc === vpcSpec.name && table.main)) continue;
      const vpcId = this.idOf('vpc', vpcSpec.name);
      const id = stableId('rtb', `main:${vpcSpec.name}`);
      this.routeTables.set(id, this.newRouteTable(id, vpcId, true, `main:${vpcSpec.name}`));
    }
    for (const table of tables) {
      const vpcId = this.idOf('vpc', table.vpc);
      const id = this.declare('route-table', 'rtb', table.name);
      const routeTable = this.newRouteTable(id, vpcId, table.main ?? false, table.name);
      routeTable.tags = { Name: table.name };
      for (const subnetName of table.subnets ?? []) {
        const subnetId = this.idOf('subnet', subnetName);
        if (this.explicitAssociation(subnetId)) {
          throw new NetworkSpecError(`subnet '${subnetName}' is associated with two route tables`);
        }
        routeTable.associations.push({
          associationId: stableId('rtbassoc', `${table.name}:${subnetName}`),
          main: false,
          subnetId,
        });
      }
      this.routeTables.set(id, routeTable);
    }
    for (const nat of spec.natGateways ?? []) {
      const natGatewayId = this.declare('nat-gateway', 'nat', nat.name);
      const eip = this.elasticIps.get(this.idOf('elastic-ip', nat.elasticIp));
      const mode = nat.availabilityMode ?? 'zonal';
      // Seeded gateways are long established; 'pending'/'deleting' seeds finish their transition on the clock.
      const now = this.ctx.clock.now();
      const created = new Date(now.getTime() - NAT_GATEWAY_TRANSITION_MS * 10);
      const gateway: NatGateway = {
        natGatewayId,
        vpcId: this.idOf('vpc', nat.vpc),
        availabilityMode: mode,
        connectivityType: 'public',
        createdAt: created,
        availableAt: nat.state === 'pending' ? new Date(now.getTime() + NAT_GATEWAY_TRANSITION_MS) : created,
        tags: { Name: nat.name },
        ...(eip ? { allocationId: eip.allocationId, publicIp: eip.publicIp } : {}),
      };
      if (nat.state === 'deleting') gateway.deleteRequestedAt = now;
      if (nat.state === 'deleted') gateway.deleteRequestedAt = created;
      if (mode === 'zonal') {
        if (!nat.subnet) throw new NetworkSpecError(`zonal NAT gateway '${nat.name}' needs a subnet`);
        const eni = this.attachNatInterface(gateway, this.idOf('subnet', nat.subnet), `nat:${nat.name}`);
        gateway.privateIp = eni.privateIpAddress;
      } else {
        if (!nat.routeTable) throw new NetworkSpecError(`regional NAT gateway '${nat.name}' needs a routeTable`);
        gateway.routeTableId = this.idOf('route-table', nat.routeTable);
      }
      if (eip) eip.associatedNatGatewayId = natGatewayId;
      this.natGateways.set(natGatewayId, gateway);
    }
    for (const table of tables) {
      const routeTable = this.routeTables.get(this.idOf('route-table', table.name));
      for (const route of table.routes ?? []) routeTable?.routes.push(this.routeFromSpec(route, table.name));
    }
  }

  private newRouteTable(id: string, vpcId: string, main: boolean, key: string): RouteTable {
    const vpc = this.vpcs.get(vpcId);
    return {
      routeTableId: id,
      vpcId,
      routes: [{ destinationCidrBlock: vpc?.cidrBlock ?? '', target: { kind: 'local' }, origin: 'CreateRouteTable' }],
      associations: main ? [{ associationId: stableId('rtbassoc', `main:${key}`), main: true }] : [],
      tags: {},
    };
  }

  private routeFromSpec(route: RouteSpec, tableName: string) {
    this.requireCidr(route.destination, `route table '${tableName}'`);
    const targets: RouteTarget[] = [];
    if (route.internetGateway) {
      targets.push({ kind: 'gateway', gatewayId: this.idOf('internet-gateway', route.internetGateway) });
    }
    if (route.natGateway)
      targets.push({ kind: 'nat-gateway', natGatewayId: this.idOf('nat-gateway', route.natGateway) });
    if (route.networkInterface) {
      targets.push({
        kind: 'network-interface',
        networkInterfaceId: this.idOf('network-interface', route.networkInterface),
      });
    }
    const [target, extra] = targets;
    if (!target || extra) {
      throw new NetworkSpecError(`route ${route.destination} in '${tableName}' needs exactly one target`);
    }
    return { destinationCidrBlock: route.destination, target, origin: 'CreateRoute' as const };
  }

  private seedNetworkAcls(spec: NetworkSpec): void {
    for (const acl of spec.networkAcls ?? []) {
      const networkAclId = this.declare('network-acl', 'acl', acl.name);
      const vpcId = this.idOf('vpc', acl.vpc);
      const entries = acl.entries.map((entry) => this.naclEntryFromSpec(entry, acl.name));
      const associations = acl.subnets.map((subnetName) => {
        const subnetId = this.idOf('subnet', subnetName);
        // A subnet belongs to exactly one NACL: move it off the default one.
        const previous = this.networkAclOfSubnet(subnetId);
        if (previous && !previous.isDefault) {
          throw new NetworkSpecError(`subnet '${subnetName}' is associated with two network ACLs`);
        }
        if (previous) previous.associations = previous.associations.filter((a) => a.subnetId !== subnetId);
        return { networkAclAssociationId: stableId('aclassoc', `${acl.name}:${subnetName}`), subnetId };
      });
      this.networkAcls.set(networkAclId, {
        networkAclId,
        vpcId,
        isDefault: false,
        entries: sortNaclEntries([...entries, ...defaultNaclEntries()]),
        associations,
        tags: { Name: acl.name },
      });
    }
  }

  private naclEntryFromSpec(entry: NetworkAclEntrySpec, aclName: string): NetworkAclEntry {
    this.requireCidr(entry.cidr, `network ACL '${aclName}' rule ${entry.ruleNumber}`);
    const protocol = normalizeNaclProtocol(entry.protocol);
    const hasPorts = protocol === '6' || protocol === '17';
    return {
      ruleNumber: entry.ruleNumber,
      egress: entry.egress,
      protocol,
      ruleAction: entry.action,
      cidrBlock: entry.cidr,
      ...(hasPorts ? { portRange: { from: entry.fromPort ?? 0, to: entry.toPort ?? entry.fromPort ?? 65535 } } : {}),
      ...(protocol === '1' ? { icmpTypeCode: { type: -1, code: -1 } } : {}),
    };
  }

  private seedTarget(spec: NonNullable<NetworkSpec['targets']>[number]): void {
    const subnetId = this.idOf('subnet', spec.subnet);
    const instanceId = this.declare('instance', 'i', spec.name);
    const networkInterfaceId = this.declare('network-interface', 'eni', spec.name);
    const ip = this.allocateIp(subnetId, spec.privateIp);
    if (!ip.ok) throw new NetworkSpecError(`target '${spec.name}': ${ip.message}`);
    const subnet = this.subnets.get(subnetId) as Subnet;
    this.networkInterfaces.set(networkInterfaceId, {
      networkInterfaceId,
      subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      availabilityZoneId: subnet.availabilityZoneId,
      privateIpAddress: ip.address,
      securityGroupIds: spec.securityGroups.map((name) => this.idOf('security-group', name)),
      tags: {},
      description: '',
      interfaceType: 'interface',
      requesterManaged: false,
      status: 'in-use',
      macAddress: macAddressFor(networkInterfaceId),
      attachedInstanceId: instanceId,
    });
    const privateDnsName = privateDnsNameOf(ip.address, this.ctx.region);
    this.targets.set(spec.name, {
      name: spec.name,
      instanceId,
      networkInterfaceId,
      hostname: privateDnsName.split('.')[0] ?? privateDnsName,
      privateDnsName,
      tcpPorts: spec.tcpPorts,
      udpPorts: spec.udpPorts ?? [],
      responseFields: spec.responseFields ?? {},
    });
  }

  private attachNatInterface(nat: NatGateway, subnetId: string, key: string): NetworkInterface {
    const subnet = this.subnets.get(subnetId);
    const ip = this.allocateIp(subnetId);
    if (!subnet || !ip.ok) throw new NetworkSpecError(`NAT gateway ${nat.natGatewayId}: no address in ${subnetId}`);
    const networkInterfaceId = stableId('eni', key);
    const eni: NetworkInterface = {
      networkInterfaceId,
      subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      availabilityZoneId: subnet.availabilityZoneId,
      privateIpAddress: ip.address,
      securityGroupIds: [],
      tags: {},
      description: `Interface for NAT Gateway ${nat.natGatewayId}`,
      interfaceType: 'nat_gateway',
      requesterManaged: true,
      requesterId: 'amazon-elb',
      status: 'in-use',
      macAddress: macAddressFor(networkInterfaceId),
    };
    this.networkInterfaces.set(networkInterfaceId, eni);
    nat.subnetId = subnetId;
    nat.networkInterfaceId = networkInterfaceId;
    return eni;
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────────────────

  natState(nat: NatGateway): NatGatewayState {
    const now = this.ctx.clock.now().getTime();
    if (nat.deleteRequestedAt) {
      return now >= nat.deleteRequestedAt.getTime() + NAT_GATEWAY_TRANSITION_MS ? 'deleted' : 'deleting';
    }
    return now >= nat.availableAt.getTime() ? 'available' : 'pending';
  }

  natStateById(natGatewayId: string): NatGatewayState {
    const nat = this.natGateways.get(natGatewayId);
    return nat ? this.natState(nat) : 'deleted';
  }

  mainRouteTable(vpcId: string): RouteTable | undefined {
    return [...this.routeTables.values()].find(
      (table) => table.vpcId === vpcId && table.associations.some((a) => a.main),
    );
  }

  private explicitAssociation(subnetId: string): RouteTable | undefined {
    return [...this.routeTables.values()].find((table) => table.associations.some((a) => a.subnetId === subnetId));
  }

  /** The table that routes a subnet: its explicit association, else its VPC's main table. */
  routeTableOfSubnet(subnetId: string): RouteTable | undefined {
    const subnet = this.subnets.get(subnetId);
    return subnet ? (this.explicitAssociation(subnetId) ?? this.mainRouteTable(subnet.vpcId)) : undefined;
  }

  networkAclOfSubnet(subnetId: string): NetworkAcl | undefined {
    return [...this.networkAcls.values()].find((acl) => acl.associations.some((a) => a.subnetId === subnetId));
  }

  private defaultAclOf(vpcId: string): NetworkAcl {
    const acl = [...this.networkAcls.values()].find((candidate) => candidate.vpcId === vpcId && candidate.isDefault);
    if (!acl) throw new Error(`VPC ${vpcId} has no default network ACL`);
    return acl;
  }

  groupName(groupId: string): string {
    return this.securityGroups.get(groupId)?.groupName ?? groupId;
  }

  networkInterfaceByIp(vpcId: string, ip: string): NetworkInterface | undefined {
    return [...this.networkInterfaces.values()].find((eni) => eni.vpcId === vpcId && eni.privateIpAddress === ip);
  }

  targetOfInterface(networkInterfaceId: string): TargetServer | undefined {
    return [...this.targets.values()].find((target) => target.networkInterfaceId === networkInterfaceId);
  }

  vpcOfSubnet(subnetId: string): string | undefined {
    return this.subnets.get(subnetId)?.vpcId;
  }

  freeIpCount(subnetId: string): number {
    const subnet = this.subnets.get(subnetId);
    if (!subnet) return 0;
    const used = [...this.networkInterfaces.values()].filter((eni) => eni.subnetId === subnetId).length;
    return Math.max(0, cidrSize(subnet.cidrBlock) - RESERVED_PER_SUBNET - used - subnet.externallyUsedIps);
  }

  /** Scenario step (not an API call): addresses consumed by things outside the lab, e.g. "subnet exhausted". */
  setAvailableIpAddressCount(subnetId: string, available: number): void {
    const subnet = this.subnets.get(subnetId);
    if (!subnet) throw new NetworkSpecError(`unknown subnet ${subnetId}`);
    subnet.externallyUsedIps = 0;
    subnet.externallyUsedIps = Math.max(0, this.freeIpCount(subnetId) - available);
  }

  private allocateIp(
    subnetId: string,
    requested?: string,
  ): { ok: true; address: string } | { ok: false; code: string; message: string } {
    const subnet = this.subnets.get(subnetId);
    if (!subnet)
      return { ok: false, code: 'InvalidSubnetID.NotFound', message: `The subnet ID '${subnetId}' does not exist` };
    const taken = new Set(
      [...this.networkInterfaces.values()]
        .filter((eni) => eni.subnetId === subnetId)
        .map((eni) => eni.privateIpAddress),
    );
    const size = cidrSize(subnet.cidrBlock);
    if (requested !== undefined) {
      const offset = ipOffsetInCidr(subnet.cidrBlock, requested);
      if (offset < FIRST_USABLE_OFFSET || offset >= size - 1) {
        return {
          ok: false,
          code: 'InvalidParameterValue',
          message: `Address ${requested} does not fall within the subnet's usable address range`,
        };
      }
      if (taken.has(requested)) {
        return { ok: false, code: 'InvalidIPAddress.InUse', message: `The specified address is already in use.` };
      }
      return { ok: true, address: requested };
    }
    if (this.freeIpCount(subnetId) <= 0) {
      return {
        ok: false,
        code: 'InsufficientFreeAddressesInSubnet',
        message: `The specified subnet ${subnetId} has insufficient free addresses to satisfy the request.`,
      };
    }
    for (let offset = FIRST_USABLE_OFFSET; offset < size - 1; offset++) {
      const address = cidrHost(subnet.cidrBlock, offset);
      if (!taken.has(address)) return { ok: true, address };
    }
    return {
      ok: false,
      code: 'InsufficientFreeAddressesInSubnet',
      message: `The specified subnet ${subnetId} has insufficient free addresses to satisfy the request.`,
    };
  }

  validateConnectorPlacement(
    subnetIds: string[],
    securityGroupIds: string[],
  ): 'InvalidSubnet' | 'InvalidSecurityGroup' | null {
    if (subnetIds.length === 0 || subnetIds.some((id) => !this.subnets.has(id))) return 'InvalidSubnet';
    const vpcIds = new Set(subnetIds.map((id) => this.subnets.get(id)?.vpcId));
    if (vpcIds.size !== 1) return 'InvalidSubnet';
    const groupsOk = securityGroupIds.every((id) => vpcIds.has(this.securityGroups.get(id)?.vpcId));
    return groupsOk ? null : 'InvalidSecurityGroup';
  }

  evaluateEgress(source: EgressSource, destination: EgressDestination): EgressOutcome {
    return evaluateEgress(this, source, destination);
  }

  // ── security-group mutations ────────────────────────────────────────────────────────────────────────────

  private permissionRules(
    group: SecurityGroup,
    isEgress: boolean,
    permissions: IpPermissionInput[],
  ): { rules: Omit<SecurityGroupRule, 'securityGroupRuleId'>[] } | { code: string; message: string } {
    const rules: Omit<SecurityGroupRule, 'securityGroupRuleId'>[] = [];
    for (const permission of permissions) {
      const ipProtocol = normalizeSgProtocol(permission.ipProtocol);
      if (!['-1', 'tcp', 'udp', 'icmp'].includes(ipProtocol) && !/^\d+$/.test(ipProtocol)) {
        return { code: 'InvalidParameterValue', message: `Invalid value '${permission.ipProtocol}' for IP protocol.` };
      }
      const allPorts = ipProtocol === '-1';
      const fromPort = allPorts ? -1 : (permission.fromPort ?? -1);
      const toPort = allPorts ? -1 : (permission.toPort ?? -1);
      if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (fromPort < 0 || toPort > 65535 || fromPort > toPort)) {
        return { code: 'InvalidParameterValue', message: `Invalid port range ${fromPort}-${toPort}` };
      }
      const base = { groupId: group.groupId, isEgress, ipProtocol, fromPort, toPort };
      for (const range of permission.ipRanges) {
        if (!isCidr(range.cidrIp)) {
          return { code: 'InvalidParameterValue', message: `CIDR block ${range.cidrIp} is malformed` };
        }
        rules.push({
          ...base,
          cidrIpv4: range.cidrIp,
          ...(range.description ? { description: range.description } : {}),
        });
      }
      for (const pair of permission.groups) {
        if (!this.securityGroups.has(pair.groupId)) {
          return { code: 'InvalidGroup.NotFound', message: `The security group '${pair.groupId}' does not exist` };
        }
        rules.push({
          ...base,
          referencedGroupId: pair.groupId,
          ...(pair.description ? { description: pair.description } : {}),
        });
      }
    }
    if (rules.length === 0) {
      return { code: 'MissingParameter', message: 'The request must contain the parameter ipPermissions' };
    }
    return { rules };
  }

  authorizeSecurityGroupRules(
    input: { groupId: string; egress: boolean; ipPermissions: IpPermissionInput[]; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<SecurityGroupRule[]> {
    const call = this.begin(
      input.egress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress',
      options,
      { groupId: input.groupId, ipPermissions: ipPermissionsParameter(input.ipPermissions) },
      input.dryRun,
    );
    const group = this.securityGroups.get(input.groupId);
    if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
    const parsed = this.permissionRules(group, input.egress, input.ipPermissions);
    if ('code' in parsed) return call.fail(parsed.code, parsed.message);
    const duplicate = parsed.rules.find((candidate) =>
      group.rules.some((rule) => ruleMatchesPermission(rule, candidate)),
    );
    if (duplicate) {
      const peer = duplicate.cidrIpv4 ?? duplicate.referencedGroupId;
      return call.fail(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${peer}, ${duplicate.ipProtocol.toUpperCase()}, from port: ${duplicate.fromPort}, to port: ${duplicate.toPort}, ALLOW" already exists`,
      );
    }
    if (input.dryRun) return call.dryRun();
    const added = parsed.rules.map((rule) => ({ securityGroupRuleId: this.nextId('sgr'), ...rule }));
    group.rules.push(...added);
    return call.succeed(added, {
      _return: true,
      securityGroupRuleSet: added.map((rule) => securityGroupRuleShape(rule, this.ctx.account, group.vpcId)),
    });
  }

  revokeSecurityGroupRules(
    input: {
      groupId: string;
      egress: boolean;
      ipPermissions?: IpPermissionInput[];
      securityGroupRuleIds?: string[];
      dryRun?: boolean;
    },
    options: Ec2CallOptions,
  ): Ec2Result<SecurityGroupRule[]> {
    const parameters: Record<string, unknown> = { groupId: input.groupId };
    if (input.ipPermissions?.length) parameters.ipPermissions = ipPermissionsParameter(input.ipPermissions);
    if (input.securityGroupRuleIds?.length) {
      parameters.securityGroupRuleIdSet = itemSet(
        input.securityGroupRuleIds.map((id) => ({ securityGroupRuleId: id })),
      );
    }
    const call = this.begin(
      input.egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress',
      options,
      parameters,
      input.dryRun,
    );
    const group = this.securityGroups.get(input.groupId);
    if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
    let revoked: SecurityGroupRule[];
    if (input.securityGroupRuleIds?.length) {
      revoked = [];
      for (const ruleId of input.securityGroupRuleIds) {
        const rule = group.rules.find((r) => r.securityGroupRuleId === ruleId && r.isEgress === input.egress);
        if (!rule) {
          return call.fail(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${ruleId}' does not exist`,
          );
        }
        revoked.push(rule);
      }
    } else {
      const parsed = this.permissionRules(group, input.egress, input.ipPermissions ?? []);
      if ('code' in parsed) return call.fail(parsed.code, parsed.message);
      revoked = [];
      for (const candidate of parsed.rules) {
        const rule = group.rules.find((r) => ruleMatchesPermission(r, candidate));
        if (!rule) {
          return call.fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
        }
        revoked.push(rule);
      }
    }
    if (input.dryRun) return call.dryRun();
    group.rules = group.rules.filter((rule) => !revoked.includes(rule));
    return call.succeed(revoked, { _return: true, revokedSecurityGroupRuleSet: revoked.map(revokedRuleShape) });
  }

  modifySecurityGroupRules(
    input: { groupId: string; updates: SecurityGroupRuleUpdate[]; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    const pascalRule = (update: SecurityGroupRuleUpdate) => ({
      SecurityGroupRuleId: update.securityGroupRuleId,
      SecurityGroupRule: {
        IpProtocol: update.rule.ipProtocol,
        FromPort: update.rule.fromPort,
        ToPort: update.rule.toPort,
        ...(update.rule.cidrIpv4 ? { CidrIpv4: update.rule.cidrIpv4 } : {}),
        ...(update.rule.referencedGroupId ? { ReferencedGroupId: update.rule.referencedGroupId } : {}),
        ...(update.rule.description !== undefined ? { Description: update.rule.description } : {}),
      },
    });
    const [single] = input.updates;
    const call = this.begin(
      'ModifySecurityGroupRules',
      options,
      {
        ModifySecurityGroupRulesRequest: {
          GroupId: input.groupId,
          SecurityGroupRule: input.updates.length === 1 && single ? pascalRule(single) : input.updates.map(pascalRule),
          ...(input.dryRun ? { DryRun: true } : {}),
        },
      },
      // The PascalCase wrapper carries DryRun itself.
      false,
    );
    const group = this.securityGroups.get(input.groupId);
    if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
    const replacements: [SecurityGroupRule, SecurityGroupRule][] = [];
    for (const update of input.updates) {
      const rule = group.rules.find((r) => r.securityGroupRuleId === update.securityGroupRuleId);
      if (!rule) {
        return call.fail(
          'InvalidSecurityGroupRuleId.NotFound',
          `The security group rule ID '${update.securityGroupRuleId}' does not exist`,
        );
      }
      const permission: IpPermissionInput = {
        ipProtocol: update.rule.ipProtocol,
        ...(update.rule.fromPort !== undefined ? { fromPort: update.rule.fromPort } : {}),
        ...(update.rule.toPort !== undefined ? { toPort: update.rule.toPort } : {}),
        ipRanges: update.rule.cidrIpv4 ? [{ cidrIp: update.rule.cidrIpv4 }] : [],
        groups: update.rule.referencedGroupId ? [{ groupId: update.rule.referencedGroupId }] : [],
      };
      const parsed = this.permissionRules(group, rule.isEgress, [permission]);
      if ('code' in parsed) return call.fail(parsed.code, parsed.message);
      const [next] = parsed.rules;
      if (!next) return call.fail('MissingParameter', 'The request must contain a rule');
      replacements.push([
        rule,
        {
          ...next,
          securityGroupRuleId: rule.securityGroupRuleId,
          ...(update.rule.description !== undefined ? { description: update.rule.description } : {}),
        },
      ]);
    }
    if (input.dryRun) return call.dryRun();
    for (const [old, next] of replacements) group.rules[group.rules.indexOf(old)] = next;
    return call.succeedRaw(true, {
      ModifySecurityGroupRulesResponse: { return: true, requestId: call.requestId },
    });
  }

  // ── route mutations ─────────────────────────────────────────────────────────────────────────────────────

  private resolveRouteTarget(
    target: RouteTargetInput,
    vpcId: string,
  ): { target: RouteTarget } | { code: string; message: string } {
    const given = Object.entries(target).filter(([, value]) => value !== undefined && value !== false);
    if (given.length !== 1) {
      return {
        code: 'InvalidParameterCombination',
        message: 'The parameter combination is not valid: specify exactly one route target',
      };
    }
    if (target.localTarget || target.gatewayId === 'local') return { target: { kind: 'local' } };
    if (target.gatewayId) {
      const igw = this.internetGateways.get(target.gatewayId);
      if (!igw) {
        return {
          code: 'InvalidInternetGatewayID.NotFound',
          message: `The internet gateway ID '${target.gatewayId}' does not exist`,
        };
      }
      if (igw.attachedVpcId !== vpcId) {
        return {
          code: 'InvalidParameterValue',
          message: `route table and network gateway ${target.gatewayId} belong to different networks`,
        };
      }
      return { target: { kind: 'gateway', gatewayId: igw.internetGatewayId } };
    }
    if (target.natGatewayId) {
      const nat = this.natGateways.get(target.natGatewayId);
      if (!nat || this.natState(nat) === 'deleted') {
        return { code: 'NatGatewayNotFound', message: `The natGateway ID '${target.natGatewayId}' does not exist` };
      }
      return { target: { kind: 'nat-gateway', natGatewayId: nat.natGatewayId } };
    }
    if (target.networkInterfaceId) {
      if (!this.networkInterfaces.has(target.networkInterfaceId)) {
        return {
          code: 'InvalidNetworkInterfaceID.NotFound',
          message: `The networkInterface ID '${target.networkInterfaceId}' does not exist`,
        };
      }
      return { target: { kind: 'network-interface', networkInterfaceId: target.networkInterfaceId } };
    }
    const [name, value] = given[0] ?? ['target', ''];
    const kind = name.replace(/Id$/, '');
    return {
      code: `Invalid${kind[0]?.toUpperCase()}${kind.slice(1)}ID.NotFound`,
      message: `The ${kind} ID '${String(value)}' does not exist`,
    };
  }

  private routeCall(eventName: string, input: RouteInput, options: Ec2CallOptions) {
    const call = this.begin(
      eventName,
      options,
      { routeTableId: input.routeTableId, destinationCidrBlock: input.destinationCidrBlock, ...input.target },
      input.dryRun,
    );
    const table = this.routeTables.get(input.routeTableId);
    if (!table) {
      return {
        call,
        error: call.fail<true>(
          'InvalidRouteTableID.NotFound',
          `The routeTable ID '${input.routeTableId}' does not exist`,
        ),
      };
    }
    if (!isCidr(input.destinationCidrBlock)) {
      return {
        call,
        error: call.fail<true>(
          'InvalidParameterValue',
          `Value (${input.destinationCidrBlock}) for parameter destinationCidrBlock is invalid.`,
        ),
      };
    }
    return { call, table };
  }

  createRoute(input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
    const { call, table, error } = this.routeCall('CreateRoute', input, options);
    if (!table) return error;
    const resolved = this.resolveRouteTarget(input.target, table.vpcId);
    if ('code' in resolved) return call.fail(resolved.code, resolved.message);
    if (table.routes.some((route) => route.destinationCidrBlock === input.destinationCidrBlock)) {
      return call.fail('RouteAlreadyExists', `The route identified by ${input.destinationCidrBlock} already exists.`);
    }
    if (input.dryRun) return call.dryRun();
    table.routes.push({
      destinationCidrBlock: input.destinationCidrBlock,
      target: resolved.target,
      origin: 'CreateRoute',
    });
    return call.succeed(true, { _return: true });
  }

  replaceRoute(input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
    const { call, table, error } = this.routeCall('ReplaceRoute', input, options);
    if (!table) return error;
    const resolved = this.resolveRouteTarget(input.target, table.vpcId);
    if ('code' in resolved) return call.fail(resolved.code, resolved.message);
    const route = table.routes.find((r) => r.destinationCidrBlock === input.destinationCidrBlock);
    if (!route) {
      return call.fail(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${input.destinationCidrBlock} in route table ${table.routeTableId}`,
      );
    }
    if (input.dryRun) return call.dryRun();
    route.target = resolved.target;
    return call.succeed(true, { _return: true });
  }

  deleteRoute(
    input: { routeTableId: string; destinationCidrBlock: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    const { call, table, error } = this.routeCall('DeleteRoute', { ...input, target: {} }, options);
    if (!table) return error;
    const route = table.routes.find((r) => r.destinationCidrBlock === input.destinationCidrBlock);
    if (!route) {
      return call.fail(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${input.destinationCidrBlock} in route table ${table.routeTableId}`,
      );
    }
    if (route.target.kind === 'local') {
      return call.fail('InvalidParameterValue', `cannot remove local route ${input.destinationCidrBlock}`);
    }
    if (input.dryRun) return call.dryRun();
    table.routes = table.routes.filter((r) => r !== route);
    return call.succeed(true, { _return: true });
  }

  replaceRouteTableAssociation(
    input: { associationId: string; routeTableId: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<string> {
    const call = this.begin(
      'ReplaceRouteTableAssociation',
      options,
      { associationId: input.associationId, routeTableId: input.routeTableId },
      input.dryRun,
    );
    const current = [...this.routeTables.values()].find((table) =>
      table.associations.some((a) => a.associationId === input.associationId),
    );
    const association = current?.associations.find((a) => a.associationId === input.associationId);
    if (!current || !association) {
      return call.fail('InvalidAssociationID.NotFound', `The association ID '${input.associationId}' does not exist`);
    }
    const next = this.routeTables.get(input.routeTableId);
    if (!next)
      return call.fail('InvalidRouteTableID.NotFound', `The routeTable ID '${input.routeTableId}' does not exist`);
    if (next.vpcId !== current.vpcId) {
      return call.fail('InvalidParameterValue', `route table ${input.routeTableId} belongs to a different VPC`);
    }
    if (input.dryRun) return call.dryRun();
    const newAssociationId = this.nextId('rtbassoc');
    current.associations = current.associations.filter((a) => a !== association);
    next.associations.push({
      associationId: newAssociationId,
      main: association.main,
      ...(association.subnetId ? { subnetId: association.subnetId } : {}),
    });
    return call.succeed(newAssociationId, { newAssociationId, associationState: { state: 'associated' } });
  }

  // ── NAT gateway mutations ───────────────────────────────────────────────────────────────────────────────

  createNatGateway(input: CreateNatGatewayInput, options: Ec2CallOptions): Ec2Result<NatGateway> {
    const mode = input.availabilityMode ?? 'zonal';
    const call = this.begin(
      'CreateNatGateway',
      options,
      {
        CreateNatGatewayRequest: {
          ...(input.subnetId ? { SubnetId: input.subnetId } : {}),
          ...(input.vpcId ? { VpcId: input.vpcId } : {}),
          ...(input.allocationId ? { AllocationId: input.allocationId } : {}),
          AvailabilityMode: mode,
          ConnectivityType: input.connectivityType ?? 'public',
          ...(input.clientToken ? { ClientToken: input.clientToken } : {}),
          ...(input.dryRun ? { DryRun: true } : {}),
        },
      },
      false,
    );
    const subnet = input.subnetId ? this.subnets.get(input.subnetId) : undefined;
    if (input.subnetId && !subnet) {
      return call.fail('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId}' does not exist`);
    }
    const vpcId = subnet?.vpcId ?? input.vpcId;
    if (!vpcId || !this.vpcs.has(vpcId)) {
      return vpcId
        ? call.fail('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`)
        : call.fail('MissingParameter', 'The request must contain the parameter SubnetId');
    }
    if (mode === 'zonal' && !subnet)
      return call.fail('MissingParameter', 'The request must contain the parameter SubnetId');
    const eip = input.allocationId ? this.elasticIps.get(input.allocationId) : undefined;
    const connectivityType = input.connectivityType ?? 'public';
    if (connectivityType === 'public') {
      if (!eip) {
        return call.fail(
          'InvalidAllocationID.NotFound',
          `The allocation ID '${input.allocationId ?? ''}' does not exist`,
        );
      }
      const holder = eip.associatedNatGatewayId ? this.natGateways.get(eip.associatedNatGatewayId) : undefined;
      if (holder && this.natState(holder) !== 'deleted') {
        return call.fail('Resource.AlreadyAssociated', `Elastic IP address ${eip.allocationId} is already associated`);
      }
      const igw = [...this.internetGateways.values()].find((gateway) => gateway.attachedVpcId === vpcId);
      if (!igw) return call.fail('Gateway.NotAttached', `Network ${vpcId} has no Internet gateway attached`);
    }
    if (subnet && this.freeIpCount(subnet.subnetId) <= 0) {
      return call.fail(
        'InsufficientFreeAddressesInSubnet',
        'Subnet has insufficient free addresses to create this NAT gateway',
      );
    }
    if (input.dryRun) return call.dryRun();
    const now = this.ctx.clock.now();
    const natGatewayId = this.nextId('nat');
    const nat: NatGateway = {
      natGatewayId,
      vpcId,
      availabilityMode: mode,
      connectivityType,
      createdAt: now,
      availableAt: new Date(now.getTime() + NAT_GATEWAY_TRANSITION_MS),
      tags: input.tags ?? {},
      ...(eip ? { allocationId: eip.allocationId, publicIp: eip.publicIp } : {}),
    };
    if (subnet)
      nat.privateIp = this.attachNatInterface(nat, subnet.subnetId, `api-nat:${natGatewayId}`).privateIpAddress;
    else nat.routeTableId = this.createNatRouteTable(vpcId, natGatewayId);
    if (eip) eip.associatedNatGatewayId = natGatewayId;
    this.natGateways.set(natGatewayId, nat);
    return call.succeedRaw(nat, {
      CreateNatGatewayResponse: {
        ...(input.clientToken ? { clientToken: input.clientToken } : {}),
        natGateway: cloudTrailJson(natGatewayShape(nat, 'pending')),
        requestId: call.requestId,
        xmlns: EC2_XMLNS,
      },
    });
  }

  /** A regional NAT gateway gets its own route table with the default route to the VPC's internet gateway. */
  private createNatRouteTable(vpcId: string, natGatewayId: string): string {
    const id = this.nextId('rtb');
    const table = this.newRouteTable(id, vpcId, false, natGatewayId);
    const igw = [...this.internetGateways.values()].find((gateway) => gateway.attachedVpcId === vpcId);
    if (igw) {
      table.routes.push({
        destinationCidrBlock: '0.0.0.0/0',
        target: { kind: 'gateway', gatewayId: igw.internetGatewayId },
        origin: 'CreateRouteTable',
      });
    }
    this.routeTables.set(id, table);
    return id;
  }

  deleteNatGateway(input: { natGatewayId: string; dryRun?: boolean }, options: Ec2CallOptions): Ec2Result<NatGateway> {
    // CloudTrail logs this newer API with PascalCase request/response wrappers (EC2 API model ec2/2016-11-15).
    const call = this.begin(
      'DeleteNatGateway',
      options,
      { DeleteNatGatewayRequest: { NatGatewayId: input.natGatewayId, ...(input.dryRun ? { DryRun: true } : {}) } },
      false,
    );
    const nat = this.natGateways.get(input.natGatewayId);
    if (!nat || this.natState(nat) === 'deleted') {
      return call.fail('NatGatewayNotFound', `The Nat Gateway ${input.natGatewayId} was not found`);
    }
    if (input.dryRun) return call.dryRun();
    if (!nat.deleteRequestedAt) nat.deleteRequestedAt = this.ctx.clock.now();
    // Its managed interface goes with it; the EIP becomes free again.
    if (nat.networkInterfaceId) this.networkInterfaces.delete(nat.networkInterfaceId);
    return call.succeedRaw(nat, {
      DeleteNatGatewayResponse: {
        natGatewayId: nat.natGatewayId,
        requestId: call.requestId,
        xmlns: EC2_XMLNS,
      },
    });
  }

  // ── network ACL mutations ───────────────────────────────────────────────────────────────────────────────

  private naclParameters(input: NetworkAclEntryInput): Record<string, unknown> {
    return {
      networkAclId: input.networkAclId,
      ruleNumber: input.ruleNumber,
      egress: input.egress,
      ruleAction: input.ruleAction,
      protocol: input.protocol,
      cidrBlock: input.cidrBlock,
      ...(input.portRange ? { portRange: input.portRange } : {}),
      ...(input.icmpTypeCode ? { icmpTypeCode: input.icmpTypeCode } : {}),
    };
  }

  private validateNaclEntry(input: NetworkAclEntryInput): { code: string; message: string } | NetworkAclEntry {
    if (!Number.isInteger(input.ruleNumber) || input.ruleNumber < 1 || input.ruleNumber > 32766) {
      return { code: 'InvalidParameterValue', message: `Invalid rule number ${input.ruleNumber}` };
    }
    if (!isCidr(input.cidrBlock)) return { code: 'InvalidParameterValue', message: `Invalid CIDR ${input.cidrBlock}` };
    if (input.ruleAction !== 'allow' && input.ruleAction !== 'deny') {
      return { code: 'InvalidParameterValue', message: `Invalid rule action ${String(input.ruleAction)}` };
    }
    const protocol = normalizeNaclProtocol(input.protocol);
    if ((protocol === '6' || protocol === '17') && !input.portRange) {
      return { code: 'MissingParameter', message: 'The request must contain the parameter portRange' };
    }
    return {
      ruleNumber: input.ruleNumber,
      egress: input.egress,
      protocol,
      ruleAction: input.ruleAction,
      cidrBlock: input.cidrBlock,
      ...((protocol === '6' || protocol === '17') && input.portRange ? { portRange: input.portRange } : {}),
      ...(protocol === '1' ? { icmpTypeCode: input.icmpTypeCode ?? { type: -1, code: -1 } } : {}),
    };
  }

  putNetworkAclEntry(input: NetworkAclEntryInput, replace: boolean, options: Ec2CallOptions): Ec2Result<true> {
    const call = this.begin(
      replace ? 'ReplaceNetworkAclEntry' : 'CreateNetworkAclEntry',
      options,
      this.naclParameters(input),
      input.dryRun,
    );
    const acl = this.networkAcls.get(input.networkAclId);
    if (!acl)
      return call.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.networkAclId}' does not exist`);
    const entry = this.validateNaclEntry(input);
    if ('code' in entry) return call.fail(entry.code, entry.message);
    const existing = acl.entries.find((e) => e.ruleNumber === input.ruleNumber && e.egress === input.egress);
    if (replace && !existing) {
      return call.fail(
        'InvalidNetworkAclEntry.NotFound',
        `The network ACL entry identified by ${input.ruleNumber} does not exist.`,
      );
    }
    if (!replace && existing) {
      return call.fail(
        'NetworkAclEntryAlreadyExists',
        `The network entry identified by ${input.ruleNumber} already exists.`,
      );
    }
    if (input.dryRun) return call.dryRun();
    acl.entries = sortNaclEntries([...acl.entries.filter((e) => e !== existing), entry]);
    return call.succeed(true, { _return: true });
  }

  deleteNetworkAclEntry(
    input: { networkAclId: string; ruleNumber: number; egress: boolean; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    const call = this.begin(
      'DeleteNetworkAclEntry',
      options,
      { networkAclId: input.networkAclId, ruleNumber: input.ruleNumber, egress: input.egress },
      input.dryRun,
    );
    const acl = this.networkAcls.get(input.networkAclId);
    if (!acl)
      return call.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.networkAclId}' does not exist`);
    const existing = acl.entries.find((e) => e.ruleNumber === input.ruleNumber && e.egress === input.egress);
    if (!existing || existing.ruleNumber === 32767) {
      return call.fail(
        'InvalidNetworkAclEntry.NotFound',
        `The network ACL entry identified by ${input.ruleNumber} does not exist.`,
      );
    }
    if (input.dryRun) return call.dryRun();
    acl.entries = acl.entries.filter((e) => e !== existing);
    return call.succeed(true, { _return: true });
  }

  // ── network interface mutations ─────────────────────────────────────────────────────────────────────────

  createNetworkInterfaceCall(
    input: CreateEniInput & { privateIpAddress?: string },
    options: Ec2CallOptions,
  ): Ec2Result<NetworkInterface> {
    const tagEntries = Object.entries(input.tags);
    const call = this.begin(
      'CreateNetworkInterface',
      options,
      {
        subnetId: input.subnetId,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.privateIpAddress ? { privateIpAddress: input.privateIpAddress } : {}),
        groupSet: itemSet(input.securityGroupIds.map((groupId) => ({ groupId }))),
        privateIpAddressesSet: {},
        ...(input.interfaceType ? { interfaceType: input.interfaceType } : {}),
        ...(tagEntries.length
          ? {
              tagSpecificationSet: itemSet([
                { resourceType: 'network-interface', tags: tagEntries.map(([key, value]) => ({ key, value })) },
              ]),
            }
          : {}),
        ...(input.operatorPrincipal ? { operator: { principal: input.operatorPrincipal } } : {}),
      },
      input.dryRun,
    );
    const subnet = this.subnets.get(input.subnetId);
    if (!subnet) return call.fail('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId}' does not exist`);
    const missingGroup = input.securityGroupIds.find((id) => this.securityGroups.get(id)?.vpcId !== subnet.vpcId);
    if (missingGroup) {
      return this.securityGroups.has(missingGroup)
        ? call.fail(
            'InvalidParameter',
            `Security group ${missingGroup} and subnet ${input.subnetId} belong to different networks.`,
          )
        : call.fail('InvalidGroup.NotFound', `The security group '${missingGroup}' does not exist`);
    }
    const ip = this.allocateIp(input.subnetId, input.privateIpAddress);
    if (!ip.ok) return call.fail(ip.code, ip.message);
    if (input.dryRun) return call.dryRun();
    const networkInterfaceId = this.nextId('eni');
    const managed = input.operatorPrincipal !== undefined;
    const eni: NetworkInterface = {
      networkInterfaceId,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      availabilityZoneId: subnet.availabilityZoneId,
      privateIpAddress: ip.address,
      securityGroupIds: input.securityGroupIds.length
        ? [...input.securityGroupIds]
        : [stableId('sg', `default:${this.vpcNameOf(subnet.vpcId)}`)],
      tags: { ...input.tags },
      description: input.description ?? '',
      interfaceType: input.interfaceType ?? 'interface',
      requesterManaged: false,
      // Managed (connector) ENIs are in use by the service from the start.
      status: managed ? 'in-use' : 'available',
      macAddress: macAddressFor(networkInterfaceId),
      ...(managed ? { operator: { managed: true, principal: input.operatorPrincipal as string } } : {}),
    };
    this.networkInterfaces.set(networkInterfaceId, eni);
    return call.succeed(eni, {
      networkInterface: networkInterfaceShape(
        eni,
        (id) => this.groupName(id),
        this.ctx.account,
        this.ctx.region,
        'pending',
      ),
    });
  }

  private vpcNameOf(vpcId: string): string {
    for (const [key, id] of this.logicalIds) if (id === vpcId && key.startsWith('vpc:')) return key.slice(4);
    return vpcId;
  }

  deleteNetworkInterfaceCall(
    input: { networkInterfaceId: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    const call = this.begin(
      'DeleteNetworkInterface',
      options,
      { networkInterfaceId: input.networkInterfaceId },
      input.dryRun,
    );
    const eni = this.networkInterfaces.get(input.networkInterfaceId);
    if (!eni) {
      return call.fail(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${input.networkInterfaceId}' does not exist`,
      );
    }
    if (eni.attachedInstanceId || eni.requesterManaged) {
      return call.fail(
        'InvalidNetworkInterface.InUse',
        `The network interface '${eni.networkInterfaceId}' is currently in use.`,
      );
    }
    if (input.dryRun) return call.dryRun();
    this.networkInterfaces.delete(eni.networkInterfaceId);
    return call.succeed(true, { _return: true });
  }

  createNetworkInterface(input: CreateEniInput, caller: CallerIdentity): EniCreateResult {
    const result = this.createNetworkInterfaceCall(input, { caller });
    if (!result.ok) return { ok: false, errorCode: result.code, errorMessage: result.message };
    const eni = result.value;
    return {
      ok: true,
      eni: {
        networkInterfaceId: eni.networkInterfaceId,
        subnetId: eni.subnetId,
        vpcId: eni.vpcId,
        availabilityZone: eni.availabilityZone,
        privateIpAddress: eni.privateIpAddress,
        securityGroupIds: [...eni.securityGroupIds],
      },
    };
  }

  deleteNetworkInterface(networkInterfaceId: string, caller: CallerIdentity): boolean {
    return this.deleteNetworkInterfaceCall({ networkInterfaceId }, { caller }).ok;
  }

  // ── recording ───────────────────────────────────────────────────────────────────────────────────────────

  private begin(
    eventName: string,
    options: Ec2CallOptions,
    requestParameters: Record<string, unknown>,
    dryRun: boolean | undefined,
  ): Ec2Call {
    return new Ec2Call(
      this.ctx,
      eventName,
      options,
      dryRun ? { ...requestParameters, dryRun: true } : requestParameters,
    );
  }
}

/** CloudTrail's rendering of IpPermissions in Authorize/Revoke requests. */
function ipPermissionsParameter(permissions: IpPermissionInput[]): Record<string, unknown> {
  return itemSet(
    permissions.map((permission) => ({
      ipProtocol: permission.ipProtocol,
      ...(permission.fromPort !== undefined ? { fromPort: permission.fromPort } : {}),
      ...(permission.toPort !== undefined ? { toPort: permission.toPort } : {}),
      groups: itemSet(
        permission.groups.map((pair) => ({
          groupId: pair.groupId,
          ...(pair.description ? { description: pair.description } : {}),
        })),
      ),
      ipRanges: itemSet(
        permission.ipRanges.map((range) => ({
          cidrIp: range.cidrIp,
          ...(range.description ? { description: range.description } : {}),
        })),
      ),
      ipv6Ranges: {},
      prefixListIds: {},
    })),
  );
}
