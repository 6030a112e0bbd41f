/**
 * Network mutations the path analyzer covers beyond routes, rules and NACL entries, each recording the
 * CloudTrail record AWS writes (via Ec2Call): `ModifyVpcAttribute` (DNS support / hostnames),
 * `CreateVpcEndpoint` / `DeleteVpcEndpoints` (interface endpoints: one ENI per subnet with the endpoint's
 * security groups; gateway endpoints are answered with an error, the lab does not route prefix lists), and
 * the NAT gateway Elastic IP changes `AssociateNatGatewayAddress` / `DisassociateNatGatewayAddress`.
 * Newer EC2 APIs are logged with PascalCase `<Action>Request` / `<Action>Response` wrappers and lists as
 * `{tag, content}` items, as CloudTrail does for them; the classic ModifyVpcAttribute keeps camelCase.
 */
import { createHash } from 'node:crypto';
import type { NetworkWorld } from './network.js';
import { Ec2Call, type Ec2CallOptions, type Ec2Result } from './network-call.js';
import { type VpcEndpoint, vpcEndpointShape } from './network-endpoints.js';
import { natAddressAssociationId } from './network-shapes.js';
import { stableId } from './network-spec.js';

function call(
  world: NetworkWorld,
  eventName: string,
  options: Ec2CallOptions,
  params: Record<string, unknown>,
  dryRun?: boolean,
) {
  return new Ec2Call(world.ctx, eventName, options, dryRun ? { ...params, dryRun: true } : params);
}

/** CloudTrail's rendering of a list parameter of the newer EC2 APIs. */
function tagged(values: string[]): unknown {
  const items = values.map((content, i) => ({ tag: i + 1, content }));
  return items.length === 1 ? items[0] : items;
}

/** ModifyVpcAttribute: one attribute per call, as the API requires. */
export function modifyVpcAttribute(
  world: NetworkWorld,
  input: { vpcId: string; attribute: 'enableDnsSupport' | 'enableDnsHostnames'; value: boolean; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const c = call(
    world,
    'ModifyVpcAttribute',
    options,
    { vpcId: input.vpcId, [input.attribute]: { value: input.value } },
    input.dryRun,
  );
  const vpc = world.vpcs.get(input.vpcId);
  if (!vpc) return c.fail('InvalidVpcID.NotFound', `The vpc ID '${input.vpcId}' does not exist`);
  if (input.attribute === 'enableDnsHostnames' && input.value && !vpc.enableDnsSupport) {
    return c.fail('InvalidParameterValue', 'enableDnsHostnames cannot be true when enableDnsSupport is false');
  }
  if (input.dryRun) return c.dryRun();
  if (input.attribute === 'enableDnsSupport') vpc.enableDnsSupport = input.value;
  else vpc.enableDnsHostnames = input.value;
  return c.succeed(true, { _return: true });
}

export interface CreateVpcEndpointInput {
  vpcId: string;
  serviceName: string;
  vpcEndpointType?: 'Interface' | 'Gateway';
  subnetIds: string[];
  securityGroupIds: string[];
  privateDnsEnabled?: boolean;
  dryRun?: boolean;
}

function macAddress(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex');
  return ['02', ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))].join(':');
}

