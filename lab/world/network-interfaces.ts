/** Network interface mutations: the EC2 API calls and the connector ENIs the compute world creates. */
import type { CallerIdentity } from '../trail/record.js';
import { type CreateEniInput, type EniCreateResult, LAB_PRINCIPALS } from './contracts.js';
import { type Ec2CallOptions, type Ec2Result, itemSet } from './network-call.js';
import type { NetworkInterface } from './network-model.js';
import { networkInterfaceShape } from './network-shapes.js';
import { stableId } from './network-spec.js';
import { macAddressFor, type NetworkState } from './network-state.js';

export function createNetworkInterfaceCall(
  world: NetworkState,
  input: CreateEniInput & { privateIpAddress?: string },
  options: Ec2CallOptions,
): Ec2Result<NetworkInterface> {
  const tagEntries = Object.entries(input.tags);
  const call = world.begin(
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
  const subnet = world.subnets.get(input.subnetId);
  if (!subnet) return call.fail('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId}' does not exist`);
  const missingGroup = input.securityGroupIds.find((id) => world.securityGroups.get(id)?.vpcId !== subnet.vpcId);
  if (missingGroup) {
    return world.securityGroups.has(missingGroup)
      ? call.fail(
          'InvalidParameter',
          `Security group ${missingGroup} and subnet ${input.subnetId} belong to different networks.`,
        )
      : call.fail('InvalidGroup.NotFound', `The security group '${missingGroup}' does not exist`);
  }
  const ip = world.allocateIp(input.subnetId, input.privateIpAddress);
  if (!ip.ok) return call.fail(ip.code, ip.message);
  if (input.dryRun) return call.dryRun();
  const networkInterfaceId = world.nextId('eni');
  const managed = input.operatorPrincipal !== undefined;
  const hyperplane = hyperplaneRequester(options.caller, input.description);
  const eni: NetworkInterface = {
    networkInterfaceId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    privateIpAddress: ip.address,
    securityGroupIds: input.securityGroupIds.length
      ? [...input.securityGroupIds]
      : [stableId('sg', `default:${vpcNameOf(world, subnet.vpcId)}`)],
    tags: { ...input.tags },
    description: input.description ?? '',
    interfaceType: hyperplane ? 'lambda' : (input.interfaceType ?? 'interface'),
    requesterManaged: false,
    // Managed (connector) ENIs and Hyperplane ENIs are in use by the service from the start.
    status: managed || hyperplane ? 'in-use' : 'available',
    macAddress: macAddressFor(networkInterfaceId),
    ...(managed ? { operator: { managed: true, principal: input.operatorPrincipal as string } } : {}),
    ...(hyperplane
      ? {
          requesterId: hyperplane,
          serviceAttachment: {
            attachmentId: `ela-attach-${networkInterfaceId.slice(4)}`,
            instanceOwnerId: 'amazon-aws',
            attachTime: world.ctx.clock.now().toISOString(),
          },
        }
      : {}),
  };
  world.networkInterfaces.set(networkInterfaceId, eni);
  return call.succeed(eni, {
    networkInterface: networkInterfaceShape(
      eni,
      (id) => world.groupName(id),
      world.ctx.account,
      world.ctx.region,
      'pending',
    ),
  });
}

/**
 * The `RequesterId` of a Hyperplane ENI when Lambda creates one: the function's execution role
 * (`<role id>:<session>`) calling through lambda.amazonaws.com with an `AWS Lambda VPC ENI-…` description;
 * null for any other ENI (docs/hyperplane-enis.md).
 */
function hyperplaneRequester(caller: CallerIdentity, description: string | undefined): string | null {
  if (caller.kind !== 'assumed-role' || caller.invokedBy !== LAB_PRINCIPALS.lambdaService) return null;
  if (!(description ?? '').startsWith('AWS Lambda VPC ENI')) return null;
  const roleId = caller.roleId ?? `AROA${stableId('role', caller.roleName).slice(5, 21).toUpperCase()}`;
  return `${roleId}:${caller.sessionName}`;
}

export function vpcNameOf(world: NetworkState, vpcId: string): string {
  for (const [key, id] of world.logicalIds) if (id === vpcId && key.startsWith('vpc:')) return key.slice(4);
  return vpcId;
}

export function deleteNetworkInterfaceCall(
  world: NetworkState,
  input: { networkInterfaceId: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const call = world.begin(
    'DeleteNetworkInterface',
    options,
    { networkInterfaceId: input.networkInterfaceId },
    input.dryRun,
  );
  const eni = world.networkInterfaces.get(input.networkInterfaceId);
  if (!eni) {
    return call.fail(
      'InvalidNetworkInterfaceID.NotFound',
      `The networkInterface ID '${input.networkInterfaceId}' does not exist`,
    );
  }
  // A Hyperplane ENI is attached by Lambda: only Lambda (the function's role via lambda.amazonaws.com) deletes it.
  const byLambda = options.caller.kind === 'assumed-role' && options.caller.invokedBy === LAB_PRINCIPALS.lambdaService;
  if (eni.attachedInstanceId || eni.requesterManaged || (eni.serviceAttachment && !byLambda)) {
    return call.fail(
      'InvalidNetworkInterface.InUse',
      `The network interface '${eni.networkInterfaceId}' is currently in use.`,
    );
  }
  if (input.dryRun) return call.dryRun();
  world.networkInterfaces.delete(eni.networkInterfaceId);
  return call.succeed(true, { _return: true });
}

export function createNetworkInterface(
  world: NetworkState,
  input: CreateEniInput,
  caller: CallerIdentity,
): EniCreateResult {
  const result = createNetworkInterfaceCall(world, input, { caller });
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

export function deleteNetworkInterface(
  world: NetworkState,
  networkInterfaceId: string,
  caller: CallerIdentity,
): boolean {
  return deleteNetworkInterfaceCall(world, { networkInterfaceId }, { caller }).ok;
}
