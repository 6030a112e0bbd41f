/**
 * EC2 emulator speaking the query protocol (Action + Version=2016-11-15, form body or query string) with
 * EC2's XML responses, over the lab's network world. Mutations go through NetworkWorld, which records the
 * CloudTrail record for every outcome (success, error, dry run); Describe calls are not recorded.
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../trail/record.js';
import type { IpPermissionInput, NetworkAclEntryInput, NetworkWorld, RouteInput } from '../world/network.js';
import type { Ec2Result, Ec2Value } from '../world/network-call.js';
import {
  natGatewayShape,
  networkInterfaceShape,
  revokedRuleShape,
  securityGroupRuleShape,
} from '../world/network-shapes.js';
import {
  describeNatGateways,
  describeNetworkAcls,
  describeNetworkInterfaces,
  describeRouteTables,
  describeSecurityGroupRules,
  describeSecurityGroups,
  describeSubnets,
  describeVpcAttribute,
  describeVpcs,
} from './ec2-describe.js';
import { describeInternetGateways, describePrefixLists, describeVpcEndpoints } from './ec2-describe-gateways.js';
import type { Ec2FaultSwitch } from './ec2-faults.js';
import { VPC_MUTATION_HANDLERS } from './ec2-vpc-handlers.js';
import { Ec2ClientError, ec2Error, ec2Response, QueryParams, required } from './ec2-wire.js';
import type { Emulator, LabRequest, LabResponse } from './http.js';

export interface Ec2EmulatorOptions {
  callerFor(req: LabRequest): CallerIdentity;
  /** Switchable faults (throttling); none when omitted. */
  faults?: Ec2FaultSwitch;
}

interface Invocation {
  world: NetworkWorld;
  params: QueryParams;
  caller: CallerIdentity;
  requestId: string;
}

type Members = { [key: string]: Ec2Value };
type Handler = (call: Invocation) => Members;

/** Unwraps a world result into response members, or throws the EC2 error it carries. */
function unwrap<T>(result: Ec2Result<T>, render: (value: T) => Members): Members {
  if (!result.ok) throw new Ec2ClientError(result.code, result.message);
  return render(result.value);
}

const returnTrue = () => ({ return: true });

function dryRun(params: QueryParams): { dryRun?: boolean } {
  return params.bool('DryRun') ? { dryRun: true } : {};
}

function optionalInt(params: QueryParams, name: string): { [key: string]: number } {
  const value = params.int(name);
  return value === undefined ? {} : { [toCamel(name)]: value };
}

function toCamel(name: string): string {
  return `${name[0]?.toLowerCase() ?? ''}${name.slice(1)}`;
}

function withDescription<T extends object>(value: T, description: string | undefined): T & { description?: string } {
  return description === undefined ? value : { ...value, description };
}

/** IpPermissions.N.* — or the legacy flat CidrIp/IpProtocol/FromPort/ToPort form. */
function ipPermissions(params: QueryParams): IpPermissionInput[] {
  const structured = params.structs('IpPermissions').map((permission) => ({
    ipProtocol: required(permission, 'IpProtocol'),
    ...optionalInt(permission, 'FromPort'),
    ...optionalInt(permission, 'ToPort'),
    ipRanges: permission
      .structs('IpRanges')
      .map((range) => withDescription({ cidrIp: required(range, 'CidrIp') }, range.get('Description'))),
    groups: permission
      .structs('Groups')
      .map((pair) => withDescription({ groupId: required(pair, 'GroupId') }, pair.get('Description'))),
  }));
  const cidrIp = params.get('CidrIp');
  if (structured.length || cidrIp === undefined) return structured;
  return [
    {
      ipProtocol: params.get('IpProtocol') ?? '-1',
      ...optionalInt(params, 'FromPort'),
      ...optionalInt(params, 'ToPort'),
      ipRanges: [{ cidrIp }],
      groups: [],
    },
  ];
}

