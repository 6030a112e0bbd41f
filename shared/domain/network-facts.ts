/**
 * Network facts: one consistent, per-account/region snapshot of everything that decides a connector's
 * paths (docs/network-facts.md). Pure data in compact, JSON-able shapes; field names follow the EC2 API
 * (DescribeVpcs, DescribeSubnets, DescribeRouteTables, DescribeSecurityGroupRules, DescribeNetworkAcls,
 * DescribeNatGateways, DescribeInternetGateways, DescribeVpcEndpoints, DescribePrefixLists,
 * DescribeNetworkInterfaces — Amazon EC2 API Reference).
 */

/** A VPC with its DNS attributes (DescribeVpcAttribute `enableDnsSupport` / `enableDnsHostnames`). */
export interface VpcFact {
  vpcId: string;
  /** Primary CIDR first, then associated IPv4 CIDRs. */
  cidrBlocks: string[];
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
}

/** A subnet with its zone and free addresses (`AvailableIpAddressCount`). */
export interface SubnetFact {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  availableIpAddressCount: number;
}

/**
 * Where a route sends traffic. `kind` is derived from the target id field EC2 fills
 * (GatewayId `igw-`/`vpce-`/`local`, NatGatewayId, VpcPeeringConnectionId, TransitGatewayId,
 * NetworkInterfaceId, EgressOnlyInternetGatewayId, …); `id` is that id ('local' for the local route).
 */
export type RouteTargetKind =
  | 'local'
  | 'internet-gateway'
  | 'nat-gateway'
  | 'vpc-endpoint'
  | 'vpc-peering'
  | 'transit-gateway'
  | 'network-interface'
  | 'egress-only-internet-gateway'
  | 'other';

export interface RouteFact {
  /** IPv4 destination; absent for prefix-list routes (gateway endpoints). */
  destinationCidrBlock?: string;
  /** `pl-…` destination of a gateway VPC endpoint route. */
  destinationPrefixListId?: string;
  targetKind: RouteTargetKind;
  targetId: string;
  /** EC2's route `State`: `blackhole` when the target is gone (deleted NAT gateway, detached gateway…). */
  state: 'active' | 'blackhole';
}

export interface RouteTableAssociationFact {
  routeTableAssociationId: string;
  main: boolean;
  subnetId?: string;
}

export interface RouteTableFact {
  routeTableId: string;
  vpcId: string;
  associations: RouteTableAssociationFact[];
  routes: RouteFact[];
}

/** One security-group rule with its `sgr-` id (DescribeSecurityGroupRules). Ports are -1 for "all". */
export interface SecurityGroupRuleFact {
  securityGroupRuleId: string;
  groupId: string;
  isEgress: boolean;
  /** `-1`, `tcp`, `udp`, `icmp`, or a protocol number as a string. */
  ipProtocol: string;
  fromPort: number;
  toPort: number;
  cidrIpv4?: string;
  prefixListId?: string;
  referencedGroupId?: string;
}

export interface SecurityGroupFact {
  groupId: string;
  groupName: string;
  vpcId: string;
  rules: SecurityGroupRuleFact[];
}

/** A NACL entry; `protocol` is the number as a string (`6` tcp, `17` udp, `-1` all), as EC2 returns it. */
export interface NetworkAclEntryFact {
  ruleNumber: number;
  egress: boolean;
  protocol: string;
  ruleAction: 'allow' | 'deny';
  cidrBlock: string;
  portRange?: { from: number; to: number };
}

export interface NetworkAclFact {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  entries: NetworkAclEntryFact[];
  associations: { networkAclAssociationId: string; subnetId: string }[];
}

export interface NatGatewayFact {
  natGatewayId: string;
  vpcId: string;
  /** Zonal NAT gateways have a subnet; regional ones do not. */
  subnetId?: string;
  /** `zonal` (default) or `regional` (AvailabilityMode). */
  availabilityMode: 'zonal' | 'regional';
  /** A regional NAT gateway's own route table (RouteTableId); zonal ones use their subnet's table. */
  routeTableId?: string;
  /** `pending | available | deleting | deleted | failed`. */
  state: string;
  connectivityType: 'public' | 'private';
  /** Elastic IPs (`NatGatewayAddresses[].PublicIp`) the internet sees. */
  publicIps: string[];
  allocationIds: string[];
  privateIps: string[];
}

export interface InternetGatewayFact {
  internetGatewayId: string;
  /** VPCs with an `available`/`attached` attachment. */
  attachedVpcIds: string[];
}

