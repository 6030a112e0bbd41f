/**
 * What the fold remembers of security-group rules by `sgr-` id (docs/projection.md#security-group-rules), so a
 * `ModifySecurityGroupRules` — which names the rule by id and carries only its new content — can be judged
 * against the content it replaces (a rule moved off the connector's group, a CIDR or port change), and how a
 * security-group call made by `groupName` (default VPC, CloudFormation) is resolved to its group through the
 * network facts. Pure; the memory is part of the fold's checkpoint state, like the NAT route tables.
 *
 * Sources: EC2 API Reference, ModifySecurityGroupRules (`SecurityGroupRuleRequest`), AuthorizeSecurityGroupEgress
 * / Ingress responses (`securityGroupRuleSet`), DescribeSecurityGroupRules (`SecurityGroupRule`).
 */
import type { NetworkFacts, SecurityGroupChangedEvent, SecurityGroupRuleChange } from './model.js';

/** A rule's content as last known: its group, direction, protocol, ports and peer (CIDR, prefix list or group). */
export interface RememberedRule {
  groupId: string;
  direction: 'ingress' | 'egress' | 'unknown';
  protocol: string | null;
  fromPort: number | null;
  toPort: number | null;
  peer: string | null;
}

/** `sgr-` id → content. */
export type RuleMemory = Map<string, RememberedRule>;

/** The rules of the facts snapshot (DescribeSecurityGroupRules), by id; empty before the first capture. */
export function ruleMemoryOfFacts(facts: NetworkFacts): RuleMemory {
  const memory: RuleMemory = new Map();
  for (const group of facts.snapshot?.securityGroups ?? []) {
    for (const r of group.rules) {
      const all = r.ipProtocol === '-1';
      memory.set(r.securityGroupRuleId, {
        groupId: r.groupId,
        direction: r.isEgress ? 'egress' : 'ingress',
        protocol: all ? 'all' : r.ipProtocol,
        fromPort: all || r.fromPort === -1 ? null : r.fromPort,
        toPort: all || r.toPort === -1 ? null : r.toPort,
        peer: r.cidrIpv4 ?? r.prefixListId ?? r.referencedGroupId ?? null,
      });
    }
  }
  return memory;
}

/** Group ids a security group named `name` may be, per the facts (one per VPC that has such a name). */
export function groupIdsNamed(facts: NetworkFacts, name: string): string[] {
  return (facts.snapshot?.securityGroups ?? []).filter((g) => g.groupName === name).map((g) => g.groupId);
}

/** The event as the fold judges it: its group resolved (by name), and a modify's former rule content. */
export interface ResolvedSecurityGroupChange {
  event: SecurityGroupChangedEvent;
  /** Per modified rule id, the content it had before (when known). */
  before: Map<string, RememberedRule>;
}

function isGroupId(peer: string | null): peer is string {
  return peer?.startsWith('sg-') === true;
}

/**
 * Resolves a security-group event against the memory and facts: a `groupName`-only event gets its group id
 * when the facts name exactly one such group; a modify's rules get their former direction, and the groups
 * their former content referenced join `referencedGroupIds` (so moving a rule off a connector's group still
 * links the change to that connector).
 */
export function resolveSecurityGroupChange(
  event: SecurityGroupChangedEvent,
  memory: ReadonlyMap<string, RememberedRule>,
  facts: NetworkFacts,
): ResolvedSecurityGroupChange {
  let groupId = event.groupId;
  if (!groupId && event.groupName) {
    const named = groupIdsNamed(facts, event.groupName);
    if (named.length === 1) groupId = named[0] as string;
  }
  const before = new Map<string, RememberedRule>();
  const referenced = new Set(event.referencedGroupIds);
  let rules: SecurityGroupRuleChange[] = event.rules;
  if (event.change === 'modify') {
    rules = event.rules.map((rule) => {
      const old = rule.ruleId ? memory.get(rule.ruleId) : undefined;
      if (!old || !rule.ruleId) return rule;
      before.set(rule.ruleId, old);
      if (isGroupId(old.peer)) referenced.add(old.peer);
      return rule.direction === 'unknown' ? { ...rule, direction: old.direction } : rule;
    });
  }
  return {
    event: { ...event, groupId, rules, referencedGroupIds: [...referenced].sort() },
    before,
  };
}

/** Updates the memory with what a (resolved) security-group event did to rules with ids. */
export function rememberRules(memory: RuleMemory, event: SecurityGroupChangedEvent): void {
  if (!event.groupId) return;
  for (const rule of event.rules) {
    if (!rule.ruleId) continue;
    if (event.change === 'revoke') {
      memory.delete(rule.ruleId);
      continue;
    }
    memory.set(rule.ruleId, {
      groupId: event.groupId,
      direction: rule.direction,
      protocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
      peer: rule.peer,
    });
  }
}