function tagsFrom(params: QueryParams, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of params.structs('TagSpecification')) {
    if (spec.get('ResourceType') !== resourceType) continue;
    for (const tag of spec.structs('Tag')) tags[required(tag, 'Key')] = tag.get('Value') ?? '';
  }
  return tags;
}

const ROUTE_TARGET_PARAMS = [
  'GatewayId',
  'NatGatewayId',
  'NetworkInterfaceId',
  'InstanceId',
  'TransitGatewayId',
  'VpcPeeringConnectionId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
] as const;

function routeInput(params: QueryParams): RouteInput {
  const target: RouteInput['target'] = {};
  for (const name of ROUTE_TARGET_PARAMS) {
    const value = params.get(name);
    if (value !== undefined) target[toCamel(name) as keyof RouteInput['target'] & string] = value as never;
  }
  if (params.bool('LocalTarget')) target.localTarget = true;
  return {
    routeTableId: required(params, 'RouteTableId'),
    destinationCidrBlock: required(params, 'DestinationCidrBlock'),
    target,
    ...dryRun(params),
  };
}

function naclEntryInput(params: QueryParams): NetworkAclEntryInput {
  const from = params.int('PortRange.From');
  const to = params.int('PortRange.To');
  const icmpType = params.int('Icmp.Type');
  const icmpCode = params.int('Icmp.Code');
  return {
    networkAclId: required(params, 'NetworkAclId'),
    ruleNumber: Number(required(params, 'RuleNumber')),
    protocol: required(params, 'Protocol'),
    ruleAction: required(params, 'RuleAction') as 'allow' | 'deny',
    egress: params.bool('Egress') ?? false,
    cidrBlock: required(params, 'CidrBlock'),
    ...(from !== undefined || to !== undefined ? { portRange: { from: from ?? 0, to: to ?? from ?? 65535 } } : {}),
    ...(icmpType !== undefined ? { icmpTypeCode: { type: icmpType, code: icmpCode ?? -1 } } : {}),
    ...dryRun(params),
  };
}

function securityGroupRuleHandlers(direction: 'Ingress' | 'Egress'): Record<string, Handler> {
  const egress = direction === 'Egress';
  return {
    [`AuthorizeSecurityGroup${direction}`]: ({ world, params, caller, requestId }) => {
      const groupId = required(params, 'GroupId');
      const result = world.authorizeSecurityGroupRules(
        { groupId, egress, ipPermissions: ipPermissions(params), ...dryRun(params) },
        { caller, requestId },
      );
      const vpcId = world.securityGroups.get(groupId)?.vpcId ?? '';
      return unwrap(result, (rules) => ({
        return: true,
        securityGroupRuleSet: rules.map((rule) => securityGroupRuleShape(rule, world.ctx.account, vpcId)),
      }));
    },
    [`RevokeSecurityGroup${direction}`]: ({ world, params, caller, requestId }) => {
      const ruleIds = params.list('SecurityGroupRuleId');
      const result = world.revokeSecurityGroupRules(
        {
          groupId: required(params, 'GroupId'),
          egress,
          ...(ruleIds.length ? { securityGroupRuleIds: ruleIds } : { ipPermissions: ipPermissions(params) }),
          ...dryRun(params),
        },
        { caller, requestId },
      );
      return unwrap(result, (rules) => ({ return: true, revokedSecurityGroupRuleSet: rules.map(revokedRuleShape) }));
    },
  };
}

