/** The network world's resources, stored in the shapes the lab reasons about (not the wire shapes). */

export type Tags = Record<string, string>;

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  dhcpOptionsId: string;
  cidrAssociationId: string;
  tags: Tags;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  /** Addresses used by things the lab does not model (an "exhausted" scenario sets this). */
  externallyUsedIps: number;
  tags: Tags;
}

export type RouteTarget =
  | { kind: 'local' }
  | { kind: 'gateway'; gatewayId: string }
  | { kind: 'nat-gateway'; natGatewayId: string }
  | { kind: 'network-interface'; networkInterfaceId: string };

export interface Route {
  destinationCidrBlock: string;
  target: RouteTarget;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableAssociation {
  associationId: string;
  main: boolean;
  subnetId?: string;
}

export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  tags: Tags;
}

export interface InternetGateway {
  internetGatewayId: string;
  attachedVpcId?: string;
  tags: Tags;
}

/** Security-group protocols are kept as EC2 names: -1, tcp, udp, icmp (other numbers stay numeric). */
export interface SecurityGroupRule {
  securityGroupRuleId: string;
  groupId: string;
  isEgress: boolean;
  ipProtocol: string;
  /** -1 for "all" (protocol -1) */
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  referencedGroupId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  rules: SecurityGroupRule[];
  tags: Tags;
}

/** NACL protocols are kept as EC2 sends them: protocol numbers as strings, -1 for all. */
export interface NetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  protocol: string;
  ruleAction: 'allow' | 'deny';
  cidrBlock: string;
  portRange?: { from: number; to: number };
  icmpTypeCode?: { type: number; code: number };
}

export interface NetworkAcl {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  entries: NetworkAclEntry[];
  associations: { networkAclAssociationId: string; subnetId: string }[];
  tags: Tags;
}

export type NatGatewayState = 'pending' | 'available' | 'deleting' | 'deleted' | 'failed';

export interface NatGateway {
  natGatewayId: string;
  vpcId: string;
  /** Zonal NAT gateways live in a subnet; regional ones span the VPC and own a route table. */
  availabilityMode: 'zonal' | 'regional';
  subnetId?: string;
  routeTableId?: string;
  connectivityType: 'public' | 'private';
  allocationId?: string;
  publicIp?: string;
  privateIp?: string;
  networkInterfaceId?: string;
  createdAt: Date;
  /** State transitions are derived lazily from the clock (no timers to drain). */
  availableAt: Date;
  deleteRequestedAt?: Date;
  tags: Tags;
}

export interface NetworkInterface {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  privateIpAddress: string;
  securityGroupIds: string[];
  tags: Tags;
  description: string;
  interfaceType: string;
  requesterManaged: boolean;
  requesterId?: string;
  status: 'available' | 'in-use';
  operator?: { managed: boolean; principal: string };
  macAddress: string;
  /** Instance the ENI is attached to (target servers). */
  attachedInstanceId?: string;
  /**
   * Attachment by an AWS service, as Lambda attaches a Hyperplane ENI (`ela-attach-…`, owner `amazon-aws`);
   * `attachTime` is ISO-8601. See docs/hyperplane-enis.md.
   */
  serviceAttachment?: { attachmentId: string; instanceOwnerId: string; attachTime: string };
}

export interface TargetServer {
  name: string;
  instanceId: string;
  networkInterfaceId: string;
  /** Short host name the server reports, e.g. ip-10-0-0-126 */
  hostname: string;
  /** ip-10-0-0-126.<region>.compute.internal */
  privateDnsName: string;
  tcpPorts: number[];
  udpPorts: number[];
  /** Extra JSON fields merged into the default {"source","host","time"} body. */
  responseFields: Record<string, unknown>;
}

export interface InternetHost {
  /** DNS name, e.g. checkip.amazonaws.com */
  hostName: string;
  ip: string;
  tcpPorts: number[];
  /** echo-source-ip answers with the address it sees (like checkip.amazonaws.com). */
  behavior: 'echo-source-ip' | 'static';
  body: string;
}

export interface ElasticIp {
  allocationId: string;
  publicIp: string;
  associatedNatGatewayId?: string;
}
