/**
 * The network half of the lab world: VPCs, subnets, route tables, gateways, security groups, NACLs, ENIs,
 * target servers and internet hosts. Seed objects (fromSpec) are silent; every mutation made through the
 * methods below is recorded as the CloudTrail record EC2 writes (see network-call.ts). The state and its
 * queries are in network-state.ts; each resource family's operations in its own file (network-seed.ts,
 * network-security-groups.ts, network-routes.ts, network-nat.ts, network-acls.ts, network-interfaces.ts),
 * the way the compute world is split into compute-*.ts.
 */
import { evaluateEgress } from '../network/reachability.js';
import type { CallerIdentity } from '../trail/record.js';
import type {
  CreateEniInput,
  EgressDestination,
  EgressOutcome,
  EgressSource,
  EniCreateResult,
  LabContext,
  NetworkWorldPort,
} from './contracts.js';
import { deleteNetworkAclEntry, putNetworkAclEntry } from './network-acls.js';
import type { Ec2CallOptions, Ec2Result } from './network-call.js';
import {
  createNetworkInterface,
  createNetworkInterfaceCall,
  deleteNetworkInterface,
  deleteNetworkInterfaceCall,
} from './network-interfaces.js';
import type { NatGateway, NetworkInterface, SecurityGroupRule } from './network-model.js';
import { createNatGateway, deleteNatGateway } from './network-nat.js';
import { createRoute, deleteRoute, replaceRoute, replaceRouteTableAssociation } from './network-routes.js';
import {
  authorizeSecurityGroupRules,
  modifySecurityGroupRules,
  revokeSecurityGroupRules,
} from './network-security-groups.js';
import { seedNetwork } from './network-seed.js';
import type { NetworkSpec } from './network-spec.js';
import {
  type CreateNatGatewayInput,
  type IpPermissionInput,
  type NetworkAclEntryInput,
  NetworkState,
  type RouteInput,
  type SecurityGroupRuleUpdate,
} from './network-state.js';

export * from './network-state.js';

export class NetworkWorld extends NetworkState implements NetworkWorldPort {
  static fromSpec(spec: NetworkSpec, ctx: LabContext): NetworkWorld {
    const world = new NetworkWorld(ctx);
    seedNetwork(world, spec);
    return world;
  }

  /** What the network lets through, decided by the lab's own ground truth (lab/network/reachability.ts). */
  evaluateEgress(source: EgressSource, destination: EgressDestination): EgressOutcome {
    return evaluateEgress(this, source, destination);
  }

  authorizeSecurityGroupRules(
    input: { groupId: string; egress: boolean; ipPermissions: IpPermissionInput[]; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<SecurityGroupRule[]> {
    return authorizeSecurityGroupRules(this, input, options);
  }

  revokeSecurityGroupRules(
    input: {
      groupId: string;
      egress: boolean;
      ipPermissions?: IpPermissionInput[];
      securityGroupRuleIds?: string[];
      dryRun?: boolean;
    },
    options: Ec2CallOptions,
  ): Ec2Result<SecurityGroupRule[]> {
    return revokeSecurityGroupRules(this, input, options);
  }

  modifySecurityGroupRules(
    input: { groupId: string; updates: SecurityGroupRuleUpdate[]; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    return modifySecurityGroupRules(this, input, options);
  }

  createRoute(input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
    return createRoute(this, input, options);
  }

  replaceRoute(input: RouteInput, options: Ec2CallOptions): Ec2Result<true> {
    return replaceRoute(this, input, options);
  }

  deleteRoute(
    input: { routeTableId: string; destinationCidrBlock: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    return deleteRoute(this, input, options);
  }

  replaceRouteTableAssociation(
    input: { associationId: string; routeTableId: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<string> {
    return replaceRouteTableAssociation(this, input, options);
  }

  createNatGateway(input: CreateNatGatewayInput, options: Ec2CallOptions): Ec2Result<NatGateway> {
    return createNatGateway(this, input, options);
  }

  deleteNatGateway(input: { natGatewayId: string; dryRun?: boolean }, options: Ec2CallOptions): Ec2Result<NatGateway> {
    return deleteNatGateway(this, input, options);
  }

  putNetworkAclEntry(input: NetworkAclEntryInput, replace: boolean, options: Ec2CallOptions): Ec2Result<true> {
    return putNetworkAclEntry(this, input, replace, options);
  }

  deleteNetworkAclEntry(
    input: { networkAclId: string; ruleNumber: number; egress: boolean; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    return deleteNetworkAclEntry(this, input, options);
  }

  createNetworkInterfaceCall(
    input: CreateEniInput & { privateIpAddress?: string },
    options: Ec2CallOptions,
  ): Ec2Result<NetworkInterface> {
    return createNetworkInterfaceCall(this, input, options);
  }

  deleteNetworkInterfaceCall(
    input: { networkInterfaceId: string; dryRun?: boolean },
    options: Ec2CallOptions,
  ): Ec2Result<true> {
    return deleteNetworkInterfaceCall(this, input, options);
  }

  createNetworkInterface(input: CreateEniInput, caller: CallerIdentity): EniCreateResult {
    return createNetworkInterface(this, input, caller);
  }

  deleteNetworkInterface(networkInterfaceId: string, caller: CallerIdentity): boolean {
    return deleteNetworkInterface(this, networkInterfaceId, caller);
  }
}
