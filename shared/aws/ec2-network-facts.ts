/**
 * NetworkFactsSource over the official @aws-sdk/client-ec2 (read-only Describe* calls, every one through the
 * SDK's paginators where the API paginates). See docs/network-facts.md.
 *
 * Rate limits: EC2 throttles per account and region with token buckets; for non-mutating (Describe*) actions
 * the bucket holds 100 tokens and refills 20 per second ("Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). The adapter takes a token from a
 * client-side bucket of the same shape before every request (a middleware, so paginated pages count too),
 * and the SDK's `adaptive` retry mode retries `RequestLimitExceeded` / 5xx with jittered exponential backoff
 * and slows its own sending rate after throttling.
 */
import {
  DescribeVpcAttributeCommand,
  EC2Client,
  type InternetGateway,
  type NatGateway,
  type NetworkAcl,
  type NetworkInterface,
  type NetworkInterfaceAttachment,
  type PrefixList,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribePrefixLists,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type Route,
  type RouteTable,
  type SecurityGroupRule,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type {
  InternetGatewayFact,
  NatGatewayFact,
  NetworkAclFact,
  NetworkInterfaceAttachmentFact,
  NetworkInterfaceFact,
  PrefixListFact,
  RouteFact,
  RouteTableFact,
  RouteTargetKind,
  SecurityGroupFact,
  SecurityGroupRuleFact,
  SubnetFact,
  VpcEndpointFact,
  VpcFact,
} from '../domain/network-facts.js';
import type { NetworkFactsSource, NetworkSnapshotBody } from '../network-ports.js';
import type { Scope } from '../ports.js';
import { awsRequestHandler } from './client-options.js';

/** Tag keys Lambda puts on connector ENIs (docs/network-facts.md). */
export const CONNECTOR_ID_TAG_KEY = 'aws:lambda:networkConnectorId';
export const CONNECTOR_NAME_TAG_KEY = 'aws:lambda:networkConnectorName';

/** A token bucket: `capacity` tokens, refilled at `refillPerSecond`; `take()` waits for a token. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Waits (ms) until a token is free, then takes it. */
  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.refillPerSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000));
    }
  }
}

export interface Ec2NetworkFactsOptions {
  /** Page size sent as MaxResults (5–1000; default 1000). */
  pageSize?: number;
  /** Client-side bucket (default: EC2's Describe bucket, 100 tokens refilled 20/s). */
  bucket?: TokenBucket;
}

const EC2_DESCRIBE_BUCKET = { capacity: 100, refillPerSecond: 20 };

/**
 * Adds the token bucket to an EC2 client (once per client). The middleware sits in the `finalizeRequest`
 * step at low priority, inside the SDK's retry middleware, so every attempt — first send or retry — takes a token.
 */
export function rateLimitEc2Client(client: EC2Client, bucket: TokenBucket): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      await bucket.take();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'egressWatchEc2TokenBucket', override: true },
  );
}

/** Request time-out for EC2 Describe* reads, ms. */
const READ_REQUEST_TIMEOUT_MS = 15_000;

export interface Ec2ClientSettings {
  region: string;
  /** AWS_ENDPOINT_URL-style override (the lab); the SDK default otherwise. */
  endpoint?: string;
  /** Attempts per request, first one included (default 8: throttling waits are cheap for a read-only job). */
  maxAttempts?: number;
  /** Static credentials (the lab); the SDK's default provider chain otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An EC2 client for reading network facts: `adaptive` retry mode (jittered exponential backoff on
 * throttling and 5xx, and a client-side rate that backs off after `RequestLimitExceeded`).
 */
export function createEc2Client(settings: Ec2ClientSettings): EC2Client {
  return new EC2Client(readClientConfig(settings));
}

/**
 * SDK client configuration for read-only jobs (EC2, Lambda): region, optional endpoint, `adaptive` retries
 * (default 8 attempts) and a 15 s request time-out.
 */
export function readClientConfig(settings: Ec2ClientSettings) {
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    retryMode: 'adaptive' as const,
    maxAttempts: settings.maxAttempts ?? 8,
    // Describe* pages can take seconds; a frozen endpoint must still fail (client-options.ts).
    requestHandler: awsRequestHandler({ requestTimeoutMs: READ_REQUEST_TIMEOUT_MS }),
  };
}

