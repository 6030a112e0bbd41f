/**
 * The read-only Describe* operations: id lists, generic Filter.N.Name/Value.M matching (with * and ?
 * wildcards and tag:<key>/tag-key/tag-value), and MaxResults/NextToken pagination. Describe calls are
 * read-only, so they are not recorded in CloudTrail (the lab keeps its trail to mutations).
 */

import type { NetworkWorld } from '../world/network.js';
import type { Ec2Value } from '../world/network-call.js';
import type {
  NatGateway,
  NetworkAcl,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Tags,
  Vpc,
} from '../world/network-model.js';
import {
  natGatewayShape,
  networkAclShape,
  networkInterfaceShape,
  routeTableShape,
  securityGroupRuleShape,
  securityGroupShape,
  subnetShape,
  vpcShape,
} from '../world/network-shapes.js';
import { Ec2ClientError, type QueryParams, required } from './ec2-wire.js';

type FilterValue = string | number | boolean | undefined;
type Filters<T> = Record<string, (resource: T) => FilterValue | FilterValue[]>;

export interface Collection<T> {
  /** Wrapper element of the result list, e.g. networkInterfaceSet. */
  listName: string;
  /** Query name of the id list, e.g. NetworkInterfaceId (sent as NetworkInterfaceId.1, .2 …). */
  idParam: string;
  notFound: (id: string) => [code: string, message: string];
  items: T[];
  idOf: (resource: T) => string;
  tagsOf: (resource: T) => Tags;
  filters: Filters<T>;
  shape: (resource: T) => Ec2Value;
}

const MIN_PAGE = 5;
const MAX_PAGE = 1000;

function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${regex}$`).test(value);
}

function filterValues<T>(collection: Collection<T>, resource: T, name: string): string[] {
  const tags = collection.tagsOf(resource);
  if (name.startsWith('tag:')) {
    const value = tags[name.slice(4)];
    return value === undefined ? [] : [value];
  }
  if (name === 'tag-key') return Object.keys(tags);
  if (name === 'tag-value') return Object.values(tags);
  const extractor = collection.filters[name];
  if (!extractor) throw new Ec2ClientError('InvalidParameterValue', `The filter '${name}' is invalid`);
  const raw = extractor(resource);
  return (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined).map(String);
}

function decodeToken(token: string, scope: string): number {
  const [tokenScope, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  if (tokenScope !== scope || !offset || !/^\d+$/.test(offset)) {
    throw new Ec2ClientError('InvalidPaginationToken', `The pagination token ${token} is invalid`);
  }
  return Number(offset);
}

/** Runs ids, filters and pagination over a collection; returns the members of the Describe response. */
export function describe<T>(
  params: QueryParams,
  scope: string,
  collection: Collection<T>,
): { [key: string]: Ec2Value } {
  let matched = collection.items;
  const ids = params.list(collection.idParam);
  for (const id of ids) {
    if (!matched.some((resource) => collection.idOf(resource) === id)) {
      const [code, message] = collection.notFound(id);
      throw new Ec2ClientError(code, message);
    }
  }
  if (ids.length) matched = matched.filter((resource) => ids.includes(collection.idOf(resource)));
  for (const filter of params.structs('Filter')) {
    const name = required(filter, 'Name');
    const wanted = filter.list('Value');
    matched = matched.filter((resource) =>
      filterValues(collection, resource, name).some((value) => wanted.some((p) => wildcardMatches(p, value))),
    );
  }
  const maxResults = params.int('MaxResults');
  const token = params.get('NextToken');
  if (maxResults === undefined && !token) return { [collection.listName]: matched.map(collection.shape) };
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < MIN_PAGE || maxResults > MAX_PAGE)) {
    throw new Ec2ClientError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${MIN_PAGE} and ${MAX_PAGE}.`,
    );
  }
  if (maxResults !== undefined && ids.length) {
    throw new Ec2ClientError(
      'InvalidParameterCombination',
      `The parameter ${collection.idParam}s cannot be used with the parameter maxResults`,
    );
  }
  const start = token ? decodeToken(token, scope) : 0;
  const end = start + (maxResults ?? MAX_PAGE);
  const page = matched.slice(start, end);
  return {
    [collection.listName]: page.map(collection.shape),
    nextToken: end < matched.length ? Buffer.from(`${scope}:${end}`).toString('base64url') : undefined,
  };
}

