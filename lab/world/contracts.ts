/**
 * Contracts between the parts of the lab world. The network half (VPCs, subnets, route tables, security
 * groups, NACLs, NAT gateways, ENIs, target servers: lab/world/network.ts) and the compute half (Lambda Core
 * connectors and MicroVMs: lab/world/compute.ts) meet only through these interfaces.
 */
import type { Clock } from '../clock.js';
import type { CallerIdentity, TrailSink } from '../trail/record.js';

export interface LabContext {
  clock: Clock;
  trail: TrailSink;
  account: string;
  region: string;
}

export interface CreateEniInput {
  subnetId: string;
  securityGroupIds: string[];
  description?: string;
  tags: Record<string, string>;
  /** Managed-resource operator principal, e.g. network-connectors.lambda.amazonaws.com */
  operatorPrincipal?: string;
  interfaceType?: string;
  /** Dry run: validate and record Client.DryRunOperation, create nothing. */
  dryRun?: boolean;
}

export interface EniSummary {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  securityGroupIds: string[];
}

export type EniCreateResult = { ok: true; eni: EniSummary } | { ok: false; errorCode: string; errorMessage: string };

/** A destination as the probe inside a MicroVM sees it. */
export interface EgressDestination {
  /** Host name or IP literal. */
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

/** Where the packet leaves from: the connector's ENI (subnet + security groups). */
export interface EgressSource {
  subnetId: string;
  securityGroupIds: string[];
  privateIpAddress: string;
}

export type EgressOutcome =
  | {
      reachable: true;
      /** The address the destination saw (NAT EIP for the internet, ENI IP inside the VPC). */
      observedSourceIp: string;
      resolvedIp: string;
      /** What the target answered (the lab's target servers reply with JSON). */
      responseStatus: number;
      responseBody: string;
    }
  | {
      reachable: false;
      /** timeout = dropped silently (SG, NACL, no route); refused = RST; dns = name did not resolve */
      failure: 'timeout' | 'refused' | 'dns';
      resolvedIp: string | null;
      /** Lab-internal explanation, for debugging the lab only (the product must find its own). */
      labReason: string;
    };

/** What the compute half needs from the network half. */
export interface NetworkWorldPort {
  /** Validation the Lambda Core service does before provisioning: returns a reason code or null. */
  validateConnectorPlacement(
    subnetIds: string[],
    securityGroupIds: string[],
  ): 'InvalidSubnet' | 'InvalidSecurityGroup' | null;
  vpcOfSubnet(subnetId: string): string | undefined;
  freeIpCount(subnetId: string): number;
  /** Creates (or dry-runs) an ENI and records the CloudTrail CreateNetworkInterface call as `caller`. */
  createNetworkInterface(input: CreateEniInput, caller: CallerIdentity): EniCreateResult;
  /** Deletes an ENI and records DeleteNetworkInterface as `caller`. */
  deleteNetworkInterface(networkInterfaceId: string, caller: CallerIdentity): boolean;
  /** Ground truth: what happens to a TCP/UDP connection from `source` to `destination` right now. */
  evaluateEgress(source: EgressSource, destination: EgressDestination): EgressOutcome;
}

/** Well-known service principals and roles the lab's records use. */
export const LAB_PRINCIPALS = {
  connectorOperatorService: 'network-connectors.lambda.amazonaws.com',
  lambdaService: 'lambda.amazonaws.com',
  validationSessionName: 'request-validation-session',
  serviceLinkedRoleName: 'AWSServiceRoleForLambda',
  serviceLinkedRolePath: '/aws-service-role/lambda.amazonaws.com/',
} as const;