function targetOf(route: Route): { targetKind: RouteTargetKind; targetId: string } {
  if (route.NatGatewayId) return { targetKind: 'nat-gateway', targetId: route.NatGatewayId };
  if (route.VpcPeeringConnectionId) return { targetKind: 'vpc-peering', targetId: route.VpcPeeringConnectionId };
  if (route.TransitGatewayId) return { targetKind: 'transit-gateway', targetId: route.TransitGatewayId };
  if (route.EgressOnlyInternetGatewayId) {
    return { targetKind: 'egress-only-internet-gateway', targetId: route.EgressOnlyInternetGatewayId };
  }
  const gateway = route.GatewayId;
  if (gateway === 'local') return { targetKind: 'local', targetId: 'local' };
  if (gateway?.startsWith('igw-')) return { targetKind: 'internet-gateway', targetId: gateway };
  if (gateway?.startsWith('vpce-')) return { targetKind: 'vpc-endpoint', targetId: gateway };
  if (route.NetworkInterfaceId) return { targetKind: 'network-interface', targetId: route.NetworkInterfaceId };
  const other = gateway ?? route.LocalGatewayId ?? route.CarrierGatewayId ?? route.CoreNetworkArn ?? route.InstanceId;
  return { targetKind: 'other', targetId: other ?? 'unknown' };
}

/** Maps a DescribeRouteTables route (IPv4 or prefix-list destinations; IPv6-only routes are skipped). */
export function routeFact(route: Route): RouteFact | null {
  if (!route.DestinationCidrBlock && !route.DestinationPrefixListId) return null;
  return {
    ...(route.DestinationCidrBlock ? { destinationCidrBlock: route.DestinationCidrBlock } : {}),
    ...(route.DestinationPrefixListId ? { destinationPrefixListId: route.DestinationPrefixListId } : {}),
    ...targetOf(route),
    state: route.State === 'blackhole' ? 'blackhole' : 'active',
  };
}

function routeTableFact(table: RouteTable): RouteTableFact {
  return {
    routeTableId: table.RouteTableId ?? '',
    vpcId: table.VpcId ?? '',
    associations: (table.Associations ?? [])
      .filter((a) => a.AssociationState?.State === undefined || a.AssociationState.State === 'associated')
      .map((a) => ({
        routeTableAssociationId: a.RouteTableAssociationId ?? '',
        main: a.Main === true,
        ...(a.SubnetId ? { subnetId: a.SubnetId } : {}),
      })),
    routes: (table.Routes ?? []).map(routeFact).filter((r): r is RouteFact => r !== null),
  };
}

function ruleFact(rule: SecurityGroupRule): SecurityGroupRuleFact {
  const referenced = rule.ReferencedGroupInfo?.GroupId;
  return {
    securityGroupRuleId: rule.SecurityGroupRuleId ?? '',
    groupId: rule.GroupId ?? '',
    isEgress: rule.IsEgress === true,
    ipProtocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
    ...(rule.CidrIpv4 ? { cidrIpv4: rule.CidrIpv4 } : {}),
    ...(rule.PrefixListId ? { prefixListId: rule.PrefixListId } : {}),
    ...(referenced ? { referencedGroupId: referenced } : {}),
  };
}

