/**
 * Which connectors a security-group, route, NAT or NACL change touches, and how to say what changed.
 * Security-group links are exact (the connector's own groups, or a group whose rule references them);
 * route-table, NACL and association links need NetworkFacts (reconcile) — without them a change is reported
 * as possibly affecting every connector whose subnets are not mapped yet, and says so.
 */
import type { ConnectorView, NetworkEvent, NetworkFacts, SecurityGroupRuleChange } from './model.js';

export interface NetworkHit {
  connector: ConnectorView;
  linkKnown: boolean;
  /** "sg-target references sg-conn, a security group" — completed with " of connector X" by the caller. */
  why: string;
}

export interface ChangeSubject {
  /** Identity of the path element (a rule, a route, an entry) the finding tracks. */
  key: string;
  text: string;
  baselineBefore: string;
  stateAfter: string;
}

/** The part of the facts snapshot (docs/network-facts.md) route reasoning reads; absent before the first capture. */
interface SnapshotRoutes {
  snapshot?: {
    routeTables: { routeTableId: string; routes: { destinationCidrBlock?: string; targetId: string }[] }[];
  };
}

/** NAT gateway → route tables routing to it, per the facts snapshot (blackhole routes included). */
export function natRouteTablesOf(facts: NetworkFacts): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const table of (facts as NetworkFacts & SnapshotRoutes).snapshot?.routeTables ?? []) {
    for (const route of table.routes) {
      if (!route.targetId.startsWith('nat-')) continue;
      out.set(route.targetId, [...(out.get(route.targetId) ?? []), table.routeTableId]);
    }
  }
  return out;
}

/**
 * A default route added to a route table that has no other default route (per the facts): its subnets were
 * "isolated" and now have an internet path — an isolation-breach candidate. Returns why, or null.
 */
export function isolationBreachCandidate(event: NetworkEvent, facts: NetworkFacts): string | null {
  if (event.kind !== 'network.route' || event.change !== 'create' || event.destination !== '0.0.0.0/0') return null;
  const table = (facts as NetworkFacts & SnapshotRoutes).snapshot?.routeTables.find(
    (t) => t.routeTableId === event.routeTableId,
  );
  if (!table) return null;
  const others = table.routes.filter((r) => r.destinationCidrBlock === '0.0.0.0/0' && r.targetId !== event.target);
  return others.length === 0
    ? `${event.routeTableId} had no default route: its subnets were isolated and now route to ${event.target ?? '?'}`
    : null;
}

export function affectedConnectors(
  event: NetworkEvent,
  alive: ConnectorView[],
  facts: NetworkFacts,
  natRouteTables: ReadonlyMap<string, ReadonlySet<string>>,
): NetworkHit[] {
  const hits: NetworkHit[] = [];
  for (const connector of alive) {
    const hit = linkOf(event, connector, facts, natRouteTables);
    if (hit) hits.push({ connector, ...hit });
  }
  return hits;
}

function linkOf(
  event: NetworkEvent,
  view: ConnectorView,
  facts: NetworkFacts,
  natRouteTables: ReadonlyMap<string, ReadonlySet<string>>,
): Omit<NetworkHit, 'connector'> | null {
  switch (event.kind) {
    case 'network.security-group': {
      if (view.securityGroupIds.includes(event.groupId)) {
        return { linkKnown: true, why: `${event.groupId} is a security group` };
      }
      const referenced = event.referencedGroupIds.find((g) => view.securityGroupIds.includes(g));
      return referenced
        ? { linkKnown: true, why: `${event.groupId} references ${referenced}, the security group` }
        : null;
    }
    case 'network.route':
      return viaRouteTables(view, new Set([event.routeTableId]), facts, `route table ${event.routeTableId}`);
    case 'network.nat-gateway-deleted': {
      const tables = natRouteTables.get(event.natGatewayId) ?? new Set<string>();
      if (tables.size === 0) {
        return view.subnetIds.length > 0
          ? {
              linkKnown: false,
              why: `route tables using ${event.natGatewayId} are not known yet; it may route the subnets`,
            }
          : null;
      }
      return viaRouteTables(view, tables, facts, `${event.natGatewayId} (via ${[...tables].join(', ')})`);
    }
    case 'network.nacl-entry':
      return viaSubnetMap(view, facts.networkAclOfSubnet, event.networkAclId, `network ACL ${event.networkAclId}`);
    case 'network.route-table-association': {
      const subnet = facts.subnetOfRouteTableAssociation[event.associationId];
      if (subnet) {
        return view.subnetIds.includes(subnet)
          ? { linkKnown: true, why: `association ${event.associationId} belongs to ${subnet}, a subnet` }
          : null;
      }
      return view.subnetIds.length > 0
        ? { linkKnown: false, why: `association ${event.associationId} may belong to the subnets` }
        : null;
    }
  }
}

function viaRouteTables(
  view: ConnectorView,
  tables: ReadonlySet<string>,
  facts: NetworkFacts,
  what: string,
): Omit<NetworkHit, 'connector'> | null {
  const served = view.subnetIds.find((s) => {
    const table = facts.routeTableOfSubnet[s];
    return table !== undefined && tables.has(table);
  });
  if (served) return { linkKnown: true, why: `${what} serves ${served}, a subnet` };
  const unmapped = view.subnetIds.some((s) => facts.routeTableOfSubnet[s] === undefined);
  return unmapped ? { linkKnown: false, why: `${what} may serve the subnets` } : null;
}

