/**
 * What a notification says, independent of the channel (pure): the headline, the subject line, the SNS
 * message (schema docs/schemas/sns-message.v1.json) and its message attributes. Slack's Block Kit layout
 * (shared/slack/blocks.ts) is built from the same parts, so every channel says the same thing.
 */
import type { Incident, IncidentMember, IncidentTransition, TransitionKind } from './incidents.js';
import { RULES } from './rules.js';

export const SNS_MESSAGE_SCHEMA = 'egress-watch.incident-notification';
export const SNS_MESSAGE_VERSION = 1;
/** SNS rejects subjects of 100 characters or more (Publish API reference, `Subject`). */
export const MAX_SUBJECT_LENGTH = 99;

const TITLES: Record<string, string> = Object.fromEntries(Object.values(RULES).map((r) => [r.id, r.title]));

/** The catalog title of a rule id, or the id itself for a rule this build does not know. */
export function ruleTitle(rule: string): string {
  return TITLES[rule] ?? rule;
}

const VERB: Record<TransitionKind, string> = {
  opened: 'OPENED',
  reopened: 'REOPENED',
  resolved: 'RESOLVED',
  flapping: 'FLAPPING',
  reminder: 'STILL OPEN',
};

/** "OPENED", "RESOLVED", "STILL OPEN"… */
export function transitionVerb(kind: TransitionKind): string {
  return VERB[kind];
}

/** "2h 05m", "45m", "30s" for a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** connectorId of findings about a whole account/region (the projection's SCOPE_OWNER). */
const ACCOUNT_WIDE = '*';

/** "nat-egress-connector (nc-…)", the id alone, or "account-wide" for findings about a whole account/region. */
export function connectorLabel(member: Pick<IncidentMember, 'connectorId' | 'connectorName'>): string {
  if (member.connectorId === ACCOUNT_WIDE) return 'account-wide (connectors named in the summary)';
  return member.connectorName ? `${member.connectorName} (${member.connectorId})` : member.connectorId;
}

/** The connectors of an incident, once each, in member order. */
export function incidentConnectors(incident: Incident): { id: string; name: string | null }[] {
  const seen = new Map<string, string | null>();
  for (const m of incident.members) {
    if (seen.has(m.connectorId)) continue;
    seen.set(m.connectorId, m.connectorId === ACCOUNT_WIDE ? 'account-wide' : m.connectorName);
  }
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** The parent member (the one that opened the incident). */
export function leadMember(incident: Incident): IncidentMember {
  return (incident.members.find((m) => m.rule === incident.rule) ?? incident.members[0]) as IncidentMember;
}

/** One line: "OPENED critical · Connector deleted while MicroVMs still use it · nat-egress-connector". */
export function headline(t: IncidentTransition): string {
  const connectors = incidentConnectors(t.incident);
  const who =
    connectors.length === 1
      ? (connectors[0]?.name ?? connectors[0]?.id ?? '')
      : `${connectors.length} connectors: ${connectors.map((c) => c.name ?? c.id).join(', ')}`;
  const flapping = t.incident.kind === 'flapping' && t.kind !== 'flapping' ? ' (flapping)' : '';
  const open = t.kind === 'reminder' ? ` — open for ${formatDuration(t.openForMs)}` : '';
  return `${transitionVerb(t.kind)} ${t.incident.severity} · ${ruleTitle(t.incident.rule)}${flapping} · ${who}${open}`;
}

/**
 * The SNS subject: "[egress-watch] OPENED critical connector-deleted-while-in-use: nat-egress-connector";
 * under 100 characters and without line breaks (SNS Publish rejects either).
 */
export function subjectLine(t: IncidentTransition): string {
  const connectors = incidentConnectors(t.incident).map((c) => c.name ?? c.id);
  const who = connectors.length > 2 ? `${connectors.length} connectors` : connectors.join(', ');
  const text = `[egress-watch] ${transitionVerb(t.kind)} ${t.incident.severity} ${t.incident.rule}: ${who}`.replace(
    /[\r\n]+/g,
    ' ',
  );
  return text.length <= MAX_SUBJECT_LENGTH ? text : `${text.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
}

/** The runbook of the incident's rule: `<base>/<rule-id>.md`. */
export function runbookUrl(base: string, rule: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${encodeURIComponent(rule)}.md`;
}

/** The versioned SNS message body (docs/schemas/sns-message.v1.json). */
export interface SnsMessageV1 {
  schema: typeof SNS_MESSAGE_SCHEMA;
  version: typeof SNS_MESSAGE_VERSION;
  headline: string;
  transition: { id: string; kind: TransitionKind; at: string; openForSeconds: number };
  incident: {
    id: string;
    kind: Incident['kind'];
    status: Incident['status'];
    rule: string;
    ruleTitle: string;
    severity: Incident['severity'];
    account: string;
    region: string;
    openedAt: string;
    resolvedAt: string | null;
    connectors: { id: string; name: string | null }[];
    actors: string[];
    summary: string;
    members: {
      fingerprint: string;
      rule: string;
      severity: IncidentMember['severity'];
      status: IncidentMember['status'];
      connectorId: string;
      connectorName: string | null;
      summary: string;
      actor: string | null;
      explanation: string | null;
      firstSeen: string;
      lastSeen: string;
    }[];
  };
  runbookUrl: string;
}

/** Builds the SNS message for a transition. */
export function snsMessage(t: IncidentTransition, runbookBase: string): SnsMessageV1 {
  const i = t.incident;
  return {
    schema: SNS_MESSAGE_SCHEMA,
    version: SNS_MESSAGE_VERSION,
    headline: headline(t),
    transition: { id: t.transitionId, kind: t.kind, at: t.at, openForSeconds: Math.round(t.openForMs / 1000) },
    incident: {
      id: i.incidentId,
      kind: i.kind,
      status: i.status,
      rule: i.rule,
      ruleTitle: ruleTitle(i.rule),
      severity: i.severity,
      account: i.account,
      region: i.region,
      openedAt: i.openedAt,
      resolvedAt: i.resolvedAt,
      connectors: incidentConnectors(i),
      actors: i.actors,
      summary: leadMember(i).summary,
      members: i.members.map((m) => ({
        fingerprint: m.fingerprint,
        rule: m.rule,
        severity: m.severity,
        status: m.status,
        connectorId: m.connectorId,
        connectorName: m.connectorName,
        summary: m.summary,
        actor: m.actor,
        explanation: m.explanation,
        firstSeen: m.firstSeen,
        lastSeen: m.lastSeen,
      })),
    },
    runbookUrl: runbookUrl(runbookBase, i.rule),
  };
}

/**
 * SNS message attributes for subscription filter policies: rule, severity, status (the transition kind),
 * connectorId / connectorName (comma-separated when an incident names several), account, region, incidentId.
 * Every value is a non-empty String (SNS rejects empty attribute values).
 */
export function snsAttributes(t: IncidentTransition): Record<string, string> {
  const connectors = incidentConnectors(t.incident);
  const names = connectors.map((c) => c.name ?? c.id);
  return {
    rule: t.incident.rule,
    severity: t.incident.severity,
    status: t.kind,
    connectorId: connectors.map((c) => c.id).join(',') || 'none',
    connectorName: names.join(',') || 'none',
    account: t.incident.account,
    region: t.incident.region,
    incidentId: t.incidentId,
  };
}