function networkAclFact(acl: NetworkAcl): NetworkAclFact {
  return {
    networkAclId: acl.NetworkAclId ?? '',
    vpcId: acl.VpcId ?? '',
    isDefault: acl.IsDefault === true,
    entries: (acl.Entries ?? [])
      .filter((e) => e.CidrBlock !== undefined)
      .map((e) => ({
        ruleNumber: e.RuleNumber ?? 32767,
        egress: e.Egress === true,
        protocol: e.Protocol ?? '-1',
        ruleAction: e.RuleAction === 'allow' ? 'allow' : 'deny',
        cidrBlock: e.CidrBlock ?? '0.0.0.0/0',
        ...(e.PortRange ? { portRange: { from: e.PortRange.From ?? 0, to: e.PortRange.To ?? 65535 } } : {}),
      })),
    associations: (acl.Associations ?? []).map((a) => ({
      networkAclAssociationId: a.NetworkAclAssociationId ?? '',
      subnetId: a.SubnetId ?? '',
    })),
  };
}

function natGatewayFact(nat: NatGateway): NatGatewayFact {
  const addresses = nat.NatGatewayAddresses ?? [];
  return {
    natGatewayId: nat.NatGatewayId ?? '',
    vpcId: nat.VpcId ?? '',
    ...(nat.SubnetId ? { subnetId: nat.SubnetId } : {}),
    availabilityMode: nat.AvailabilityMode === 'regional' ? 'regional' : 'zonal',
    ...(nat.RouteTableId ? { routeTableId: nat.RouteTableId } : {}),
    state: nat.State ?? 'unknown',
    connectivityType: nat.ConnectivityType === 'private' ? 'private' : 'public',
    publicIps: addresses.flatMap((a) => (a.PublicIp ? [a.PublicIp] : [])),
    allocationIds: addresses.flatMap((a) => (a.AllocationId ? [a.AllocationId] : [])),
    privateIps: addresses.flatMap((a) => (a.PrivateIp ? [a.PrivateIp] : [])),
  };
}

function internetGatewayFact(igw: InternetGateway): InternetGatewayFact {
  return {
    internetGatewayId: igw.InternetGatewayId ?? '',
    attachedVpcIds: (igw.Attachments ?? [])
      .filter((a) => {
        // EC2 reports an attached internet gateway as "available" (the SDK's enum says "attached").
        const state = String(a.State ?? '');
        return state === 'available' || state === 'attached';
      })
      .flatMap((a) => (a.VpcId ? [a.VpcId] : [])),
  };
}

/**
 * `com.amazonaws.<region>.<service>` → `<service>.<region>.amazonaws.com`, the name private DNS answers
 * for an interface endpoint of an AWS service ("Access an AWS service using an interface VPC endpoint",
 * https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
 */
export function privateDnsNameOfService(serviceName: string, region: string): string | null {
  const prefix = `com.amazonaws.${region}.`;
  return serviceName.startsWith(prefix) ? `${serviceName.slice(prefix.length)}.${region}.amazonaws.com` : null;
}