export const notFound =
  (code: string, noun: string) =>
  (id: string): [string, string] => [code, `The ${noun} '${id}' does not exist`];

export function describeVpcs(world: NetworkWorld, params: QueryParams) {
  const owner = world.ctx.account;
  return describe<Vpc>(params, 'vpcs', {
    listName: 'vpcSet',
    idParam: 'VpcId',
    notFound: notFound('InvalidVpcID.NotFound', 'vpc ID'),
    items: [...world.vpcs.values()],
    idOf: (vpc) => vpc.vpcId,
    tagsOf: (vpc) => vpc.tags,
    filters: {
      'vpc-id': (vpc) => vpc.vpcId,
      cidr: (vpc) => vpc.cidrBlock,
      'cidr-block-association.cidr-block': (vpc) => vpc.cidrBlock,
      'dhcp-options-id': (vpc) => vpc.dhcpOptionsId,
      'is-default': () => false,
      'owner-id': () => owner,
      state: () => 'available',
    },
    shape: (vpc) => vpcShape(vpc, owner),
  });
}

export function describeSubnets(world: NetworkWorld, params: QueryParams) {
  const { account, region } = world.ctx;
  return describe<Subnet>(params, 'subnets', {
    listName: 'subnetSet',
    idParam: 'SubnetId',
    notFound: notFound('InvalidSubnetID.NotFound', 'subnet ID'),
    items: [...world.subnets.values()],
    idOf: (subnet) => subnet.subnetId,
    tagsOf: (subnet) => subnet.tags,
    filters: {
      'subnet-id': (subnet) => subnet.subnetId,
      'vpc-id': (subnet) => subnet.vpcId,
      'cidr-block': (subnet) => subnet.cidrBlock,
      'availability-zone': (subnet) => subnet.availabilityZone,
      'availability-zone-id': (subnet) => subnet.availabilityZoneId,
      'available-ip-address-count': (subnet) => world.freeIpCount(subnet.subnetId),
      'owner-id': () => account,
      state: () => 'available',
    },
    shape: (subnet) => subnetShape(subnet, world.freeIpCount(subnet.subnetId), account, region),
  });
}

export function describeRouteTables(world: NetworkWorld, params: QueryParams) {
  const routeTargets = (table: RouteTable, kind: 'gateway' | 'nat-gateway') =>
    table.routes.flatMap((route) => {
      const target = route.target;
      if (kind === 'gateway')
        return target.kind === 'gateway' ? [target.gatewayId] : target.kind === 'local' ? ['local'] : [];
      return target.kind === 'nat-gateway' ? [target.natGatewayId] : [];
    });
  return describe<RouteTable>(params, 'route-tables', {
    listName: 'routeTableSet',
    idParam: 'RouteTableId',
    notFound: notFound('InvalidRouteTableID.NotFound', 'routeTable ID'),
    items: [...world.routeTables.values()],
    idOf: (table) => table.routeTableId,
    tagsOf: (table) => table.tags,
    filters: {
      'route-table-id': (table) => table.routeTableId,
      'vpc-id': (table) => table.vpcId,
      'association.subnet-id': (table) => table.associations.map((a) => a.subnetId),
      'association.main': (table) => table.associations.map((a) => a.main),
      'association.route-table-association-id': (table) => table.associations.map((a) => a.associationId),
      'association.route-table-id': (table) => (table.associations.length ? table.routeTableId : undefined),
      'route.destination-cidr-block': (table) => table.routes.map((r) => r.destinationCidrBlock),
      'route.gateway-id': (table) => routeTargets(table, 'gateway'),
      'route.nat-gateway-id': (table) => routeTargets(table, 'nat-gateway'),
      'owner-id': () => world.ctx.account,
    },
    shape: (table) => routeTableShape(table, world.ctx.account, (id) => world.natStateById(id)),
  });
}

