/** Security-group rule mutations (Authorize/Revoke/ModifySecurityGroupRules), recorded as EC2 writes them. */

import { type Ec2CallOptions, type Ec2Result, itemSet } from './network-call.js';
import { isCidr } from './network-cidr.js';
import type { SecurityGroup, SecurityGroupRule } from './network-model.js';
import { revokedRuleShape, securityGroupRuleShape } from './network-shapes.js';
import {
  type IpPermissionInput,
  ipPermissionsParameter,
  type NetworkState,
  normalizeSgProtocol,
  ruleMatchesPermission,
  type SecurityGroupRuleUpdate,
} from './network-state.js';

export function permissionRules(
  world: NetworkState,
  group: SecurityGroup,
  isEgress: boolean,
  permissions: IpPermissionInput[],
): { rules: Omit<SecurityGroupRule, 'securityGroupRuleId'>[] } | { code: string; message: string } {
  const rules: Omit<SecurityGroupRule, 'securityGroupRuleId'>[] = [];
  for (const permission of permissions) {
    const ipProtocol = normalizeSgProtocol(permission.ipProtocol);
    if (!['-1', 'tcp', 'udp', 'icmp'].includes(ipProtocol) && !/^\d+$/.test(ipProtocol)) {
      return { code: 'InvalidParameterValue', message: `Invalid value '${permission.ipProtocol}' for IP protocol.` };
    }
    const allPorts = ipProtocol === '-1';
    const fromPort = allPorts ? -1 : (permission.fromPort ?? -1);
    const toPort = allPorts ? -1 : (permission.toPort ?? -1);
    if ((ipProtocol === 'tcp' || ipProtocol === 'udp') && (fromPort < 0 || toPort > 65535 || fromPort > toPort)) {
      return { code: 'InvalidParameterValue', message: `Invalid port range ${fromPort}-${toPort}` };
    }
    const base = { groupId: group.groupId, isEgress, ipProtocol, fromPort, toPort };
    for (const range of permission.ipRanges) {
      if (!isCidr(range.cidrIp)) {
        return { code: 'InvalidParameterValue', message: `CIDR block ${range.cidrIp} is malformed` };
      }
      rules.push({
        ...base,
        cidrIpv4: range.cidrIp,
        ...(range.description ? { description: range.description } : {}),
      });
    }
    for (const pair of permission.groups) {
      if (!world.securityGroups.has(pair.groupId)) {
        return { code: 'InvalidGroup.NotFound', message: `The security group '${pair.groupId}' does not exist` };
      }
      rules.push({
        ...base,
        referencedGroupId: pair.groupId,
        ...(pair.description ? { description: pair.description } : {}),
      });
    }
  }
  if (rules.length === 0) {
    return { code: 'MissingParameter', message: 'The request must contain the parameter ipPermissions' };
  }
  return { rules };
}