function vpcEndpointFact(endpoint: VpcEndpoint, region: string): VpcEndpointFact {
  const privateDnsEnabled = endpoint.PrivateDnsEnabled === true;
  const serviceName = endpoint.ServiceName ?? '';
  const privateName = privateDnsEnabled ? privateDnsNameOfService(serviceName, region) : null;
  return {
    vpcEndpointId: endpoint.VpcEndpointId ?? '',
    vpcId: endpoint.VpcId ?? '',
    vpcEndpointType: endpoint.VpcEndpointType ?? 'Gateway',
    serviceName,
    state: (endpoint.State ?? 'unknown').toLowerCase(),
    routeTableIds: endpoint.RouteTableIds ?? [],
    subnetIds: endpoint.SubnetIds ?? [],
    networkInterfaceIds: endpoint.NetworkInterfaceIds ?? [],
    groupIds: (endpoint.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    privateDnsEnabled,
    dnsNames: [
      ...(endpoint.DnsEntries ?? []).flatMap((d) => (d.DnsName ? [d.DnsName.toLowerCase()] : [])),
      ...(privateName ? [privateName] : []),
    ],
  };
}

function networkInterfaceFact(eni: NetworkInterface): NetworkInterfaceFact {
  const tag = (key: string) => eni.TagSet?.find((t) => t.Key === key)?.Value;
  const connectorId = tag(CONNECTOR_ID_TAG_KEY);
  const connectorName = tag(CONNECTOR_NAME_TAG_KEY);
  const addresses = (eni.PrivateIpAddresses ?? []).flatMap((a) => (a.PrivateIpAddress ? [a.PrivateIpAddress] : []));
  const primary = eni.PrivateIpAddress;
  const publicIp = eni.Association?.PublicIp;
  return {
    networkInterfaceId: eni.NetworkInterfaceId ?? '',
    subnetId: eni.SubnetId ?? '',
    vpcId: eni.VpcId ?? '',
    availabilityZone: eni.AvailabilityZone ?? '',
    privateIpAddresses: primary && !addresses.includes(primary) ? [primary, ...addresses] : addresses,
    securityGroupIds: (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    interfaceType: eni.InterfaceType ?? 'interface',
    status: eni.Status ?? 'unknown',
    ...(connectorId ? { connectorId } : {}),
    ...(connectorName ? { connectorName } : {}),
    ...(publicIp ? { publicIp } : {}),
    ...(eni.Description ? { description: eni.Description } : {}),
    ...(eni.RequesterId ? { requesterId: eni.RequesterId } : {}),
    ...(eni.RequesterManaged ? { requesterManaged: true } : {}),
    ...(eni.Attachment ? { attachment: attachmentFact(eni.Attachment) } : {}),
  };
}

function attachmentFact(a: NetworkInterfaceAttachment): NetworkInterfaceAttachmentFact {
  return {
    ...(a.AttachmentId ? { attachmentId: a.AttachmentId } : {}),
    ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
    ...(a.InstanceOwnerId ? { instanceOwnerId: a.InstanceOwnerId } : {}),
    ...(a.Status ? { status: a.Status } : {}),
    ...(a.AttachTime ? { attachTime: a.AttachTime.toISOString() } : {}),
  };
}

function prefixListFact(list: PrefixList): PrefixListFact {
  return { prefixListId: list.PrefixListId ?? '', prefixListName: list.PrefixListName ?? '', cidrs: list.Cidrs ?? [] };
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/** Reads one account/region's network through `client` (configured for that region and credentials). */
export class Ec2NetworkFactsSource implements NetworkFactsSource {
  private readonly pageSize: number;

  constructor(
    private readonly client: EC2Client,
    options: Ec2NetworkFactsOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    rateLimitEc2Client(
      client,
      options.bucket ?? new TokenBucket(EC2_DESCRIBE_BUCKET.capacity, EC2_DESCRIBE_BUCKET.refillPerSecond),
    );
  }

  /** One pass over every Describe call. Rejects with the SDK error once its retries are spent. */
  async describeNetwork(scope: Scope): Promise<NetworkSnapshotBody> {
    const client = this.client;
    const paging = { client, pageSize: this.pageSize };
    const [vpcs, subnets, routeTables, groups, rules, networkAcls, natGateways, igws, endpoints, prefixLists] =
      await Promise.all([
        collect(paginateDescribeVpcs(paging, {}), (p) => p.Vpcs),
        collect(paginateDescribeSubnets(paging, {}), (p) => p.Subnets),
        collect(paginateDescribeRouteTables(paging, {}), (p) => p.RouteTables),
        collect(paginateDescribeSecurityGroups(paging, {}), (p) => p.SecurityGroups),
        collect(paginateDescribeSecurityGroupRules(paging, {}), (p) => p.SecurityGroupRules),
        collect(paginateDescribeNetworkAcls(paging, {}), (p) => p.NetworkAcls),
        collect(paginateDescribeNatGateways(paging, {}), (p) => p.NatGateways),
        collect(paginateDescribeInternetGateways(paging, {}), (p) => p.InternetGateways),
        collect(paginateDescribeVpcEndpoints(paging, {}), (p) => p.VpcEndpoints),
        collect(paginateDescribePrefixLists(paging, {}), (p) => p.PrefixLists),
      ]);
    const vpcFacts = await Promise.all(vpcs.map((vpc) => this.vpcFact(vpc)));

    // Connector ENIs are managed resources: hidden from Describe unless IncludeManagedResources is set.
    const connectorEnis = await collect(
      paginateDescribeNetworkInterfaces(paging, {
        IncludeManagedResources: true,
        Filters: [{ Name: 'tag-key', Values: [CONNECTOR_ID_TAG_KEY] }],
      }),
      (p) => p.NetworkInterfaces,
    );
    const connectorVpcs = [...new Set(connectorEnis.flatMap((e) => (e.VpcId ? [e.VpcId] : [])))];
    // Every other ENI of those VPCs: the destinations (targets, interface endpoints) a path can end at.
    const vpcEnis = connectorVpcs.length
      ? await collect(
          paginateDescribeNetworkInterfaces(paging, {
            IncludeManagedResources: true,
            Filters: [{ Name: 'vpc-id', Values: connectorVpcs }],
          }),
          (p) => p.NetworkInterfaces,
        )
      : [];
    // Lambda Hyperplane ENIs of every VPC (InterfaceType lambda; docs/hyperplane-enis.md).
    const hyperplaneEnis = await collect(
      paginateDescribeNetworkInterfaces(paging, {
        IncludeManagedResources: true,
        Filters: [{ Name: 'interface-type', Values: ['lambda'] }],
      }),
      (p) => p.NetworkInterfaces,
    );
    const enis = new Map<string, NetworkInterfaceFact>();
    for (const eni of [...connectorEnis, ...vpcEnis, ...hyperplaneEnis]) {
      const fact = networkInterfaceFact(eni);
      if (fact.networkInterfaceId && !enis.has(fact.networkInterfaceId)) enis.set(fact.networkInterfaceId, fact);
    }

    const rulesOf = new Map<string, SecurityGroupRuleFact[]>();
    for (const rule of rules) {
      const fact = ruleFact(rule);
      rulesOf.set(fact.groupId, [...(rulesOf.get(fact.groupId) ?? []), fact]);
    }
    const securityGroups: SecurityGroupFact[] = groups.map((g) => ({
      groupId: g.GroupId ?? '',
      groupName: g.GroupName ?? '',
      vpcId: g.VpcId ?? '',
      rules: rulesOf.get(g.GroupId ?? '') ?? [],
    }));
    return {
      vpcs: vpcFacts,
      subnets: subnets.map(subnetFact),
      routeTables: routeTables.map(routeTableFact),
      securityGroups,
      networkAcls: networkAcls.map(networkAclFact),
      natGateways: natGateways.map(natGatewayFact),
      internetGateways: igws.map(internetGatewayFact),
      vpcEndpoints: endpoints.map((e) => vpcEndpointFact(e, scope.region)),
      prefixLists: prefixLists.map(prefixListFact),
      networkInterfaces: [...enis.values()],
    };
  }

  private async vpcFact(vpc: Vpc): Promise<VpcFact> {
    const vpcId = vpc.VpcId ?? '';
    const [dnsSupport, dnsHostnames] = await Promise.all([
      this.client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
      this.client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
    ]);
    const associated = (vpc.CidrBlockAssociationSet ?? [])
      .filter((a) => a.CidrBlockState?.State === undefined || a.CidrBlockState.State === 'associated')
      .flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : []));
    const primary = vpc.CidrBlock ? [vpc.CidrBlock] : [];
    return {
      vpcId,
      cidrBlocks: [...new Set([...primary, ...associated])],
      enableDnsSupport: dnsSupport.EnableDnsSupport?.Value !== false,
      enableDnsHostnames: dnsHostnames.EnableDnsHostnames?.Value === true,
    };
  }
}

function subnetFact(subnet: Subnet): SubnetFact {
  return {
    subnetId: subnet.SubnetId ?? '',
    vpcId: subnet.VpcId ?? '',
    cidrBlock: subnet.CidrBlock ?? '',
    availabilityZone: subnet.AvailabilityZone ?? '',
    availabilityZoneId: subnet.AvailabilityZoneId ?? '',
    availableIpAddressCount: subnet.AvailableIpAddressCount ?? 0,
  };
}