/** A VPC endpoint (DescribeVpcEndpoints). Gateway endpoints act through route tables, interface ones through ENIs. */
export interface VpcEndpointFact {
  vpcEndpointId: string;
  vpcId: string;
  vpcEndpointType: string;
  serviceName: string;
  state: string;
  routeTableIds: string[];
  subnetIds: string[];
  networkInterfaceIds: string[];
  groupIds: string[];
  privateDnsEnabled: boolean;
  /** Endpoint-specific names (`DnsEntries[].DnsName`) plus, with private DNS, the service's regional name. */
  dnsNames: string[];
}

/** AWS-managed prefix list (DescribePrefixLists) used by gateway endpoint routes. */
export interface PrefixListFact {
  prefixListId: string;
  prefixListName: string;
  cidrs: string[];
}

/**
 * An ENI's attachment (DescribeNetworkInterfaces `Attachment`). A Lambda Hyperplane ENI is attached by the
 * Lambda service: `attachmentId` `ela-attach-…`, `instanceOwnerId` `amazon-aws` (field observations, see
 * docs/hyperplane-enis.md). `attachTime` is ISO-8601.
 */
export interface NetworkInterfaceAttachmentFact {
  attachmentId?: string;
  instanceId?: string;
  instanceOwnerId?: string;
  /** `attaching | attached | detaching | detached`. */
  status?: string;
  attachTime?: string;
}

/**
 * An ENI: every connector ENI, every ENI in a VPC that hosts a connector (path destinations), and every
 * Lambda Hyperplane ENI of the region (`InterfaceType` `lambda`, docs/hyperplane-enis.md).
 */
export interface NetworkInterfaceFact {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddresses: string[];
  securityGroupIds: string[];
  interfaceType: string;
  status: string;
  /** `aws:lambda:networkConnectorId` tag, on connector ENIs. */
  connectorId?: string;
  /** `aws:lambda:networkConnectorName` tag. */
  connectorName?: string;
  publicIp?: string;
  /** `Description`; a Hyperplane ENI's is `AWS Lambda VPC ENI-<function>-<uuid>`. Absent in older snapshots. */
  description?: string;
  /** `RequesterId`: who created the ENI on your behalf (a role id and session for Hyperplane ENIs). */
  requesterId?: string;
  /** `RequesterManaged`. */
  requesterManaged?: boolean;
  /** `Attachment`, when the ENI is attached. */
  attachment?: NetworkInterfaceAttachmentFact;
}

/**
 * A Lambda function version's VPC configuration (Lambda API `ListFunctions` with `FunctionVersion=ALL`,
 * `FunctionConfiguration.VpcConfig`; `State`/`StateReasonCode` from `GetFunctionConfiguration`, which
 * ListFunctions does not return). A function or published version with an empty `subnetIds` is not
 * attached to a VPC. Source: Lambda API Reference, https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
 */
export interface LambdaFunctionVpcFact {
  functionName: string;
  functionArn: string;
  /** `$LATEST` or a published version number. */
  version: string;
  subnetIds: string[];
  securityGroupIds: string[];
  vpcId?: string;
  /** `LastModified`, ISO-8601 (Lambda writes it as `2026-07-02T08:00:00.000+0000`; kept normalised). */
  lastModified?: string;
  /** `Pending | Active | Inactive | Failed` (GetFunctionConfiguration; $LATEST only). */
  state?: string;
  /** e.g. `Idle` when Lambda reclaimed the function's Hyperplane ENIs. */
  stateReasonCode?: string;
}

/** Everything collected for one account + region at `capturedAt` (ISO-8601). */
export interface NetworkSnapshot {
  account: string;
  region: string;
  capturedAt: string;
  vpcs: VpcFact[];
  subnets: SubnetFact[];
  routeTables: RouteTableFact[];
  securityGroups: SecurityGroupFact[];
  networkAcls: NetworkAclFact[];
  natGateways: NatGatewayFact[];
  internetGateways: InternetGatewayFact[];
  vpcEndpoints: VpcEndpointFact[];
  prefixLists: PrefixListFact[];
  networkInterfaces: NetworkInterfaceFact[];
  /**
   * Lambda function versions with a VPC configuration, plus `$LATEST` of functions named by a Hyperplane
   * ENI's description that have none (detached). Absent when the functions were not read (older snapshots,
   * or a collector without Lambda access): attribution then falls back to ENI descriptions.
   */
  lambdaFunctions?: LambdaFunctionVpcFact[];
  /** References that did not resolve when the snapshot was kept (see consistencyGaps); absent when none. */
  gaps?: string[];
}

/**
 * Facts about the VPC that events alone may not reveal. The three maps are what the event projection links
 * with; `snapshot` is the full picture once network facts were collected (absent in older stored items).
 */
