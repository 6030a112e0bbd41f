/**
 * The plain, JSON-able description of a network world that scenario files declare. Everything is named by
 * logical keys; NetworkWorld.fromSpec turns the names into deterministic AWS-style ids.
 */
import { createHash } from 'node:crypto';

export interface VpcSpec {
  name: string;
  cidr: string;
  /** Default true, as for a VPC created by CloudFormation. */
  enableDnsSupport?: boolean;
  /** Default false, as for a non-default VPC. */
  enableDnsHostnames?: boolean;
  tags?: Record<string, string>;
}

export interface SubnetSpec {
  name: string;
  vpc: string;
  cidr: string;
  availabilityZone: string;
  /** Defaults to a zone id derived from the zone name, e.g. apne1-az1. */
  availabilityZoneId?: string;
  /** Pretend only this many addresses are free at seed time ("exhausted" scenarios). */
  availableIpAddressCount?: number;
  tags?: Record<string, string>;
}

export interface InternetGatewaySpec {
  name: string;
  /** VPC the gateway is attached to; omit for a detached gateway. */
  vpc?: string;
}

export interface ElasticIpSpec {
  name: string;
  publicIp: string;
}

export interface NatGatewaySpec {
  name: string;
  vpc: string;
  /** Zonal NAT gateways need a subnet; regional ones (the article's) need a route table. */
  availabilityMode?: 'zonal' | 'regional';
  subnet?: string;
  /** Regional mode: the route table the NAT gateway itself uses to reach the internet. */
  routeTable?: string;
  /** Name of an elasticIps entry. */
  elasticIp: string;
  state?: 'available' | 'pending' | 'deleting' | 'deleted';
}

/** Exactly one target field besides `destination`; a VPC's own CIDR is always routed locally. */
export interface RouteSpec {
  destination: string;
  internetGateway?: string;
  natGateway?: string;
  networkInterface?: string;
}

export interface RouteTableSpec {
  name: string;
  vpc: string;
  /** The VPC's main route table (otherwise one with only the local route is created). */
  main?: boolean;
  subnets?: string[];
  routes?: RouteSpec[];
}

export interface SecurityGroupRuleSpec {
  protocol: '-1' | 'tcp' | 'udp' | 'icmp';
  fromPort?: number;
  toPort?: number;
  /** Exactly one of cidr / securityGroup (a logical name). */
  cidr?: string;
  securityGroup?: string;
  description?: string;
}

export interface SecurityGroupSpec {
  name: string;
  vpc: string;
  description?: string;
  ingress?: SecurityGroupRuleSpec[];
  /** Omitted = AWS's default "all traffic to 0.0.0.0/0"; [] = no egress at all. */
  egress?: SecurityGroupRuleSpec[];
}

export interface NetworkAclEntrySpec {
  ruleNumber: number;
  egress: boolean;
  protocol: '-1' | 'tcp' | 'udp' | 'icmp';
  action: 'allow' | 'deny';
  cidr: string;
  fromPort?: number;
  toPort?: number;
}

export interface NetworkAclSpec {
  name: string;
  vpc: string;
  subnets: string[];
  /** The default deny-all entries (rule *) are always appended. */
  entries: NetworkAclEntrySpec[];
}

export interface TargetServerSpec {
  name: string;
  subnet: string;
  privateIp?: string;
  securityGroups: string[];
  tcpPorts: number[];
  udpPorts?: number[];
  /** Fields merged into the default body {"source":"vpc-target","host":…,"time":…}. */
  responseFields?: Record<string, unknown>;
}

export interface InternetHostSpec {
  hostName: string;
  ip: string;
  tcpPorts?: number[];
  behavior?: 'echo-source-ip' | 'static';
  body?: string;
}

export interface NetworkSpec {
  vpcs: VpcSpec[];
  subnets: SubnetSpec[];
  internetGateways?: InternetGatewaySpec[];
  elasticIps?: ElasticIpSpec[];
  natGateways?: NatGatewaySpec[];
  routeTables?: RouteTableSpec[];
  securityGroups?: SecurityGroupSpec[];
  networkAcls?: NetworkAclSpec[];
  targets?: TargetServerSpec[];
  internetHosts?: InternetHostSpec[];
}

