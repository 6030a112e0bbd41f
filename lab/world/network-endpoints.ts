/**
 * VPC endpoints and AWS-managed prefix lists of the lab's network world (the resources and their wire
 * shapes). Gateway endpoints (S3, DynamoDB) add a route whose destination is the service's prefix list;
 * interface endpoints place one ENI per subnet. Facts from "Gateway endpoints" and "Interface endpoints" in
 * the AWS PrivateLink guide (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
 */
import type { Ec2Value } from './network-call.js';
import { stableId } from './network-spec.js';

export interface VpcEndpoint {
  vpcEndpointId: string;
  vpcId: string;
  vpcEndpointType: 'Gateway' | 'Interface';
  serviceName: string;
  state: 'available' | 'deleted';
  routeTableIds: string[];
  subnetIds: string[];
  networkInterfaceIds: string[];
  groupIds: string[];
  privateDnsEnabled: boolean;
  createdAt: Date;
}

export interface LabPrefixList {
  prefixListId: string;
  prefixListName: string;
  cidrs: string[];
}

/**
 * The AWS-managed prefix lists of the lab's region (S3 and DynamoDB), in documentation address space so no
 * packet could ever leave the machine.
 */
export function managedPrefixLists(region: string): LabPrefixList[] {
  return [
    {
      prefixListId: stableId('pl', `s3:${region}`, 8),
      prefixListName: `com.amazonaws.${region}.s3`,
      cidrs: ['203.0.113.0/25'],
    },
    {
      prefixListId: stableId('pl', `dynamodb:${region}`, 8),
      prefixListName: `com.amazonaws.${region}.dynamodb`,
      cidrs: ['203.0.113.128/25'],
    },
  ];
}

/** `vpce-…-<hash>.<service>.<region>.vpce.amazonaws.com`, the shape of an interface endpoint's regional name. */
export function endpointDnsName(endpoint: VpcEndpoint, region: string): string {
  const service = endpoint.serviceName.split('.').at(-1) ?? 'service';
  return `${endpoint.vpcEndpointId}.${service}.${region}.vpce.amazonaws.com`;
}

export function vpcEndpointShape(endpoint: VpcEndpoint, ownerId: string, region: string): { [key: string]: Ec2Value } {
  const interfaceType = endpoint.vpcEndpointType === 'Interface';
  return {
    vpcEndpointId: endpoint.vpcEndpointId,
    vpcEndpointType: endpoint.vpcEndpointType,
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: endpoint.state,
    routeTableIdSet: endpoint.routeTableIds,
    subnetIdSet: endpoint.subnetIds,
    groupSet: endpoint.groupIds.map((groupId) => ({ groupId, groupName: groupId })),
    networkInterfaceIdSet: endpoint.networkInterfaceIds,
    privateDnsEnabled: endpoint.privateDnsEnabled,
    dnsEntrySet: interfaceType ? [{ dnsName: endpointDnsName(endpoint, region), hostedZoneId: 'Z1LABVPCE' }] : [],
    creationTimestamp: endpoint.createdAt,
    ownerId,
  };
}