export interface NetworkFacts {
  routeTableOfSubnet: Record<string, string>;
  subnetOfRouteTableAssociation: Record<string, string>;
  networkAclOfSubnet: Record<string, string>;
  snapshot?: NetworkSnapshot;
}

export const NO_NETWORK_FACTS: NetworkFacts = Object.freeze({
  routeTableOfSubnet: {},
  subnetOfRouteTableAssociation: {},
  networkAclOfSubnet: {},
});

/**
 * The route table of each subnet: its explicit association, else the VPC's main table (VPC User Guide,
 * "Route tables": a subnet without an explicit association uses the main route table).
 */
export function routeTableOfSubnets(snapshot: NetworkSnapshot): Record<string, string> {
  const main = new Map<string, string>();
  const explicit: Record<string, string> = {};
  for (const table of snapshot.routeTables) {
    for (const a of table.associations) {
      if (a.main) main.set(table.vpcId, table.routeTableId);
      else if (a.subnetId) explicit[a.subnetId] = table.routeTableId;
    }
  }
  const out: Record<string, string> = {};
  for (const subnet of snapshot.subnets) {
    const table = explicit[subnet.subnetId] ?? main.get(subnet.vpcId);
    if (table) out[subnet.subnetId] = table;
  }
  return out;
}

/** Builds the full NetworkFacts (the projection's link maps included) from a snapshot. */
export function networkFactsOf(snapshot: NetworkSnapshot): NetworkFacts {
  const subnetOfRouteTableAssociation: Record<string, string> = {};
  for (const table of snapshot.routeTables) {
    for (const a of table.associations)
      if (a.subnetId) subnetOfRouteTableAssociation[a.routeTableAssociationId] = a.subnetId;
  }
  const networkAclOfSubnet: Record<string, string> = {};
  for (const acl of snapshot.networkAcls) {
    for (const a of acl.associations) networkAclOfSubnet[a.subnetId] = acl.networkAclId;
  }
  return {
    routeTableOfSubnet: routeTableOfSubnets(snapshot),
    subnetOfRouteTableAssociation,
    networkAclOfSubnet,
    snapshot,
  };
}

/**
 * References inside a snapshot that do not resolve: subnets of unknown VPCs, associations to unknown
 * subnets, routes to unknown NAT gateways or endpoints, ENIs in unknown subnets or with unknown security
 * groups, rules referencing unknown groups in the same account. Each gap is a short sentence.
 * Describe calls are not atomic, so a resource created or deleted between two calls shows up here.
 */
export function consistencyGaps(snapshot: NetworkSnapshot): string[] {
  const vpcs = new Set(snapshot.vpcs.map((v) => v.vpcId));
  const subnets = new Set(snapshot.subnets.map((s) => s.subnetId));
  const groups = new Set(snapshot.securityGroups.map((g) => g.groupId));
  const nats = new Set(snapshot.natGateways.map((n) => n.natGatewayId));
  const endpoints = new Set(snapshot.vpcEndpoints.map((e) => e.vpcEndpointId));
  const gaps: string[] = [];
  for (const s of snapshot.subnets) if (!vpcs.has(s.vpcId)) gaps.push(`${s.subnetId} is in unknown ${s.vpcId}`);
  for (const t of snapshot.routeTables) {
    for (const a of t.associations) {
      if (a.subnetId && !subnets.has(a.subnetId))
        gaps.push(`${t.routeTableId} is associated with unknown ${a.subnetId}`);
    }
    for (const r of t.routes) {
      if (r.state !== 'active') continue;
      if (r.targetKind === 'nat-gateway' && !nats.has(r.targetId))
        gaps.push(`${t.routeTableId} routes to unknown ${r.targetId}`);
      if (r.targetKind === 'vpc-endpoint' && !endpoints.has(r.targetId))
        gaps.push(`${t.routeTableId} routes to unknown ${r.targetId}`);
    }
  }
  for (const acl of snapshot.networkAcls) {
    for (const a of acl.associations) {
      if (!subnets.has(a.subnetId)) gaps.push(`${acl.networkAclId} is associated with unknown ${a.subnetId}`);
    }
  }
  for (const eni of snapshot.networkInterfaces) {
    if (!subnets.has(eni.subnetId)) gaps.push(`${eni.networkInterfaceId} is in unknown ${eni.subnetId}`);
    for (const g of eni.securityGroupIds)
      if (!groups.has(g)) gaps.push(`${eni.networkInterfaceId} carries unknown ${g}`);
  }
  return gaps;
}