const HANDLERS: Record<string, Handler> = {
  DescribeVpcs: ({ world, params }) => describeVpcs(world, params),
  DescribeVpcAttribute: ({ world, params }) => describeVpcAttribute(world, params),
  DescribeSubnets: ({ world, params }) => describeSubnets(world, params),
  DescribeRouteTables: ({ world, params }) => describeRouteTables(world, params),
  DescribeSecurityGroups: ({ world, params }) => describeSecurityGroups(world, params),
  DescribeSecurityGroupRules: ({ world, params }) => describeSecurityGroupRules(world, params),
  DescribeNetworkAcls: ({ world, params }) => describeNetworkAcls(world, params),
  DescribeNatGateways: ({ world, params }) => describeNatGateways(world, params),
  DescribeNetworkInterfaces: ({ world, params }) => describeNetworkInterfaces(world, params),
  DescribeInternetGateways: ({ world, params }) => describeInternetGateways(world, params),
  DescribeVpcEndpoints: ({ world, params }) => describeVpcEndpoints(world, params),
  DescribePrefixLists: ({ world, params }) => describePrefixLists(world, params),
  ...VPC_MUTATION_HANDLERS,

  ...securityGroupRuleHandlers('Ingress'),
  ...securityGroupRuleHandlers('Egress'),
  ModifySecurityGroupRules: ({ world, params, caller, requestId }) => {
    const updates = params.structs('SecurityGroupRule').map((update) => {
      const rule = update.scoped('SecurityGroupRule');
      const cidrIpv4 = rule.get('CidrIpv4');
      const referencedGroupId = rule.get('ReferencedGroupId');
      const description = rule.get('Description');
      return {
        securityGroupRuleId: required(update, 'SecurityGroupRuleId'),
        rule: {
          ipProtocol: required(rule, 'IpProtocol'),
          ...optionalInt(rule, 'FromPort'),
          ...optionalInt(rule, 'ToPort'),
          ...(cidrIpv4 !== undefined ? { cidrIpv4 } : {}),
          ...(referencedGroupId !== undefined ? { referencedGroupId } : {}),
          ...(description !== undefined ? { description } : {}),
        },
      };
    });
    const result = world.modifySecurityGroupRules(
      { groupId: required(params, 'GroupId'), updates, ...dryRun(params) },
      { caller, requestId },
    );
    return unwrap(result, returnTrue);
  },

  CreateRoute: ({ world, params, caller, requestId }) =>
    unwrap(world.createRoute(routeInput(params), { caller, requestId }), returnTrue),
  ReplaceRoute: ({ world, params, caller, requestId }) =>
    unwrap(world.replaceRoute(routeInput(params), { caller, requestId }), returnTrue),
  DeleteRoute: ({ world, params, caller, requestId }) =>
    unwrap(
      world.deleteRoute(
        {
          routeTableId: required(params, 'RouteTableId'),
          destinationCidrBlock: required(params, 'DestinationCidrBlock'),
          ...dryRun(params),
        },
        { caller, requestId },
      ),
      returnTrue,
    ),
  ReplaceRouteTableAssociation: ({ world, params, caller, requestId }) =>
    unwrap(
      world.replaceRouteTableAssociation(
        {
          associationId: required(params, 'AssociationId'),
          routeTableId: required(params, 'RouteTableId'),
          ...dryRun(params),
        },
        { caller, requestId },
      ),
      (newAssociationId) => ({ newAssociationId, associationState: { state: 'associated' } }),
    ),

  CreateNatGateway: ({ world, params, caller, requestId }) => {
    const subnetId = params.get('SubnetId');
    const vpcId = params.get('VpcId');
    const clientToken = params.get('ClientToken');
    const allocationId =
      params.get('AllocationId') ?? params.structs('AvailabilityZoneAddress').flatMap((a) => a.list('AllocationId'))[0];
    const mode = params.get('AvailabilityMode');
    const connectivity = params.get('ConnectivityType');
    const result = world.createNatGateway(
      {
        ...(subnetId ? { subnetId } : {}),
        ...(vpcId ? { vpcId } : {}),
        ...(allocationId ? { allocationId } : {}),
        ...(mode === 'regional' || mode === 'zonal' ? { availabilityMode: mode } : {}),
        ...(connectivity === 'private' || connectivity === 'public' ? { connectivityType: connectivity } : {}),
        ...(clientToken ? { clientToken } : {}),
        tags: tagsFrom(params, 'natgateway'),
        ...dryRun(params),
      },
      { caller, requestId },
    );
    return unwrap(result, (nat) => ({ clientToken, natGateway: natGatewayShape(nat, world.natState(nat)) }));
  },
  DeleteNatGateway: ({ world, params, caller, requestId }) =>
    unwrap(
      world.deleteNatGateway(
        { natGatewayId: required(params, 'NatGatewayId'), ...dryRun(params) },
        { caller, requestId },
      ),
      (nat) => ({ natGatewayId: nat.natGatewayId }),
    ),

  CreateNetworkAclEntry: ({ world, params, caller, requestId }) =>
    unwrap(world.putNetworkAclEntry(naclEntryInput(params), false, { caller, requestId }), returnTrue),
  ReplaceNetworkAclEntry: ({ world, params, caller, requestId }) =>
    unwrap(world.putNetworkAclEntry(naclEntryInput(params), true, { caller, requestId }), returnTrue),
  DeleteNetworkAclEntry: ({ world, params, caller, requestId }) =>
    unwrap(
      world.deleteNetworkAclEntry(
        {
          networkAclId: required(params, 'NetworkAclId'),
          ruleNumber: Number(required(params, 'RuleNumber')),
          egress: params.bool('Egress') ?? false,
          ...dryRun(params),
        },
        { caller, requestId },
      ),
      returnTrue,
    ),

  CreateNetworkInterface: ({ world, params, caller, requestId }) => {
    const description = params.get('Description');
    const privateIpAddress = params.get('PrivateIpAddress');
    const interfaceType = params.get('InterfaceType');
    const operatorPrincipal = params.get('Operator.Principal');
    const result = world.createNetworkInterfaceCall(
      {
        subnetId: required(params, 'SubnetId'),
        securityGroupIds: params.list('SecurityGroupId'),
        tags: tagsFrom(params, 'network-interface'),
        ...(description !== undefined ? { description } : {}),
        ...(privateIpAddress ? { privateIpAddress } : {}),
        ...(interfaceType ? { interfaceType } : {}),
        ...(operatorPrincipal ? { operatorPrincipal } : {}),
        ...dryRun(params),
      },
      { caller, requestId },
    );
    return unwrap(result, (eni) => ({
      networkInterface: networkInterfaceShape(
        eni,
        (id) => world.groupName(id),
        world.ctx.account,
        world.ctx.region,
        'pending',
      ),
    }));
  },
  DeleteNetworkInterface: ({ world, params, caller, requestId }) =>
    unwrap(
      world.deleteNetworkInterfaceCall(
        { networkInterfaceId: required(params, 'NetworkInterfaceId'), ...dryRun(params) },
        { caller, requestId },
      ),
      returnTrue,
    ),
};