function viaSubnetMap(
  view: ConnectorView,
  map: Record<string, string>,
  target: string,
  what: string,
): Omit<NetworkHit, 'connector'> | null {
  const served = view.subnetIds.find((s) => map[s] === target);
  if (served) return { linkKnown: true, why: `${what} governs ${served}, a subnet` };
  const unmapped = view.subnetIds.some((s) => map[s] === undefined);
  return unmapped ? { linkKnown: false, why: `${what} may govern the subnets` } : null;
}

export function networkChangeDirection(event: NetworkEvent): 'restrictive' | 'permissive' | 'neutral' {
  switch (event.kind) {
    case 'network.security-group':
      return event.change === 'revoke' ? 'restrictive' : event.change === 'authorize' ? 'permissive' : 'neutral';
    case 'network.route':
      return event.change === 'delete' ? 'restrictive' : event.change === 'create' ? 'permissive' : 'neutral';
    case 'network.nat-gateway-deleted':
      return 'restrictive';
    case 'network.nacl-entry':
      if (event.change === 'delete') return 'neutral';
      return event.ruleAction === 'deny' ? 'restrictive' : 'permissive';
    case 'network.route-table-association':
      return 'neutral';
  }
}

/** One line for a rule: "egress tcp/443 to 10.0.0.0/8" (with the sgr- id when only the id is known). */
export function ruleText(rule: SecurityGroupRuleChange): string {
  const ports =
    rule.protocol === 'all' || rule.protocol === null
      ? (rule.protocol ?? 'rule')
      : rule.fromPort === rule.toPort
        ? `${rule.protocol}/${rule.fromPort}`
        : `${rule.protocol}/${rule.fromPort}-${rule.toPort}`;
  const direction = rule.direction === 'unknown' ? '' : `${rule.direction} `;
  const peer = rule.peer ? ` ${rule.direction === 'egress' ? 'to' : 'from'} ${rule.peer}` : '';
  const id = rule.ruleId && rule.protocol === null ? ` ${rule.ruleId}` : '';
  return `${direction}${ports}${peer}${id}`.trim();
}

export function describeNetworkChange(event: NetworkEvent): { text: string; subjects: ChangeSubject[] } {
  switch (event.kind) {
    case 'network.security-group': {
      // A call made by groupName whose group the facts do not resolve is named by its name.
      const group = event.groupId || `security group "${event.groupName ?? '?'}"`;
      const verb = event.change === 'authorize' ? 'authorized' : event.change === 'revoke' ? 'revoked' : 'modified';
      const subjects = event.rules.map((rule) => ({
        key: `sg|${group}|${rule.key}`,
        text: `${ruleText(rule)} ${verb} on ${group}`,
        baselineBefore: event.change === 'revoke' ? 'present' : event.change === 'authorize' ? 'absent' : 'unknown',
        stateAfter:
          event.change === 'revoke' ? 'absent' : event.change === 'authorize' ? 'present' : `modified:${event.eventId}`,
      }));
      const text = `${group}: ${subjects.map((s) => s.text.replace(` on ${group}`, '')).join(', ') || `rules ${verb}`}`;
      return { text, subjects: subjects.length > 0 ? subjects : [fallbackSubject(event, text)] };
    }
    case 'network.route': {
      const text =
        event.change === 'create'
          ? `route ${event.destination} → ${event.target ?? '?'} added to ${event.routeTableId}`
          : event.change === 'delete'
            ? `route ${event.destination} removed from ${event.routeTableId}`
            : `route ${event.destination} in ${event.routeTableId} now → ${event.target ?? '?'}`;
      return {
        text,
        subjects: [
          {
            key: `route|${event.routeTableId}|${event.destination}`,
            text,
            baselineBefore: event.change === 'create' ? 'absent' : event.change === 'delete' ? 'present' : 'unknown',
            stateAfter:
              event.change === 'delete' ? 'absent' : event.change === 'create' ? 'present' : `to:${event.target}`,
          },
        ],
      };
    }
    case 'network.nat-gateway-deleted': {
      const text = `NAT gateway ${event.natGatewayId} deleted`;
      return {
        text,
        subjects: [{ key: `nat|${event.natGatewayId}`, text, baselineBefore: 'present', stateAfter: 'absent' }],
      };
    }
    case 'network.nacl-entry': {
      const side = event.egress ? 'egress' : 'ingress';
      const text =
        event.change === 'delete'
          ? `${side} entry #${event.ruleNumber} removed from ${event.networkAclId}`
          : `${side} entry #${event.ruleNumber} (${event.ruleAction ?? '?'} ${event.cidr ?? '?'}) ${event.change === 'create' ? 'added to' : 'replaced in'} ${event.networkAclId}`;
      return {
        text,
        subjects: [
          {
            key: `nacl|${event.networkAclId}|${side}|${event.ruleNumber}`,
            text,
            baselineBefore: event.change === 'create' ? 'absent' : event.change === 'delete' ? 'present' : 'unknown',
            stateAfter:
              event.change === 'delete'
                ? 'absent'
                : event.change === 'create'
                  ? 'present'
                  : `replaced:${event.eventId}`,
          },
        ],
      };
    }
    case 'network.route-table-association': {
      const text = `association ${event.associationId} moved to route table ${event.routeTableId}`;
      return {
        text,
        subjects: [
          {
            key: `assoc|${event.associationId}`,
            text,
            baselineBefore: 'unknown',
            stateAfter: `rtb:${event.routeTableId}`,
          },
        ],
      };
    }
  }
}

function fallbackSubject(event: NetworkEvent, text: string): ChangeSubject {
  return { key: `event|${event.eventId}`, text, baselineBefore: 'unknown', stateAfter: 'changed' };
}