function ruleCidrs(group: SecurityGroup, egress: boolean) {
  return group.rules.filter((r) => r.isEgress === egress).map((r) => r.cidrIpv4);
}

function ruleGroups(group: SecurityGroup, egress: boolean) {
  return group.rules.filter((r) => r.isEgress === egress).map((r) => r.referencedGroupId);
}

export function describeSecurityGroups(world: NetworkWorld, params: QueryParams) {
  const { account, region } = world.ctx;
  const names = params.list('GroupName');
  const groups = [...world.securityGroups.values()];
  for (const name of names) {
    if (!groups.some((group) => group.groupName === name)) {
      throw new Ec2ClientError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
    }
  }
  return describe<SecurityGroup>(params, 'security-groups', {
    listName: 'securityGroupInfo',
    idParam: 'GroupId',
    notFound: notFound('InvalidGroup.NotFound', 'security group'),
    items: names.length ? groups.filter((group) => names.includes(group.groupName)) : groups,
    idOf: (group) => group.groupId,
    tagsOf: (group) => group.tags,
    filters: {
      'group-id': (group) => group.groupId,
      'group-name': (group) => group.groupName,
      'vpc-id': (group) => group.vpcId,
      description: (group) => group.description,
      'owner-id': () => account,
      'ip-permission.cidr': (group) => ruleCidrs(group, false),
      'ip-permission.group-id': (group) => ruleGroups(group, false),
      'egress.ip-permission.cidr': (group) => ruleCidrs(group, true),
      'egress.ip-permission.group-id': (group) => ruleGroups(group, true),
    },
    shape: (group) => securityGroupShape(group, account, region),
  });
}

export function describeSecurityGroupRules(world: NetworkWorld, params: QueryParams) {
  const groups = [...world.securityGroups.values()];
  const vpcOf = new Map(groups.map((group) => [group.groupId, group.vpcId]));
  return describe<SecurityGroupRule>(params, 'security-group-rules', {
    listName: 'securityGroupRuleSet',
    idParam: 'SecurityGroupRuleId',
    notFound: notFound('InvalidSecurityGroupRuleId.NotFound', 'security group rule ID'),
    items: groups.flatMap((group) => group.rules),
    idOf: (rule) => rule.securityGroupRuleId,
    tagsOf: () => ({}),
    filters: {
      'group-id': (rule) => rule.groupId,
      'security-group-rule-id': (rule) => rule.securityGroupRuleId,
      'is-egress': (rule) => rule.isEgress,
    },
    shape: (rule) => securityGroupRuleShape(rule, world.ctx.account, vpcOf.get(rule.groupId) ?? ''),
  });
}

export function describeNetworkAcls(world: NetworkWorld, params: QueryParams) {
  return describe<NetworkAcl>(params, 'network-acls', {
    listName: 'networkAclSet',
    idParam: 'NetworkAclId',
    notFound: notFound('InvalidNetworkAclID.NotFound', 'network ACL ID'),
    items: [...world.networkAcls.values()],
    idOf: (acl) => acl.networkAclId,
    tagsOf: (acl) => acl.tags,
    filters: {
      'network-acl-id': (acl) => acl.networkAclId,
      'vpc-id': (acl) => acl.vpcId,
      default: (acl) => acl.isDefault,
      'association.subnet-id': (acl) => acl.associations.map((a) => a.subnetId),
      'association.association-id': (acl) => acl.associations.map((a) => a.networkAclAssociationId),
      'association.network-acl-id': (acl) => (acl.associations.length ? acl.networkAclId : undefined),
      'entry.rule-number': (acl) => acl.entries.map((e) => e.ruleNumber),
      'entry.cidr': (acl) => acl.entries.map((e) => e.cidrBlock),
      'entry.rule-action': (acl) => acl.entries.map((e) => e.ruleAction),
      'entry.egress': (acl) => acl.entries.map((e) => e.egress),
      'entry.protocol': (acl) => acl.entries.map((e) => e.protocol),
      'owner-id': () => world.ctx.account,
    },
    shape: (acl) => networkAclShape(acl, world.ctx.account),
  });
}

