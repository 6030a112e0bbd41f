/**
 * EC2 query-protocol handlers for the mutations in lab/world/network-vpc-mutations.ts: ModifyVpcAttribute,
 * CreateVpcEndpoint, DeleteVpcEndpoints, AssociateNatGatewayAddress, DisassociateNatGatewayAddress.
 */
import type { CallerIdentity } from '../trail/record.js';
import type { NetworkWorld } from '../world/network.js';
import type { Ec2Result, Ec2Value } from '../world/network-call.js';
import { vpcEndpointShape } from '../world/network-endpoints.js';
import {
  associateNatGatewayAddress,
  createVpcEndpoint,
  deleteVpcEndpoints,
  disassociateNatGatewayAddress,
  modifyVpcAttribute,
} from '../world/network-vpc-mutations.js';
import { Ec2ClientError, type QueryParams, required } from './ec2-wire.js';

interface Call {
  world: NetworkWorld;
  params: QueryParams;
  caller: CallerIdentity;
  requestId: string;
}
type Members = { [key: string]: Ec2Value };

function unwrap<T>(result: Ec2Result<T>, render: (value: T) => Members): Members {
  if (!result.ok) throw new Ec2ClientError(result.code, result.message);
  return render(result.value);
}

const dryRun = (params: QueryParams) => (params.bool('DryRun') ? { dryRun: true } : {});

export const VPC_MUTATION_HANDLERS: Record<string, (call: Call) => Members> = {
  ModifyVpcAttribute: ({ world, params, caller, requestId }) => {
    const support = params.bool('EnableDnsSupport.Value');
    const hostnames = params.bool('EnableDnsHostnames.Value');
    if ((support === undefined) === (hostnames === undefined)) {
      throw new Ec2ClientError('InvalidParameterCombination', 'Exactly one attribute must be modified per request');
    }
    return unwrap(
      modifyVpcAttribute(
        world,
        {
          vpcId: required(params, 'VpcId'),
          attribute: support !== undefined ? 'enableDnsSupport' : 'enableDnsHostnames',
          value: (support ?? hostnames) === true,
          ...dryRun(params),
        },
        { caller, requestId },
      ),
      () => ({ return: true }),
    );
  },
  CreateVpcEndpoint: ({ world, params, caller, requestId }) => {
    const type = params.get('VpcEndpointType');
    const privateDns = params.bool('PrivateDnsEnabled');
    return unwrap(
      createVpcEndpoint(
        world,
        {
          vpcId: required(params, 'VpcId'),
          serviceName: required(params, 'ServiceName'),
          ...(type === 'Interface' || type === 'Gateway' ? { vpcEndpointType: type } : {}),
          subnetIds: params.list('SubnetId'),
          securityGroupIds: params.list('SecurityGroupId'),
          ...(privateDns !== undefined ? { privateDnsEnabled: privateDns } : {}),
          ...dryRun(params),
        },
        { caller, requestId },
      ),
      (endpoint) => ({ vpcEndpoint: vpcEndpointShape(endpoint, world.ctx.account, world.ctx.region) }),
    );
  },
  DeleteVpcEndpoints: ({ world, params, caller, requestId }) =>
    unwrap(
      deleteVpcEndpoints(
        world,
        { vpcEndpointIds: params.list('VpcEndpointId'), ...dryRun(params) },
        { caller, requestId },
      ),
      ({ unsuccessful }) => ({
        unsuccessful: unsuccessful.map((u) => ({
          error: { code: u.code, message: u.message },
          resourceId: u.resourceId,
        })),
      }),
    ),
  AssociateNatGatewayAddress: ({ world, params, caller, requestId }) => {
    const natGatewayId = required(params, 'NatGatewayId');
    const [allocationId] = params.list('AllocationId');
    if (!allocationId)
      throw new Ec2ClientError('MissingParameter', 'The request must contain the parameter AllocationId');
    return unwrap(
      associateNatGatewayAddress(world, { natGatewayId, allocationId, ...dryRun(params) }, { caller, requestId }),
      () => ({ natGatewayId }),
    );
  },
  DisassociateNatGatewayAddress: ({ world, params, caller, requestId }) => {
    const natGatewayId = required(params, 'NatGatewayId');
    const [associationId] = params.list('AssociationId');
    if (!associationId)
      throw new Ec2ClientError('MissingParameter', 'The request must contain the parameter AssociationId');
    return unwrap(
      disassociateNatGatewayAddress(world, { natGatewayId, associationId, ...dryRun(params) }, { caller, requestId }),
      () => ({ natGatewayId }),
    );
  },
};