export function createVpcEndpoint(
  world: NetworkWorld,
  input: CreateVpcEndpointInput,
  options: Ec2CallOptions,
): Ec2Result<VpcEndpoint> {
  const type = input.vpcEndpointType ?? 'Gateway';
  const request = {
    CreateVpcEndpointRequest: {
      VpcId: input.vpcId,
      ServiceName: input.serviceName,
      VpcEndpointType: type,
      ...(input.subnetIds.length ? { SubnetId: tagged(input.subnetIds) } : {}),
      ...(input.securityGroupIds.length ? { SecurityGroupId: tagged(input.securityGroupIds) } : {}),
      ...(input.privateDnsEnabled !== undefined ? { PrivateDnsEnabled: input.privateDnsEnabled } : {}),
      ...(input.dryRun ? { DryRun: true } : {}),
    },
  };
  const c = new Ec2Call(world.ctx, 'CreateVpcEndpoint', options, request);
  const vpc = world.vpcs.get(input.vpcId);
  if (!vpc) return c.fail('InvalidVpcId.NotFound', `The Vpc Id ${input.vpcId} does not exist`);
  if (type !== 'Interface') {
    return c.fail(
      'InvalidParameter',
      'The lab emulates Interface endpoints only (gateway endpoints route prefix lists)',
    );
  }
  const subnets = input.subnetIds.map((id) => world.subnets.get(id));
  const missing = input.subnetIds.find((id) => world.subnets.get(id)?.vpcId !== input.vpcId);
  if (missing) return c.fail('InvalidSubnetId.NotFound', `The subnet ID '${missing}' does not exist in ${input.vpcId}`);
  const zones = subnets.map((s) => s?.availabilityZone);
  if (new Set(zones).size !== zones.length) {
    return c.fail('DuplicateSubnetsInSameZone', 'Found another VPC endpoint subnet in the availability zone');
  }
  const unknownGroup = input.securityGroupIds.find((g) => world.securityGroups.get(g)?.vpcId !== input.vpcId);
  if (unknownGroup) return c.fail('InvalidGroupId.NotFound', `The security group '${unknownGroup}' does not exist`);
  if (input.privateDnsEnabled && !(vpc.enableDnsSupport && vpc.enableDnsHostnames)) {
    return c.fail('InvalidParameter', 'Enabling private DNS requires both enableDnsSupport and enableDnsHostnames');
  }
  if (input.dryRun) return c.dryRun();
  const vpcEndpointId = stableId('vpce', `${input.vpcId}:${input.serviceName}:${world.vpcEndpoints.size}`);
  const groupIds = input.securityGroupIds.length
    ? input.securityGroupIds
    : [...world.securityGroups.values()]
        .filter((g) => g.vpcId === input.vpcId && g.groupName === 'default')
        .map((g) => g.groupId);
  const networkInterfaceIds: string[] = [];
  for (const subnet of subnets) {
    if (!subnet) continue;
    const ip = world.allocateIp(subnet.subnetId);
    if (!ip.ok) return c.fail(ip.code, ip.message);
    const networkInterfaceId = stableId('eni', `${vpcEndpointId}:${subnet.subnetId}`);
    world.networkInterfaces.set(networkInterfaceId, {
      networkInterfaceId,
      subnetId: subnet.subnetId,
      vpcId: input.vpcId,
      availabilityZone: subnet.availabilityZone,
      availabilityZoneId: subnet.availabilityZoneId,
      privateIpAddress: ip.address,
      securityGroupIds: [...groupIds],
      tags: {},
      description: `VPC Endpoint Interface ${vpcEndpointId}`,
      interfaceType: 'vpc_endpoint',
      requesterManaged: true,
      requesterId: 'amazon-vpce',
      status: 'in-use',
      macAddress: macAddress(networkInterfaceId),
    });
    networkInterfaceIds.push(networkInterfaceId);
  }
  const endpoint: VpcEndpoint = {
    vpcEndpointId,
    vpcId: input.vpcId,
    vpcEndpointType: 'Interface',
    serviceName: input.serviceName,
    state: 'available',
    routeTableIds: [],
    subnetIds: [...input.subnetIds],
    networkInterfaceIds,
    groupIds: [...groupIds],
    privateDnsEnabled: input.privateDnsEnabled ?? false,
    createdAt: world.ctx.clock.now(),
  };
  world.vpcEndpoints.set(vpcEndpointId, endpoint);
  return c.succeedRaw(endpoint, {
    CreateVpcEndpointResponse: {
      vpcEndpoint: JSON.parse(JSON.stringify(vpcEndpointShape(endpoint, world.ctx.account, world.ctx.region))),
      requestId: c.requestId,
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
    },
  });
}