export function authorizeSecurityGroupRules(
  world: NetworkState,
  input: { groupId: string; egress: boolean; ipPermissions: IpPermissionInput[]; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<SecurityGroupRule[]> {
  const call = world.begin(
    input.egress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress',
    options,
    { groupId: input.groupId, ipPermissions: ipPermissionsParameter(input.ipPermissions) },
    input.dryRun,
  );
  const group = world.securityGroups.get(input.groupId);
  if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
  const parsed = permissionRules(world, group, input.egress, input.ipPermissions);
  if ('code' in parsed) return call.fail(parsed.code, parsed.message);
  const duplicate = parsed.rules.find((candidate) =>
    group.rules.some((rule) => ruleMatchesPermission(rule, candidate)),
  );
  if (duplicate) {
    const peer = duplicate.cidrIpv4 ?? duplicate.referencedGroupId;
    return call.fail(
      'InvalidPermission.Duplicate',
      `the specified rule "peer: ${peer}, ${duplicate.ipProtocol.toUpperCase()}, from port: ${duplicate.fromPort}, to port: ${duplicate.toPort}, ALLOW" already exists`,
    );
  }
  if (input.dryRun) return call.dryRun();
  const added = parsed.rules.map((rule) => ({ securityGroupRuleId: world.nextId('sgr'), ...rule }));
  group.rules.push(...added);
  return call.succeed(added, {
    _return: true,
    securityGroupRuleSet: added.map((rule) => securityGroupRuleShape(rule, world.ctx.account, group.vpcId)),
  });
}

export function revokeSecurityGroupRules(
  world: NetworkState,
  input: {
    groupId: string;
    egress: boolean;
    ipPermissions?: IpPermissionInput[];
    securityGroupRuleIds?: string[];
    dryRun?: boolean;
  },
  options: Ec2CallOptions,
): Ec2Result<SecurityGroupRule[]> {
  const parameters: Record<string, unknown> = { groupId: input.groupId };
  if (input.ipPermissions?.length) parameters.ipPermissions = ipPermissionsParameter(input.ipPermissions);
  if (input.securityGroupRuleIds?.length) {
    parameters.securityGroupRuleIdSet = itemSet(input.securityGroupRuleIds.map((id) => ({ securityGroupRuleId: id })));
  }
  const call = world.begin(
    input.egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress',
    options,
    parameters,
    input.dryRun,
  );
  const group = world.securityGroups.get(input.groupId);
  if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
  let revoked: SecurityGroupRule[];
  if (input.securityGroupRuleIds?.length) {
    revoked = [];
    for (const ruleId of input.securityGroupRuleIds) {
      const rule = group.rules.find((r) => r.securityGroupRuleId === ruleId && r.isEgress === input.egress);
      if (!rule) {
        return call.fail(
          'InvalidSecurityGroupRuleId.NotFound',
          `The security group rule ID '${ruleId}' does not exist`,
        );
      }
      revoked.push(rule);
    }
  } else {
    const parsed = permissionRules(world, group, input.egress, input.ipPermissions ?? []);
    if ('code' in parsed) return call.fail(parsed.code, parsed.message);
    revoked = [];
    for (const candidate of parsed.rules) {
      const rule = group.rules.find((r) => ruleMatchesPermission(r, candidate));
      if (!rule) {
        return call.fail('InvalidPermission.NotFound', 'The specified rule does not exist in world security group.');
      }
      revoked.push(rule);
    }
  }
  if (input.dryRun) return call.dryRun();
  group.rules = group.rules.filter((rule) => !revoked.includes(rule));
  return call.succeed(revoked, { _return: true, revokedSecurityGroupRuleSet: revoked.map(revokedRuleShape) });
}

export function modifySecurityGroupRules(
  world: NetworkState,
  input: { groupId: string; updates: SecurityGroupRuleUpdate[]; dryRun?: boolean },
  options: Ec2CallOptions,
): Ec2Result<true> {
  const pascalRule = (update: SecurityGroupRuleUpdate) => ({
    SecurityGroupRuleId: update.securityGroupRuleId,
    SecurityGroupRule: {
      IpProtocol: update.rule.ipProtocol,
      FromPort: update.rule.fromPort,
      ToPort: update.rule.toPort,
      ...(update.rule.cidrIpv4 ? { CidrIpv4: update.rule.cidrIpv4 } : {}),
      ...(update.rule.referencedGroupId ? { ReferencedGroupId: update.rule.referencedGroupId } : {}),
      ...(update.rule.description !== undefined ? { Description: update.rule.description } : {}),
    },
  });
  const [single] = input.updates;
  const call = world.begin(
    'ModifySecurityGroupRules',
    options,
    {
      ModifySecurityGroupRulesRequest: {
        GroupId: input.groupId,
        SecurityGroupRule: input.updates.length === 1 && single ? pascalRule(single) : input.updates.map(pascalRule),
        ...(input.dryRun ? { DryRun: true } : {}),
      },
    },
    // The PascalCase wrapper carries DryRun itself.
    false,
  );
  const group = world.securityGroups.get(input.groupId);
  if (!group) return call.fail('InvalidGroup.NotFound', `The security group '${input.groupId}' does not exist`);
  const replacements: [SecurityGroupRule, SecurityGroupRule][] = [];
  for (const update of input.updates) {
    const rule = group.rules.find((r) => r.securityGroupRuleId === update.securityGroupRuleId);
    if (!rule) {
      return call.fail(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${update.securityGroupRuleId}' does not exist`,
      );
    }
    const permission: IpPermissionInput = {
      ipProtocol: update.rule.ipProtocol,
      ...(update.rule.fromPort !== undefined ? { fromPort: update.rule.fromPort } : {}),
      ...(update.rule.toPort !== undefined ? { toPort: update.rule.toPort } : {}),
      ipRanges: update.rule.cidrIpv4 ? [{ cidrIp: update.rule.cidrIpv4 }] : [],
      groups: update.rule.referencedGroupId ? [{ groupId: update.rule.referencedGroupId }] : [],
    };
    const parsed = permissionRules(world, group, rule.isEgress, [permission]);
    if ('code' in parsed) return call.fail(parsed.code, parsed.message);
    const [next] = parsed.rules;
    if (!next) return call.fail('MissingParameter', 'The request must contain a rule');
    replacements.push([
      rule,
      {
        ...next,
        securityGroupRuleId: rule.securityGroupRuleId,
        ...(update.rule.description !== undefined ? { description: update.rule.description } : {}),
      },
    ]);
  }
  if (input.dryRun) return call.dryRun();
  for (const [old, next] of replacements) group.rules[group.rules.indexOf(old)] = next;
  return call.succeedRaw(true, {
    ModifySecurityGroupRulesResponse: { return: true, requestId: call.requestId },
  });
}
