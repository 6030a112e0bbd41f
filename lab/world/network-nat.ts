/** NAT gateway mutations (Create/DeleteNatGateway) and their pending/deleting transitions. */
import { cloudTrailJson, EC2_XMLNS, type Ec2CallOptions, type Ec2Result } from './network-call.js';
import type { NatGateway } from './network-model.js';
import { attachNatInterface, newRouteTable } from './network-seed.js';
import { natGatewayShape } from './network-shapes.js';
import { type CreateNatGatewayInput, NAT_GATEWAY_TRANSITION_MS, type NetworkState } from './network-state.js';

export function createNatGateway(
  world: NetworkState,
  input: CreateNatGatewayInput,
  options: Ec2CallOptions,
): Ec2Result<NatGateway> {
  const mode = input.availabilityMode ?? 'zonal';
  const call = world.begin(
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
  const subnet = input.subnetId ? world.subnets.get(input.subnetId) : undefined;
  if (input.subnetId && !subnet) {
    return call.fail('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId}' does not exist`);
  }
  const vpcId = subnet?.vpcId ?? input.vpcId;
  if (!vpcId || !world.vpcs.has(vpcId)) {
    return vpcId
      ? call.fail('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`)
      : call.fail('MissingParameter', 'The request must contain the parameter SubnetId');
  }
  if (mode === 'zonal' && !subnet)
    return call.fail('MissingParameter', 'The request must contain the parameter SubnetId');
  const eip = input.allocationId ? world.elasticIps.get(input.allocationId) : undefined;
  const connectivityType = input.connectivityType ?? 'public';
  if (connectivityType === 'public') {
    if (!eip) {
      return call.fail(
        'InvalidAllocationID.NotFound',
        `The allocation ID '${input.allocationId ?? ''}' does not exist`,
      );
    }
    const holder = eip.associatedNatGatewayId ? world.natGateways.get(eip.associatedNatGatewayId) : undefined;
    if (holder && world.natState(holder) !== 'deleted') {
      return call.fail('Resource.AlreadyAssociated', `Elastic IP address ${eip.allocationId} is already associated`);
    }
    const igw = [...world.internetGateways.values()].find((gateway) => gateway.attachedVpcId === vpcId);
    if (!igw) return call.fail('Gateway.NotAttached', `Network ${vpcId} has no Internet gateway attached`);
  }
  if (subnet && world.freeIpCount(subnet.subnetId) <= 0) {
    return call.fail(
      'InsufficientFreeAddressesInSubnet',
      'Subnet has insufficient free addresses to create world NAT gateway',
    );
  }
  if (input.dryRun) return call.dryRun();
  const now = world.ctx.clock.now();
  const natGatewayId = world.nextId('nat');
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
    nat.privateIp = attachNatInterface(world, nat, subnet.subnetId, `api-nat:${natGatewayId}`).privateIpAddress;
  else nat.routeTableId = createNatRouteTable(world, vpcId, natGatewayId);
  if (eip) eip.associatedNatGatewayId = natGatewayId;
  world.natGateways.set(natGatewayId, nat);
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
export function createNatRouteTable(world: NetworkState, vpcId: string, natGatewayId: string): string {
  const id = world.nextId('rtb');
  const table = newRouteTable(world, id, vpcId, false, natGatewayId);
  const igw = [...world.internetGateways.values()].find((gateway) => gateway.attachedVpcId === vpcId);
  if (igw) {
    table.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      target: { kind: 'gateway', gatewayId: igw.internetGatewayId },
      origin: 'CreateRouteTable',
    });
  }
  world.routeTables.set(id, table);
  return id;
}

export function deleteNatGateway(
  world: NetworkState,
  input: { natGatewayId: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<NatGateway> {
  // CloudTrail logs world newer API with PascalCase request/response wrappers (EC2 API model ec2/2016-11-15).
  const call = world.begin(
    'DeleteNatGateway',
    options,
    { DeleteNatGatewayRequest: { NatGatewayId: input.natGatewayId, ...(input.dryRun ? { DryRun: true } : {}) } },
    false,
  );
  const nat = world.natGateways.get(input.natGatewayId);
  if (!nat || world.natState(nat) === 'deleted') {
    return call.fail('NatGatewayNotFound', `The Nat Gateway ${input.natGatewayId} was not found`);
  }
  if (input.dryRun) return call.dryRun();
  if (!nat.deleteRequestedAt) nat.deleteRequestedAt = world.ctx.clock.now();
  // Its managed interface goes with it; the EIP becomes free again.
  if (nat.networkInterfaceId) world.networkInterfaces.delete(nat.networkInterfaceId);
  return call.succeedRaw(nat, {
    DeleteNatGatewayResponse: {
      natGatewayId: nat.natGatewayId,
      requestId: call.requestId,
      xmlns: EC2_XMLNS,
    },
  });
}
