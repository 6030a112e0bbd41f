/**
 * World resources rendered in EC2's response vocabulary (camelCase wire names, lists as arrays). The EC2
 * emulator turns these into XML and the network world turns them into CloudTrail responseElements, so both
 * always agree.
 */
import type { Ec2Value } from './network-call.js';
import type {
  NatGateway,
  NatGatewayState,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  RouteTable,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Tags,
  Vpc,
} from './network-model.js';
import { stableId } from './network-spec.js';

type Shape = { [key: string]: Ec2Value };

export function tagSet(tags: Tags): Shape[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function vpcShape(vpc: Vpc, ownerId: string): Shape {
  return {
    vpcId: vpc.vpcId,
    ownerId,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    cidrBlockAssociationSet: [
      { associationId: vpc.cidrAssociationId, cidrBlock: vpc.cidrBlock, cidrBlockState: { state: 'associated' } },
    ],
    dhcpOptionsId: vpc.dhcpOptionsId,
    instanceTenancy: 'default',
    isDefault: false,
    tagSet: tagSet(vpc.tags),
  };
}

export function subnetShape(subnet: Subnet, availableIpAddressCount: number, ownerId: string, region: string): Shape {
  return {
    subnetId: subnet.subnetId,
    subnetArn: `arn:aws:ec2:${region}:${ownerId}:subnet/${subnet.subnetId}`,
    state: 'available',
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    availableIpAddressCount,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    ownerId,
    tagSet: tagSet(subnet.tags),
  };
}

export function routeTableShape(table: RouteTable, ownerId: string, natState: (id: string) => NatGatewayState): Shape {
  return {
    routeTableId: table.routeTableId,
    vpcId: table.vpcId,
    ownerId,
    routeSet: table.routes.map((route) => {
      const target = route.target;
      const blackhole = target.kind === 'nat-gateway' && natState(target.natGatewayId) !== 'available';
      return {
        destinationCidrBlock: route.destinationCidrBlock,
        gatewayId: target.kind === 'local' ? 'local' : target.kind === 'gateway' ? target.gatewayId : undefined,
        natGatewayId: target.kind === 'nat-gateway' ? target.natGatewayId : undefined,
        networkInterfaceId: target.kind === 'network-interface' ? target.networkInterfaceId : undefined,
        origin: route.origin,
        state: blackhole ? 'blackhole' : 'active',
      };
    }),
    associationSet: table.associations.map((association) => ({
      routeTableAssociationId: association.associationId,
      routeTableId: table.routeTableId,
      subnetId: association.subnetId,
      main: association.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    tagSet: tagSet(table.tags),
  };
}

/** The rule as DescribeSecurityGroupRules and the Authorize responses show it. */
export function securityGroupRuleShape(rule: SecurityGroupRule, ownerId: string, vpcId: string): Shape {
  return {
    securityGroupRuleId: rule.securityGroupRuleId,
    groupId: rule.groupId,
    groupOwnerId: ownerId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    referencedGroupInfo: rule.referencedGroupId
      ? { groupId: rule.referencedGroupId, userId: ownerId, vpcId }
      : undefined,
    description: rule.description,
    tagSet: [],
  };
}

/** The rule as Revoke responses list it (a flatter shape). */
export function revokedRuleShape(rule: SecurityGroupRule): Shape {
  return {
    securityGroupRuleId: rule.securityGroupRuleId,
    groupId: rule.groupId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    referencedGroupId: rule.referencedGroupId,
    description: rule.description,
  };
}

/** Classic IpPermission view: rules sharing protocol and ports are merged, as DescribeSecurityGroups does. */
export function ipPermissionShapes(rules: SecurityGroupRule[], ownerId: string): Shape[] {
  const merged = new Map<string, { first: SecurityGroupRule; ranges: Shape[]; groups: Shape[] }>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
    const entry = merged.get(key) ?? { first: rule, ranges: [], groups: [] };
    merged.set(key, entry);
    if (rule.cidrIpv4) entry.ranges.push({ cidrIp: rule.cidrIpv4, description: rule.description });
    if (rule.referencedGroupId) {
      entry.groups.push({ groupId: rule.referencedGroupId, userId: ownerId, description: rule.description });
    }
  }
  return [...merged.values()].map(({ first, ranges, groups }) => ({
    ipProtocol: first.ipProtocol,
    // EC2 omits ports for "all traffic".
    fromPort: first.ipProtocol === '-1' ? undefined : first.fromPort,
    toPort: first.ipProtocol === '-1' ? undefined : first.toPort,
    groups,
    ipRanges: ranges,
    ipv6Ranges: [],
    prefixListIds: [],
  }));
}

export function securityGroupShape(group: SecurityGroup, ownerId: string, region: string): Shape {
  return {
    ownerId,
    groupName: group.groupName,
    groupId: group.groupId,
    groupDescription: group.description,
    ipPermissions: ipPermissionShapes(
      group.rules.filter((rule) => !rule.isEgress),
      ownerId,
    ),
    ipPermissionsEgress: ipPermissionShapes(
      group.rules.filter((rule) => rule.isEgress),
      ownerId,
    ),
    vpcId: group.vpcId,
    securityGroupArn: `arn:aws:ec2:${region}:${ownerId}:security-group/${group.groupId}`,
    tagSet: tagSet(group.tags),
  };
}

export function networkAclEntryShape(entry: NetworkAclEntry): Shape {
  return {
    ruleNumber: entry.ruleNumber,
    protocol: entry.protocol,
    ruleAction: entry.ruleAction,
    egress: entry.egress,
    cidrBlock: entry.cidrBlock,
    icmpTypeCode: entry.icmpTypeCode,
    portRange: entry.portRange,
  };
}

export function networkAclShape(acl: NetworkAcl, ownerId: string): Shape {
  return {
    networkAclId: acl.networkAclId,
    vpcId: acl.vpcId,
    default: acl.isDefault,
    entrySet: acl.entries.map(networkAclEntryShape),
    associationSet: acl.associations.map((association) => ({
      networkAclAssociationId: association.networkAclAssociationId,
      networkAclId: acl.networkAclId,
      subnetId: association.subnetId,
    })),
    tagSet: tagSet(acl.tags),
    ownerId,
  };
}

export function natGatewayShape(nat: NatGateway, state: NatGatewayState): Shape {
  const deleted = state === 'deleted';
  return {
    natGatewayId: nat.natGatewayId,
    vpcId: nat.vpcId,
    subnetId: nat.subnetId,
    state,
    createTime: nat.createdAt,
    deleteTime: deleted ? nat.deleteRequestedAt : undefined,
    connectivityType: nat.connectivityType,
    availabilityMode: nat.availabilityMode,
    routeTableId: nat.routeTableId,
    natGatewayAddressSet: nat.publicIp
      ? [
          {
            allocationId: nat.allocationId,
            associationId: nat.allocationId ? natAddressAssociationId(nat.natGatewayId, nat.allocationId) : undefined,
            networkInterfaceId: nat.networkInterfaceId,
            privateIp: nat.privateIp,
            publicIp: nat.publicIp,
            isPrimary: true,
            status: deleted ? 'disassociated' : state === 'deleting' ? 'disassociating' : 'succeeded',
          },
        ]
      : [],
    tagSet: tagSet(nat.tags),
  };
}

/** The `eipassoc-` id of a NAT gateway's address (stable, derived from the gateway and the allocation). */
export function natAddressAssociationId(natGatewayId: string, allocationId: string): string {
  return stableId('eipassoc', `${natGatewayId}:${allocationId}`);
}

export function privateDnsNameOf(ip: string, region: string): string {
  // us-east-1 keeps the legacy ec2.internal domain.
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${ip.replaceAll('.', '-')}.${domain}`;
}

export function networkInterfaceShape(
  eni: NetworkInterface,
  groupName: (groupId: string) => string,
  ownerId: string,
  region: string,
  status: string = eni.status,
): Shape {
  const privateDnsName = privateDnsNameOf(eni.privateIpAddress, region);
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    availabilityZoneId: eni.availabilityZoneId,
    description: eni.description,
    ownerId,
    requesterId: eni.requesterId,
    requesterManaged: eni.requesterManaged,
    status,
    macAddress: eni.macAddress,
    privateIpAddress: eni.privateIpAddress,
    privateDnsName,
    sourceDestCheck: true,
    interfaceType: eni.interfaceType,
    groupSet: eni.securityGroupIds.map((groupId) => ({ groupId, groupName: groupName(groupId) })),
    attachment: eni.attachedInstanceId
      ? {
          attachmentId: `eni-attach-${eni.networkInterfaceId.slice(4)}`,
          instanceId: eni.attachedInstanceId,
          instanceOwnerId: ownerId,
          deviceIndex: 0,
          status: 'attached',
          deleteOnTermination: true,
        }
      : eni.serviceAttachment
        ? {
            attachmentId: eni.serviceAttachment.attachmentId,
            instanceOwnerId: eni.serviceAttachment.instanceOwnerId,
            deviceIndex: 1,
            status: 'attached',
            attachTime: eni.serviceAttachment.attachTime,
            deleteOnTermination: false,
          }
        : undefined,
    privateIpAddressesSet: [{ privateIpAddress: eni.privateIpAddress, privateDnsName, primary: true }],
    ipv6AddressesSet: [],
    tagSet: tagSet(eni.tags),
    operator: eni.operator ? { managed: eni.operator.managed, principal: eni.operator.principal } : undefined,
  };
}
