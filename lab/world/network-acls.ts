/** Network ACL entry mutations (Create/Replace/DeleteNetworkAclEntry), recorded as EC2 writes them. */
import type { Ec2CallOptions, Ec2Result } from './network-call.js';
import { isCidr } from './network-cidr.js';
import type { NetworkAclEntry } from './network-model.js';
import {
  type NetworkAclEntryInput,
  type NetworkState,
  normalizeNaclProtocol,
  sortNaclEntries,
} from './network-state.js';

export function naclParameters(_world: NetworkState, input: NetworkAclEntryInput): Record<string, unknown> {
  return {
    networkAclId: input.networkAclId,
    ruleNumber: input.ruleNumber,
    egress: input.egress,
    ruleAction: input.ruleAction,
    protocol: input.protocol,
    cidrBlock: input.cidrBlock,
    ...(input.portRange ? { portRange: input.portRange } : {}),
    ...(input.icmpTypeCode ? { icmpTypeCode: input.icmpTypeCode } : {}),
  };
}

export function validateNaclEntry(
  _world: NetworkState,
  input: NetworkAclEntryInput,
): { code: string; message: string } | NetworkAclEntry {
  if (!Number.isInteger(input.ruleNumber) || input.ruleNumber < 1 || input.ruleNumber > 32766) {
    return { code: 'InvalidParameterValue', message: `Invalid rule number ${input.ruleNumber}` };
  }
  if (!isCidr(input.cidrBlock)) return { code: 'InvalidParameterValue', message: `Invalid CIDR ${input.cidrBlock}` };
  if (input.ruleAction !== 'allow' && input.ruleAction !== 'deny') {
    return { code: 'InvalidParameterValue', message: `Invalid rule action ${String(input.ruleAction)}` };
  }
  const protocol = normalizeNaclProtocol(input.protocol);
  if ((protocol === '6' || protocol === '17') && !input.portRange) {
    return { code: 'MissingParameter', message: 'The request must contain the parameter portRange' };
  }
  return {
    ruleNumber: input.ruleNumber,
    egress: input.egress,
    protocol,
    ruleAction: input.ruleAction,
    cidrBlock: input.cidrBlock,
    ...((protocol === '6' || protocol === '17') && input.portRange ? { portRange: input.portRange } : {}),
    ...(protocol === '1' ? { icmpTypeCode: input.icmpTypeCode ?? { type: -1, code: -1 } } : {}),
  };
}

export function putNetworkAclEntry(
  world: NetworkState,
  input: NetworkAclEntryInput,
  replace: boolean,
  options: Ec2CallOptions,
): Ec2Result<true> {
  const call = world.begin(
    replace ? 'ReplaceNetworkAclEntry' : 'CreateNetworkAclEntry',
    options,
    naclParameters(world, input),
    input.dryRun,
  );
  const acl = world.networkAcls.get(input.networkAclId);
  if (!acl)
    return call.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.networkAclId}' does not exist`);
  const entry = validateNaclEntry(world, input);
  if ('code' in entry) return call.fail(entry.code, entry.message);
  const existing = acl.entries.find((e) => e.ruleNumber === input.ruleNumber && e.egress === input.egress);
  if (replace && !existing) {
    return call.fail(
      'InvalidNetworkAclEntry.NotFound',
      `The network ACL entry identified by ${input.ruleNumber} does not exist.`,
    );
  }
  if (!replace && existing) {
    return call.fail(
      'NetworkAclEntryAlreadyExists',
      `The network entry identified by ${input.ruleNumber} already exists.`,
    );
  }
  if (input.dryRun) return call.dryRun();
  acl.entries = sortNaclEntries([...acl.entries.filter((e) => e !== existing), entry]);
  return call.succeed(true, { _return: true });
}

export function deleteNetworkAclEntry(
  world: NetworkState,
  input: { networkAclId: string; ruleNumber: number; egress: boolean; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const call = world.begin(
    'DeleteNetworkAclEntry',
    options,
    { networkAclId: input.networkAclId, ruleNumber: input.ruleNumber, egress: input.egress },
    input.dryRun,
  );
  const acl = world.networkAcls.get(input.networkAclId);
  if (!acl)
    return call.fail('InvalidNetworkAclID.NotFound', `The network ACL ID '${input.networkAclId}' does not exist`);
  const existing = acl.entries.find((e) => e.ruleNumber === input.ruleNumber && e.egress === input.egress);
  if (!existing || existing.ruleNumber === 32767) {
    return call.fail(
      'InvalidNetworkAclEntry.NotFound',
      `The network ACL entry identified by ${input.ruleNumber} does not exist.`,
    );
  }
  if (input.dryRun) return call.dryRun();
  acl.entries = acl.entries.filter((e) => e !== existing);
  return call.succeed(true, { _return: true });
}