export const EC2_SUPPORTED_ACTIONS = Object.keys(HANDLERS);

/** Query-string parameters, overlaid with the form body (the SDK POSTs everything in the body). */
function requestParams(req: LabRequest): QueryParams {
  const merged = new URLSearchParams(req.query);
  if (req.body.length > 0) {
    for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) merged.set(key, value);
  }
  return QueryParams.from(merged);
}

export function createEc2Emulator(world: NetworkWorld, options: Ec2EmulatorOptions): Emulator {
  return async (req: LabRequest): Promise<LabResponse> => {
    const requestId = randomUUID();
    const params = requestParams(req);
    const action = params.get('Action');
    const handler = action ? HANDLERS[action] : undefined;
    if (!action || !handler) {
      return ec2Error(
        'InvalidAction',
        `The action ${action ?? '(none)'} is not valid for this web service.`,
        requestId,
      );
    }
    if (options.faults?.shouldThrottle(action)) {
      return ec2Error('RequestLimitExceeded', 'Request limit exceeded.', requestId);
    }
    try {
      return ec2Response(action, requestId, handler({ world, params, caller: options.callerFor(req), requestId }));
    } catch (error) {
      if (error instanceof Ec2ClientError) return ec2Error(error.code, error.message, requestId);
      throw error;
    }
  };
}
