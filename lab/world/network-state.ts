/**
 * The state of the lab's network world, shared by its resource families (network-seed.ts,
 * network-security-groups.ts, network-routes.ts, network-nat.ts, network-acls.ts, network-interfaces.ts):
 * the resources, the logical-name and API id registries, the queries the emulators and the reachability
 * ground truth read, IP allocation, and the start of every recorded EC2 call. NetworkWorld (network.ts)
 * puts the families' operations on top of it.
 */
import { createHash } from 'node:crypto';
import type { LabContext } from './contracts.js';
import { Ec2Call, type Ec2CallOptions, itemSet } from './network-call.js';
import { cidrHost, cidrSize, ipOffsetInCidr, isCidr } from './network-cidr.js';
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
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  TargetServer,
  Vpc,
} from './network-model.js';
import { stableId } from './network-spec.js';

/** A scenario file declared something inconsistent (unknown name, bad CIDR, …). */
export class NetworkSpecError extends Error {
  override readonly name = 'NetworkSpecError';
}

/** How long AWS takes to move a NAT gateway pending → available and deleting → deleted. */
export const NAT_GATEWAY_TRANSITION_MS = 90_000;
/** Lowest host offset EC2 hands out: .0 network, .1 router, .2 DNS, .3 reserved. */
export const FIRST_USABLE_OFFSET = 4;
export const RESERVED_PER_SUBNET = 5;

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

export const SG_PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };
export const NACL_PROTOCOL_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };

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
export function catchAllNaclEntries(ruleNumber: number, ruleAction: 'allow' | 'deny'): NetworkAclEntry[] {
  return [true, false].map((egress) => ({ ruleNumber, egress, protocol: '-1', ruleAction, cidrBlock: '0.0.0.0/0' }));
}

export const defaultNaclEntries = () => catchAllNaclEntries(32767, 'deny');
export const allowAllNaclEntries = () => catchAllNaclEntries(100, 'allow');

export function sortNaclEntries(entries: NetworkAclEntry[]): NetworkAclEntry[] {
  return entries.sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
}

export function macAddressFor(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return ['02', ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))].join(':');
}

/** Zone id from a zone name when the spec leaves it out: ap-northeast-1a → apne1-az1. */
export function zoneIdFor(zone: string): string {
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

export function ruleMatchesPermission(
  rule: SecurityGroupRule,
  candidate: Omit<SecurityGroupRule, 'securityGroupRuleId'>,
) {
  return (
    rule.isEgress === candidate.isEgress &&
    rule.ipProtocol === candidate.ipProtocol &&
    rule.fromPort === candidate.fromPort &&
    rule.toPort === candidate.toPort &&
    rule.cidrIpv4 === candidate.cidrIpv4 &&
    rule.referencedGroupId === candidate.referencedGroupId
  );
}

export class NetworkState {
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
  readonly logicalIds = new Map<string, string>();
  private apiSequence = 0;

  constructor(readonly ctx: LabContext) {}

  /** The id a seed object got, e.g. idOf('subnet', 'nat-subnet-1a'). */
  idOf(kind: string, name: string): string {
    const id = this.logicalIds.get(`${kind}:${name}`);
    if (!id) throw new NetworkSpecError(`no ${kind} named '${name}' in this network world`);
    return id;
  }
  declare(kind: string, prefix: string, name: string): string {
    const key = `${kind}:${name}`;
    if (this.logicalIds.has(key)) throw new NetworkSpecError(`${kind} '${name}' is declared twice`);
    const id = stableId(prefix, key);
    this.logicalIds.set(key, id);
    return id;
  }
  /** API-created ids are deterministic too: the n-th object created through the API gets the same id. */
  nextId(prefix: string): string {
    this.apiSequence += 1;
    return stableId(prefix, `api:${this.apiSequence}`);
  }
  requireCidr(cidr: string, what: string): void {
    if (!isCidr(cidr)) throw new NetworkSpecError(`${what}: '${cidr}' is not an IPv4 CIDR block`);
  }

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

  explicitAssociation(subnetId: string): RouteTable | undefined {
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

  defaultAclOf(vpcId: string): NetworkAcl {
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

  allocateIp(
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

  begin(
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
export function ipPermissionsParameter(permissions: IpPermissionInput[]): Record<string, unknown> {
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