export function describeNatGateways(world: NetworkWorld, params: QueryParams) {
  return describe<NatGateway>(params, 'nat-gateways', {
    listName: 'natGatewaySet',
    idParam: 'NatGatewayId',
    notFound: (id) => ['NatGatewayNotFound', `NAT gateway ${id} was not found`],
    items: [...world.natGateways.values()],
    idOf: (nat) => nat.natGatewayId,
    tagsOf: (nat) => nat.tags,
    filters: {
      'nat-gateway-id': (nat) => nat.natGatewayId,
      state: (nat) => world.natState(nat),
      'subnet-id': (nat) => nat.subnetId,
      'vpc-id': (nat) => nat.vpcId,
    },
    shape: (nat) => natGatewayShape(nat, world.natState(nat)),
  });
}

export function describeNetworkInterfaces(world: NetworkWorld, params: QueryParams) {
  const { account, region } = world.ctx;
  // Managed (operator) ENIs stay invisible unless asked for, as the field notes observed (NotFound by id).
  const includeManaged = params.bool('IncludeManagedResources') === true;
  const visible = [...world.networkInterfaces.values()].filter((eni) => includeManaged || !eni.operator?.managed);
  return describe<NetworkInterface>(params, 'network-interfaces', {
    listName: 'networkInterfaceSet',
    idParam: 'NetworkInterfaceId',
    notFound: notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface ID'),
    items: visible,
    idOf: (eni) => eni.networkInterfaceId,
    tagsOf: (eni) => eni.tags,
    filters: {
      'network-interface-id': (eni) => eni.networkInterfaceId,
      'subnet-id': (eni) => eni.subnetId,
      'vpc-id': (eni) => eni.vpcId,
      'availability-zone': (eni) => eni.availabilityZone,
      'group-id': (eni) => eni.securityGroupIds,
      'group-name': (eni) => eni.securityGroupIds.map((id) => world.groupName(id)),
      'interface-type': (eni) => eni.interfaceType,
      'operator.managed': (eni) => eni.operator?.managed ?? false,
      'operator.principal': (eni) => eni.operator?.principal,
      description: (eni) => eni.description,
      status: (eni) => eni.status,
      'private-ip-address': (eni) => eni.privateIpAddress,
      'addresses.private-ip-address': (eni) => eni.privateIpAddress,
      'mac-address': (eni) => eni.macAddress,
      'requester-managed': (eni) => eni.requesterManaged,
      'requester-id': (eni) => eni.requesterId,
      'attachment.instance-id': (eni) => eni.attachedInstanceId,
      'owner-id': () => account,
    },
    shape: (eni) => networkInterfaceShape(eni, (id) => world.groupName(id), account, region),
  });
}

export function describeVpcAttribute(world: NetworkWorld, params: QueryParams) {
  const vpcId = required(params, 'VpcId');
  const attribute = required(params, 'Attribute');
  const vpc = world.vpcs.get(vpcId);
  if (!vpc) throw new Ec2ClientError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  const values: Record<string, boolean> = {
    enableDnsSupport: vpc.enableDnsSupport,
    enableDnsHostnames: vpc.enableDnsHostnames,
    enableNetworkAddressUsageMetrics: false,
  };
  const value = values[attribute];
  if (value === undefined) {
    throw new Ec2ClientError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid.`);
  }
  return { vpcId, [attribute]: { value } };
}
