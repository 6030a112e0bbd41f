/** Route and route-table association mutations (Create/Replace/DeleteRoute, ReplaceRouteTableAssociation). */

import type { Ec2CallOptions, Ec2Result } from './network-call.js';
import { isCidr } from './network-cidr.js';
import type { RouteTarget } from './network-model.js';
import type { NetworkState, RouteInput, RouteTargetInput } from './network-state.js';

export function resolveRouteTarget(
  world: NetworkState,
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
    const igw = world.internetGateways.get(target.gatewayId);
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
    const nat = world.natGateways.get(target.natGatewayId);
    if (!nat || world.natState(nat) === 'deleted') {
      return { code: 'NatGatewayNotFound', message: `The natGateway ID '${target.natGatewayId}' does not exist` };
    }
    return { target: { kind: 'nat-gateway', natGatewayId: nat.natGatewayId } };
  }
  if (target.networkInterfaceId) {
    if (!world.networkInterfaces.has(target.networkInterfaceId)) {
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

export function routeCall(world: NetworkState, eventName: string, input: RouteInput, options: Ec2CallOptions) {
  const call = world.begin(
    eventName,
    options,
    { routeTableId: input.routeTableId, destinationCidrBlock: input.destinationCidrBlock, ...input.target },
    input.dryRun,
  );
  const table = world.routeTables.get(input.routeTableId);
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

export function createRoute(world: NetworkState, input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
  const { call, table, error } = routeCall(world, 'CreateRoute', input, options);
  if (!table) return error;
  const resolved = resolveRouteTarget(world, input.target, table.vpcId);
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

export function replaceRoute(world: NetworkState, input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
  const { call, table, error } = routeCall(world, 'ReplaceRoute', input, options);
  if (!table) return error;
  const resolved = resolveRouteTarget(world, input.target, table.vpcId);
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

export function deleteRoute(
  world: NetworkState,
  input: { routeTableId: string; destinationCidrBlock: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const { call, table, error } = routeCall(world, 'DeleteRoute', { ...input, target: {} }, options);
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

export function replaceRouteTableAssociation(
  world: NetworkState,
  input: { associationId: string; routeTableId: string; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<string> {
  const call = world.begin(
    'ReplaceRouteTableAssociation',
    options,
    { associationId: input.associationId, routeTableId: input.routeTableId },
    input.dryRun,
  );
  const current = [...world.routeTables.values()].find((table) =>
    table.associations.some((a) => a.associationId === input.associationId),
  );
  const association = current?.associations.find((a) => a.associationId === input.associationId);
  if (!current || !association) {
    return call.fail('InvalidAssociationID.NotFound', `The association ID '${input.associationId}' does not exist`);
  }
  const next = world.routeTables.get(input.routeTableId);
  if (!next)
    return call.fail('InvalidRouteTableID.NotFound', `The routeTable ID '${input.routeTableId}' does not exist`);
  if (next.vpcId !== current.vpcId) {
    return call.fail('InvalidParameterValue', `route table ${input.routeTableId} belongs to a different VPC`);
  }
  if (input.dryRun) return call.dryRun();
  const newAssociationId = world.nextId('rtbassoc');
  current.associations = current.associations.filter((a) => a !== association);
  next.associations.push({
    associationId: newAssociationId,
    main: association.main,
    ...(association.subnetId ? { subnetId: association.subnetId } : {}),
  });
  return call.succeed(newAssociationId, { newAssociationId, associationState: { state: 'associated' } });
}
