/**
 * Test support: the lab network world converted straight into a NetworkSnapshot, without HTTP. The
 * differential test uses it to run thousands of cases quickly; an integration test proves that the EC2
 * adapter reading the same world over HTTP produces exactly this snapshot.
 */
import type { NetworkWorld } from '../../lab/world/network.js';
import { endpointDnsName, managedPrefixLists } from '../../lab/world/network-endpoints.js';
import type { RouteTarget } from '../../lab/world/network-model.js';
import type { NetworkSnapshot, RouteFact } from '../../shared/domain/network-facts.js';

const CONNECTOR_ID_TAG = 'aws:lambda:networkConnectorId';
const CONNECTOR_NAME_TAG = 'aws:lambda:networkConnectorName';

function target(t: RouteTarget): Pick<RouteFact, 'targetKind' | 'targetId'> {
  switch (t.kind) {
    case 'local':
      return { targetKind: 'local', targetId: 'local' };
    case 'gateway':
      return { targetKind: 'internet-gateway', targetId: t.gatewayId };
    case 'nat-gateway':
      return { targetKind: 'nat-gateway', targetId: t.natGatewayId };
    case 'network-interface':
      return { targetKind: 'network-interface', targetId: t.networkInterfaceId };
  }
}

/**
 * The snapshot the EC2 adapter would collect from this world at `capturedAt`: every resource of the
 * world; ENIs are the connector ENIs plus every ENI of a VPC that hosts one (as the adapter collects them).
 */
export function labNetworkSnapshot(
  world: NetworkWorld,
  capturedAt = world.ctx.clock.now().toISOString(),
): NetworkSnapshot {
  const { account, region } = world.ctx;
  const enis = [...world.networkInterfaces.values()];
  const connectorVpcs = new Set(enis.filter((e) => e.tags[CONNECTOR_ID_TAG] !== undefined).map((e) => e.vpcId));
  return {
    account,
    region,
    capturedAt,
    vpcs: [...world.vpcs.values()].map((v) => ({
      vpcId: v.vpcId,
      cidrBlocks: [v.cidrBlock],
      enableDnsSupport: v.enableDnsSupport,
      enableDnsHostnames: v.enableDnsHostnames,
    })),
    subnets: [...world.subnets.values()].map((s) => ({
      subnetId: s.subnetId,
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId,
      availableIpAddressCount: world.freeIpCount(s.subnetId),
    })),
    routeTables: [...world.routeTables.values()].map((t) => ({
      routeTableId: t.routeTableId,
      vpcId: t.vpcId,
      associations: t.associations.map((a) => ({
        routeTableAssociationId: a.associationId,
        main: a.main,
        ...(a.subnetId ? { subnetId: a.subnetId } : {}),
      })),
      routes: t.routes.map((r) => ({
        destinationCidrBlock: r.destinationCidrBlock,
        ...target(r.target),
        state:
          r.target.kind === 'nat-gateway' && world.natStateById(r.target.natGatewayId) !== 'available'
            ? ('blackhole' as const)
            : ('active' as const),
      })),
    })),
    securityGroups: [...world.securityGroups.values()].map((g) => ({
      groupId: g.groupId,
      groupName: g.groupName,
      vpcId: g.vpcId,
      rules: g.rules.map((r) => ({
        securityGroupRuleId: r.securityGroupRuleId,
        groupId: r.groupId,
        isEgress: r.isEgress,
        ipProtocol: r.ipProtocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        ...(r.cidrIpv4 ? { cidrIpv4: r.cidrIpv4 } : {}),
        ...(r.referencedGroupId ? { referencedGroupId: r.referencedGroupId } : {}),
      })),
    })),
    networkAcls: [...world.networkAcls.values()].map((acl) => ({
      networkAclId: acl.networkAclId,
      vpcId: acl.vpcId,
      isDefault: acl.isDefault,
      entries: acl.entries.map((e) => ({
        ruleNumber: e.ruleNumber,
        egress: e.egress,
        protocol: e.protocol,
        ruleAction: e.ruleAction,
        cidrBlock: e.cidrBlock,
        ...(e.portRange ? { portRange: { from: e.portRange.from, to: e.portRange.to } } : {}),
      })),
      associations: acl.associations.map((a) => ({
        networkAclAssociationId: a.networkAclAssociationId,
        subnetId: a.subnetId,
      })),
    })),
    natGateways: [...world.natGateways.values()].map((nat) => ({
      natGatewayId: nat.natGatewayId,
      vpcId: nat.vpcId,
      ...(nat.subnetId ? { subnetId: nat.subnetId } : {}),
      availabilityMode: nat.availabilityMode,
      ...(nat.routeTableId ? { routeTableId: nat.routeTableId } : {}),
      state: world.natState(nat),
      connectivityType: nat.connectivityType,
      publicIps: nat.publicIp ? [nat.publicIp] : [],
      allocationIds: nat.publicIp && nat.allocationId ? [nat.allocationId] : [],
      privateIps: nat.publicIp && nat.privateIp ? [nat.privateIp] : [],
    })),
    internetGateways: [...world.internetGateways.values()].map((igw) => ({
      internetGatewayId: igw.internetGatewayId,
      attachedVpcIds: igw.attachedVpcId ? [igw.attachedVpcId] : [],
    })),
    vpcEndpoints: [...world.vpcEndpoints.values()].map((e) => ({
      vpcEndpointId: e.vpcEndpointId,
      vpcId: e.vpcId,
      vpcEndpointType: e.vpcEndpointType,
      serviceName: e.serviceName,
      state: e.state,
      routeTableIds: e.routeTableIds,
      subnetIds: e.subnetIds,
      networkInterfaceIds: e.networkInterfaceIds,
      groupIds: e.groupIds,
      privateDnsEnabled: e.privateDnsEnabled,
      dnsNames: [
        ...(e.vpcEndpointType === 'Interface' ? [endpointDnsName(e, region)] : []),
        ...(e.privateDnsEnabled ? [`${e.serviceName.split('.').at(-1)}.${region}.amazonaws.com`] : []),
      ],
    })),
    prefixLists: managedPrefixLists(region).map((p) => ({ ...p })),
    // As the adapter: ENIs of connector VPCs, plus every Lambda Hyperplane ENI (InterfaceType lambda).
    networkInterfaces: enis
      .filter((e) => connectorVpcs.has(e.vpcId) || e.interfaceType === 'lambda')
      .map((e) => ({
        networkInterfaceId: e.networkInterfaceId,
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        availabilityZone: e.availabilityZone,
        privateIpAddresses: [e.privateIpAddress],
        securityGroupIds: [...e.securityGroupIds],
        interfaceType: e.interfaceType,
        status: e.status,
        ...(e.tags[CONNECTOR_ID_TAG] ? { connectorId: e.tags[CONNECTOR_ID_TAG] } : {}),
        ...(e.tags[CONNECTOR_NAME_TAG] ? { connectorName: e.tags[CONNECTOR_NAME_TAG] } : {}),
        ...(e.description ? { description: e.description } : {}),
        ...(e.requesterId ? { requesterId: e.requesterId } : {}),
        ...(e.requesterManaged ? { requesterManaged: true } : {}),
        ...(e.attachedInstanceId
          ? {
              attachment: {
                attachmentId: `eni-attach-${e.networkInterfaceId.slice(4)}`,
                instanceId: e.attachedInstanceId,
                instanceOwnerId: account,
                status: 'attached',
              },
            }
          : e.serviceAttachment
            ? { attachment: { ...e.serviceAttachment, status: 'attached' } }
            : {}),
      })),
  };
}