/** Deterministic id like AWS's 17-hex-digit ones: the same logical key always yields the same id. */
export function stableId(prefix: string, key: string, hexDigits = 17): string {
  const digest = createHash('sha256').update(`${prefix}:${key}`).digest('hex');
  return `${prefix}-${digest.slice(0, hexDigits)}`;
}

/** Well-known internet hosts every world can reach (documentation-range addresses). */
export const DEFAULT_INTERNET_HOSTS: InternetHostSpec[] = [
  { hostName: 'checkip.amazonaws.com', ip: '198.51.100.20', tcpPorts: [80, 443], behavior: 'echo-source-ip' },
  {
    hostName: 'example.com',
    ip: '198.51.100.34',
    tcpPorts: [80, 443],
    behavior: 'static',
    body: '<!doctype html><title>Example Domain</title>',
  },
];

/**
 * The field notes' topology (background 000): VPC 10.0.0.0/16, NAT subnet 10.0.0.0/24 routed to a regional
 * NAT gateway, isolated subnet 10.0.1.0/24 with only the local route, and a target at 10.0.0.126:80 whose
 * security group admits the two connector security groups by reference.
 */
export function articleNetworkSpec(): NetworkSpec {
  const vpc = 'microvms-egress-test';
  return {
    vpcs: [{ name: vpc, cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: vpc } }],
    subnets: [
      {
        name: 'nat-subnet-1a',
        vpc,
        cidr: '10.0.0.0/24',
        availabilityZone: 'ap-northeast-1a',
        availabilityZoneId: 'apne1-az4',
        tags: { Name: `${vpc}-nat-subnet-1a` },
      },
      {
        name: 'isolated-subnet-1a',
        vpc,
        cidr: '10.0.1.0/24',
        availabilityZone: 'ap-northeast-1a',
        availabilityZoneId: 'apne1-az4',
        tags: { Name: `${vpc}-isolated-subnet-1a` },
      },
    ],
    internetGateways: [{ name: 'igw', vpc }],
    elasticIps: [
      { name: 'nat-eip', publicIp: '203.0.113.25' },
      { name: 'spare-eip', publicIp: '203.0.113.26' },
    ],
    natGateways: [
      {
        name: 'regional-nat-gw',
        vpc,
        availabilityMode: 'regional',
        routeTable: 'nat-gateway-rt',
        elasticIp: 'nat-eip',
      },
    ],
    routeTables: [
      {
        name: 'nat-rt',
        vpc,
        subnets: ['nat-subnet-1a'],
        routes: [{ destination: '0.0.0.0/0', natGateway: 'regional-nat-gw' }],
      },
      { name: 'isolated-rt', vpc, subnets: ['isolated-subnet-1a'], routes: [] },
      // The regional NAT gateway's own table: its public side goes straight to the internet gateway.
      { name: 'nat-gateway-rt', vpc, routes: [{ destination: '0.0.0.0/0', internetGateway: 'igw' }] },
    ],
    securityGroups: [
      {
        name: 'connector-sg',
        vpc,
        description: 'SG for MicroVM VPC Egress Connector (NAT subnet)',
        egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
      },
      {
        name: 'connector-isolated-sg',
        vpc,
        description: 'SG for MicroVM VPC Egress Connector (isolated subnet)',
        egress: [{ protocol: '-1', cidr: '10.0.0.0/16' }],
      },
      {
        name: 'target-sg',
        vpc,
        description: 'SG for target resource in VPC',
        ingress: [
          {
            protocol: 'tcp',
            fromPort: 80,
            toPort: 80,
            securityGroup: 'connector-sg',
            description: 'From MicroVM connector (NAT)',
          },
          {
            protocol: 'tcp',
            fromPort: 80,
            toPort: 80,
            securityGroup: 'connector-isolated-sg',
            description: 'From MicroVM connector (isolated)',
          },
        ],
      },
    ],
    targets: [
      {
        name: 'target',
        subnet: 'nat-subnet-1a',
        privateIp: '10.0.0.126',
        securityGroups: ['target-sg'],
        tcpPorts: [80],
      },
    ],
    internetHosts: DEFAULT_INTERNET_HOSTS,
  };
}