/** DeleteVpcEndpoints: removes each endpoint and its ENIs; unknown ids are listed as unsuccessful, as EC2 does. */
export function deleteVpcEndpoints(
  world: NetworkWorld,
  input: { vpcEndpointIds: string[]; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<{ unsuccessful: { resourceId: string; code: string; message: string }[] }> {
  const c = new Ec2Call(world.ctx, 'DeleteVpcEndpoints', options, {
    DeleteVpcEndpointsRequest: {
      VpcEndpointId: tagged(input.vpcEndpointIds),
      ...(input.dryRun ? { DryRun: true } : {}),
    },
  });
  if (input.dryRun) return c.dryRun();
  const unsuccessful: { resourceId: string; code: string; message: string }[] = [];
  for (const id of input.vpcEndpointIds) {
    const endpoint = world.vpcEndpoints.get(id);
    if (!endpoint) {
      unsuccessful.push({
        resourceId: id,
        code: 'InvalidVpcEndpoint.NotFound',
        message: `The VpcEndpoint Id '${id}' does not exist`,
      });
      continue;
    }
    for (const eni of endpoint.networkInterfaceIds) world.networkInterfaces.delete(eni);
    world.vpcEndpoints.delete(id);
  }
  return c.succeedRaw(
    { unsuccessful },
    {
      DeleteVpcEndpointsResponse: {
        unsuccessful: unsuccessful.length
          ? {
              item: unsuccessful.map((u) => ({
                error: { code: u.code, message: u.message },
                resourceId: u.resourceId,
              })),
            }
          : '',
        requestId: c.requestId,
        xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      },
    },
  );
}

/**
 * AssociateNatGatewayAddress (one Elastic IP; the lab's NAT gateways hold one address): the internet then
 * sees the new address. Fails when the gateway already has one (disassociate it first) or the EIP is in use.
 */
export function associateNatGatewayAddress(
  world: NetworkWorld,
  input: { natGatewayId: string; allocationId: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const c = call(
    world,
    'AssociateNatGatewayAddress',
    options,
    {
      AssociateNatGatewayAddressRequest: {
        NatGatewayId: input.natGatewayId,
        AllocationId: tagged([input.allocationId]),
      },
    },
    input.dryRun,
  );
  const nat = world.natGateways.get(input.natGatewayId);
  if (!nat || world.natState(nat) === 'deleted')
    return c.fail('NatGatewayNotFound', `NAT gateway ${input.natGatewayId} was not found`);
  const eip = world.elasticIps.get(input.allocationId);
  if (!eip) return c.fail('InvalidAllocationID.NotFound', `The allocation ID '${input.allocationId}' does not exist`);
  if (eip.associatedNatGatewayId)
    return c.fail('Resource.AlreadyAssociated', `Elastic IP address [${input.allocationId}] is already associated`);
  if (nat.publicIp) return c.fail('InvalidParameter', `${input.natGatewayId} already has a primary Elastic IP address`);
  if (input.dryRun) return c.dryRun();
  nat.allocationId = eip.allocationId;
  nat.publicIp = eip.publicIp;
  eip.associatedNatGatewayId = nat.natGatewayId;
  return c.succeedRaw(true, {
    AssociateNatGatewayAddressResponse: {
      natGatewayId: nat.natGatewayId,
      natGatewayAddressSet: { item: { allocationId: eip.allocationId, publicIp: eip.publicIp, status: 'associating' } },
      requestId: c.requestId,
    },
  });
}

/** DisassociateNatGatewayAddress: the gateway keeps running without a public address (no internet egress). */
export function disassociateNatGatewayAddress(
  world: NetworkWorld,
  input: { natGatewayId: string; associationId: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const c = call(
    world,
    'DisassociateNatGatewayAddress',
    options,
    {
      DisassociateNatGatewayAddressRequest: {
        NatGatewayId: input.natGatewayId,
        AssociationId: tagged([input.associationId]),
      },
    },
    input.dryRun,
  );
  const nat = world.natGateways.get(input.natGatewayId);
  if (!nat) return c.fail('NatGatewayNotFound', `NAT gateway ${input.natGatewayId} was not found`);
  const eip = nat.allocationId ? world.elasticIps.get(nat.allocationId) : undefined;
  if (!eip || input.associationId !== natAddressAssociationId(nat.natGatewayId, eip.allocationId)) {
    return c.fail('InvalidAssociationID.NotFound', `The association ID '${input.associationId}' does not exist`);
  }
  if (input.dryRun) return c.dryRun();
  delete nat.allocationId;
  delete nat.publicIp;
  delete eip.associatedNatGatewayId;
  return c.succeedRaw(true, {
    DisassociateNatGatewayAddressResponse: {
      natGatewayId: nat.natGatewayId,
      natGatewayAddressSet: {
        item: { allocationId: eip.allocationId, publicIp: eip.publicIp, status: 'disassociating' },
      },
      requestId: c.requestId,
    },
  });
}
