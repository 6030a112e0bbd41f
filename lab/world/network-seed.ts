/** Building a network world from a scenario spec (NetworkSpec): seed objects are silent, no CloudTrail records. */

import { cidrWithin, isIpv4 } from './network-cidr.js';
import type {
  NatGateway,
  NetworkAclEntry,
  NetworkInterface,
  RouteTable,
  RouteTarget,
  SecurityGroupRule,
  Subnet,
} from './network-model.js';
import { privateDnsNameOf } from './network-shapes.js';
import type { NetworkAclEntrySpec, NetworkSpec, RouteSpec, SecurityGroupRuleSpec } from './network-spec.js';
import { DEFAULT_INTERNET_HOSTS, stableId } from './network-spec.js';
import {
  allowAllNaclEntries,
  defaultNaclEntries,
  macAddressFor,
  NAT_GATEWAY_TRANSITION_MS,
  NetworkSpecError,
  type NetworkState,
  normalizeNaclProtocol,
  sortNaclEntries,
  zoneIdFor,
} from './network-state.js';

export function seedNetwork(world: NetworkState, spec: NetworkSpec): void {
  for (const vpcSpec of spec.vpcs) {
    world.requireCidr(vpcSpec.cidr, `vpc '${vpcSpec.name}'`);
    const vpcId = world.declare('vpc', 'vpc', vpcSpec.name);
    world.vpcs.set(vpcId, {
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
    world.securityGroups.set(defaultSg, {
      groupId: defaultSg,
      groupName: 'default',
      description: 'default VPC security group',
      vpcId,
      tags: {},
      rules: [
        seedRule(world, defaultSg, false, { ipProtocol: '-1', fromPort: -1, toPort: -1, referencedGroupId: defaultSg }),
        seedRule(world, defaultSg, true, { ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }),
      ],
    });
    const defaultAcl = stableId('acl', `default:${vpcSpec.name}`);
    world.networkAcls.set(defaultAcl, {
      networkAclId: defaultAcl,
      vpcId,
      isDefault: true,
      entries: sortNaclEntries([...allowAllNaclEntries(), ...defaultNaclEntries()]),
      associations: [],
      tags: {},
    });
  }
  for (const igw of spec.internetGateways ?? []) {
    const id = world.declare('internet-gateway', 'igw', igw.name);
    world.internetGateways.set(id, {
      internetGatewayId: id,
      ...(igw.vpc ? { attachedVpcId: world.idOf('vpc', igw.vpc) } : {}),
      tags: { Name: igw.name },
    });
  }
  for (const eip of spec.elasticIps ?? []) {
    if (!isIpv4(eip.publicIp)) throw new NetworkSpecError(`elastic IP '${eip.name}': bad address ${eip.publicIp}`);
    const id = world.declare('elastic-ip', 'eipalloc', eip.name);
    world.elasticIps.set(id, { allocationId: id, publicIp: eip.publicIp });
  }
  const ipOverrides = new Map<string, number>();
  for (const subnetSpec of spec.subnets) {
    world.requireCidr(subnetSpec.cidr, `subnet '${subnetSpec.name}'`);
    const vpc = world.vpcs.get(world.idOf('vpc', subnetSpec.vpc));
    if (!vpc || !cidrWithin(subnetSpec.cidr, vpc.cidrBlock)) {
      throw new NetworkSpecError(`subnet '${subnetSpec.name}' (${subnetSpec.cidr}) is not inside its VPC's CIDR`);
    }
    const subnetId = world.declare('subnet', 'subnet', subnetSpec.name);
    world.subnets.set(subnetId, {
      subnetId,
      vpcId: vpc.vpcId,
      cidrBlock: subnetSpec.cidr,
      availabilityZone: subnetSpec.availabilityZone,
      availabilityZoneId: subnetSpec.availabilityZoneId ?? zoneIdFor(subnetSpec.availabilityZone),
      externallyUsedIps: 0,
      tags: subnetSpec.tags ?? { Name: subnetSpec.name },
    });
    world.defaultAclOf(vpc.vpcId).associations.push({
      networkAclAssociationId: stableId('aclassoc', `default:${subnetSpec.name}`),
      subnetId,
    });
    if (subnetSpec.availableIpAddressCount !== undefined) {
      ipOverrides.set(subnetId, subnetSpec.availableIpAddressCount);
    }
  }
  seedSecurityGroups(world, spec);
  seedRouteTablesAndNat(world, spec);
  seedNetworkAcls(world, spec);
  for (const target of spec.targets ?? []) seedTarget(world, target);
  for (const host of [...DEFAULT_INTERNET_HOSTS, ...(spec.internetHosts ?? [])]) {
    world.internetHosts.set(host.hostName.toLowerCase(), {
      hostName: host.hostName.toLowerCase(),
      ip: host.ip,
      tcpPorts: host.tcpPorts ?? [80, 443],
      behavior: host.behavior ?? 'static',
      body: host.body ?? '',
    });
  }
  for (const [subnetId, available] of ipOverrides) world.setAvailableIpAddressCount(subnetId, available);
}

export function seedRule(
  _world: NetworkState,
  groupId: string,
  isEgress: boolean,
  rule: Omit<SecurityGroupRule, 'securityGroupRuleId' | 'groupId' | 'isEgress'>,
): SecurityGroupRule {
  const key = `${groupId}:${isEgress}:${rule.ipProtocol}:${rule.fromPort}:${rule.toPort}:${rule.cidrIpv4 ?? rule.referencedGroupId}`;
  return { securityGroupRuleId: stableId('sgr', key), groupId, isEgress, ...rule };
}

export function ruleFromSpec(
  world: NetworkState,
  groupId: string,
  isEgress: boolean,
  spec: SecurityGroupRuleSpec,
  where: string,
) {
  if ((spec.cidr === undefined) === (spec.securityGroup === undefined)) {
    throw new NetworkSpecError(`${where}: give exactly one of cidr or securityGroup`);
  }
  if (spec.cidr !== undefined) world.requireCidr(spec.cidr, where);
  const allPorts = spec.protocol === '-1';
  return seedRule(world, groupId, isEgress, {
    ipProtocol: spec.protocol,
    fromPort: allPorts ? -1 : (spec.fromPort ?? -1),
    toPort: allPorts ? -1 : (spec.toPort ?? spec.fromPort ?? -1),
    ...(spec.cidr !== undefined ? { cidrIpv4: spec.cidr } : {}),
    ...(spec.securityGroup !== undefined
      ? { referencedGroupId: world.idOf('security-group', spec.securityGroup) }
      : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  });
}

export function seedSecurityGroups(world: NetworkState, spec: NetworkSpec): void {
  const groups = spec.securityGroups ?? [];
  // Two passes: rules may reference any group, declared before or after.
  for (const group of groups) {
    const groupId = world.declare('security-group', 'sg', group.name);
    world.securityGroups.set(groupId, {
      groupId,
      groupName: group.name,
      description: group.description ?? group.name,
      vpcId: world.idOf('vpc', group.vpc),
      tags: { Name: group.name },
      rules: [],
    });
  }
  for (const group of groups) {
    const sg = world.securityGroups.get(world.idOf('security-group', group.name));
    if (!sg) continue;
    const egress = group.egress ?? [{ protocol: '-1' as const, cidr: '0.0.0.0/0' }];
    sg.rules = [
      ...(group.ingress ?? []).map((rule, i) =>
        ruleFromSpec(world, sg.groupId, false, rule, `${group.name} ingress ${i}`),
      ),
      ...egress.map((rule, i) => ruleFromSpec(world, sg.groupId, true, rule, `${group.name} egress ${i}`)),
    ];
  }
}

export function seedRouteTablesAndNat(world: NetworkState, spec: NetworkSpec): void {
  const tables = spec.routeTables ?? [];
  for (const vpcSpec of spec.vpcs) {
    if (tables.some((table) => table.vpc === vpcSpec.name && table.main)) continue;
    const vpcId = world.idOf('vpc', vpcSpec.name);
    const id = stableId('rtb', `main:${vpcSpec.name}`);
    world.routeTables.set(id, newRouteTable(world, id, vpcId, true, `main:${vpcSpec.name}`));
  }
  for (const table of tables) {
    const vpcId = world.idOf('vpc', table.vpc);
    const id = world.declare('route-table', 'rtb', table.name);
    const routeTable = newRouteTable(world, id, vpcId, table.main ?? false, table.name);
    routeTable.tags = { Name: table.name };
    for (const subnetName of table.subnets ?? []) {
      const subnetId = world.idOf('subnet', subnetName);
      if (world.explicitAssociation(subnetId)) {
        throw new NetworkSpecError(`subnet '${subnetName}' is associated with two route tables`);
      }
      routeTable.associations.push({
        associationId: stableId('rtbassoc', `${table.name}:${subnetName}`),
        main: false,
        subnetId,
      });
    }
    world.routeTables.set(id, routeTable);
  }
  for (const nat of spec.natGateways ?? []) {
    const natGatewayId = world.declare('nat-gateway', 'nat', nat.name);
    const eip = world.elasticIps.get(world.idOf('elastic-ip', nat.elasticIp));
    const mode = nat.availabilityMode ?? 'zonal';
    // Seeded gateways are long established; 'pending'/'deleting' seeds finish their transition on the clock.
    const now = world.ctx.clock.now();
    const created = new Date(now.getTime() - NAT_GATEWAY_TRANSITION_MS * 10);
    const gateway: NatGateway = {
      natGatewayId,
      vpcId: world.idOf('vpc', nat.vpc),
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
      const eni = attachNatInterface(world, gateway, world.idOf('subnet', nat.subnet), `nat:${nat.name}`);
      gateway.privateIp = eni.privateIpAddress;
    } else {
      if (!nat.routeTable) throw new NetworkSpecError(`regional NAT gateway '${nat.name}' needs a routeTable`);
      gateway.routeTableId = world.idOf('route-table', nat.routeTable);
    }
    if (eip) eip.associatedNatGatewayId = natGatewayId;
    world.natGateways.set(natGatewayId, gateway);
  }
  for (const table of tables) {
    const routeTable = world.routeTables.get(world.idOf('route-table', table.name));
    for (const route of table.routes ?? []) routeTable?.routes.push(routeFromSpec(world, route, table.name));
  }
}

export function newRouteTable(world: NetworkState, id: string, vpcId: string, main: boolean, key: string): RouteTable {
  const vpc = world.vpcs.get(vpcId);
  return {
    routeTableId: id,
    vpcId,
    routes: [{ destinationCidrBlock: vpc?.cidrBlock ?? '', target: { kind: 'local' }, origin: 'CreateRouteTable' }],
    associations: main ? [{ associationId: stableId('rtbassoc', `main:${key}`), main: true }] : [],
    tags: {},
  };
}

export function routeFromSpec(world: NetworkState, route: RouteSpec, tableName: string) {
  world.requireCidr(route.destination, `route table '${tableName}'`);
  const targets: RouteTarget[] = [];
  if (route.internetGateway) {
    targets.push({ kind: 'gateway', gatewayId: world.idOf('internet-gateway', route.internetGateway) });
  }
  if (route.natGateway)
    targets.push({ kind: 'nat-gateway', natGatewayId: world.idOf('nat-gateway', route.natGateway) });
  if (route.networkInterface) {
    targets.push({
      kind: 'network-interface',
      networkInterfaceId: world.idOf('network-interface', route.networkInterface),
    });
  }
  const [target, extra] = targets;
  if (!target || extra) {
    throw new NetworkSpecError(`route ${route.destination} in '${tableName}' needs exactly one target`);
  }
  return { destinationCidrBlock: route.destination, target, origin: 'CreateRoute' as const };
}

export function seedNetworkAcls(world: NetworkState, spec: NetworkSpec): void {
  for (const acl of spec.networkAcls ?? []) {
    const networkAclId = world.declare('network-acl', 'acl', acl.name);
    const vpcId = world.idOf('vpc', acl.vpc);
    const entries = acl.entries.map((entry) => naclEntryFromSpec(world, entry, acl.name));
    const associations = acl.subnets.map((subnetName) => {
      const subnetId = world.idOf('subnet', subnetName);
      // A subnet belongs to exactly one NACL: move it off the default one.
      const previous = world.networkAclOfSubnet(subnetId);
      if (previous && !previous.isDefault) {
        throw new NetworkSpecError(`subnet '${subnetName}' is associated with two network ACLs`);
      }
      if (previous) previous.associations = previous.associations.filter((a) => a.subnetId !== subnetId);
      return { networkAclAssociationId: stableId('aclassoc', `${acl.name}:${subnetName}`), subnetId };
    });
    world.networkAcls.set(networkAclId, {
      networkAclId,
      vpcId,
      isDefault: false,
      entries: sortNaclEntries([...entries, ...defaultNaclEntries()]),
      associations,
      tags: { Name: acl.name },
    });
  }
}

export function naclEntryFromSpec(world: NetworkState, entry: NetworkAclEntrySpec, aclName: string): NetworkAclEntry {
  world.requireCidr(entry.cidr, `network ACL '${aclName}' rule ${entry.ruleNumber}`);
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

export function seedTarget(world: NetworkState, spec: NonNullable<NetworkSpec['targets']>[number]): void {
  const subnetId = world.idOf('subnet', spec.subnet);
  const instanceId = world.declare('instance', 'i', spec.name);
  const networkInterfaceId = world.declare('network-interface', 'eni', spec.name);
  const ip = world.allocateIp(subnetId, spec.privateIp);
  if (!ip.ok) throw new NetworkSpecError(`target '${spec.name}': ${ip.message}`);
  const subnet = world.subnets.get(subnetId) as Subnet;
  world.networkInterfaces.set(networkInterfaceId, {
    networkInterfaceId,
    subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    privateIpAddress: ip.address,
    securityGroupIds: spec.securityGroups.map((name) => world.idOf('security-group', name)),
    tags: {},
    description: '',
    interfaceType: 'interface',
    requesterManaged: false,
    status: 'in-use',
    macAddress: macAddressFor(networkInterfaceId),
    attachedInstanceId: instanceId,
  });
  const privateDnsName = privateDnsNameOf(ip.address, world.ctx.region);
  world.targets.set(spec.name, {
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

export function attachNatInterface(
  world: NetworkState,
  nat: NatGateway,
  subnetId: string,
  key: string,
): NetworkInterface {
  const subnet = world.subnets.get(subnetId);
  const ip = world.allocateIp(subnetId);
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
  world.networkInterfaces.set(networkInterfaceId, eni);
  nat.subnetId = subnetId;
  nat.networkInterfaceId = networkInterfaceId;
  return eni;
}
