/**
 * ModifyVpcAttribute (one attribute per call: enableDnsSupport or enableDnsHostnames), recorded as EC2 writes
 * it to CloudTrail: `requestParameters: { vpcId, enableDnsSupport: { value: false } }`, `_return: true`.
 * Source: EC2 API reference, ModifyVpcAttribute ("You can only modify one attribute at a time").
 */
import type { Ec2CallOptions, Ec2Result } from './network-call.js';
import type { NetworkState } from './network-state.js';

/** The attributes ModifyVpcAttribute changes in the lab (enableNetworkAddressUsageMetrics is not modelled). */
export interface ModifyVpcAttributeInput {
  vpcId: string;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
  dryRun?: boolean;
}

/** Flips one DNS attribute of a VPC; errors as EC2 returns them (InvalidVpcID.NotFound, InvalidParameterCombination). */
export function modifyVpcAttribute(
  world: NetworkState,
  input: ModifyVpcAttributeInput,
  options: Ec2CallOptions,
): Ec2Result<true> {
  const attributes = {
    ...(input.enableDnsSupport !== undefined ? { enableDnsSupport: { value: input.enableDnsSupport } } : {}),
    ...(input.enableDnsHostnames !== undefined ? { enableDnsHostnames: { value: input.enableDnsHostnames } } : {}),
  };
  const call = world.begin('ModifyVpcAttribute', options, { vpcId: input.vpcId, ...attributes }, input.dryRun);
  const vpc = world.vpcs.get(input.vpcId);
  if (!vpc) return call.fail('InvalidVpcID.NotFound', `The vpc ID '${input.vpcId}' does not exist`);
  const count = Object.keys(attributes).length;
  if (count !== 1) {
    return call.fail(
      count === 0 ? 'MissingParameter' : 'InvalidParameterCombination',
      count === 0
        ? 'The request must contain exactly one attribute to modify'
        : 'Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames',
    );
  }
  if (input.dryRun) return call.dryRun();
  if (input.enableDnsSupport !== undefined) vpc.enableDnsSupport = input.enableDnsSupport;
  if (input.enableDnsHostnames !== undefined) vpc.enableDnsHostnames = input.enableDnsHostnames;
  return call.succeed(true, { _return: true });
}
