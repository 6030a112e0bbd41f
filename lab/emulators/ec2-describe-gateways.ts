/**
 * Describe calls for internet gateways, VPC endpoints and AWS-managed prefix lists, with the same id lists,
 * filters and MaxResults/NextToken pagination as the other Describe* operations (ec2-describe.ts).
 */
import type { NetworkWorld } from '../world/network.js';
import {
  type LabPrefixList,
  managedPrefixLists,
  type VpcEndpoint,
  vpcEndpointShape,
} from '../world/network-endpoints.js';
import type { InternetGateway } from '../world/network-model.js';
import { tagSet } from '../world/network-shapes.js';
import { describe, notFound } from './ec2-describe.js';
import type { QueryParams } from './ec2-wire.js';

export function describeInternetGateways(world: NetworkWorld, params: QueryParams) {
  const owner = world.ctx.account;
  return describe<InternetGateway>(params, 'internet-gateways', {
    listName: 'internetGatewaySet',
    idParam: 'InternetGatewayId',
    notFound: notFound('InvalidInternetGatewayID.NotFound', 'internetGateway ID'),
    items: [...world.internetGateways.values()],
    idOf: (igw) => igw.internetGatewayId,
    tagsOf: (igw) => igw.tags,
    filters: {
      'internet-gateway-id': (igw) => igw.internetGatewayId,
      'attachment.vpc-id': (igw) => igw.attachedVpcId,
      'attachment.state': (igw) => (igw.attachedVpcId ? 'available' : undefined),
      'owner-id': () => owner,
    },
    // EC2 reports an attached internet gateway's attachment state as "available".
    shape: (igw) => ({
      internetGatewayId: igw.internetGatewayId,
      ownerId: owner,
      attachmentSet: igw.attachedVpcId ? [{ vpcId: igw.attachedVpcId, state: 'available' }] : [],
      tagSet: tagSet(igw.tags),
    }),
  });
}

export function describeVpcEndpoints(world: NetworkWorld, params: QueryParams) {
  const { account, region } = world.ctx;
  return describe<VpcEndpoint>(params, 'vpc-endpoints', {
    listName: 'vpcEndpointSet',
    idParam: 'VpcEndpointId',
    notFound: notFound('InvalidVpcEndpointId.NotFound', 'Vpc Endpoint Id'),
    items: [...world.vpcEndpoints.values()],
    idOf: (endpoint) => endpoint.vpcEndpointId,
    tagsOf: () => ({}),
    filters: {
      'vpc-endpoint-id': (endpoint) => endpoint.vpcEndpointId,
      'vpc-id': (endpoint) => endpoint.vpcId,
      'service-name': (endpoint) => endpoint.serviceName,
      'vpc-endpoint-state': (endpoint) => endpoint.state,
      'vpc-endpoint-type': (endpoint) => endpoint.vpcEndpointType,
    },
    shape: (endpoint) => vpcEndpointShape(endpoint, account, region),
  });
}

export function describePrefixLists(world: NetworkWorld, params: QueryParams) {
  return describe<LabPrefixList>(params, 'prefix-lists', {
    listName: 'prefixListSet',
    idParam: 'PrefixListId',
    notFound: notFound('InvalidPrefixListId.NotFound', 'prefix list ID'),
    items: managedPrefixLists(world.ctx.region),
    idOf: (list) => list.prefixListId,
    tagsOf: () => ({}),
    filters: {
      'prefix-list-id': (list) => list.prefixListId,
      'prefix-list-name': (list) => list.prefixListName,
    },
    shape: (list) => ({ prefixListId: list.prefixListId, prefixListName: list.prefixListName, cidrSet: list.cidrs }),
  });
}
