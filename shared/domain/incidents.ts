/**
 * Incidents: what people are told about, derived from findings (docs/alerts.md). Pure: a fold of finding
 * status changes (and clock ticks) over an `IncidentBook`, the per-account/region state, giving incident
 * transitions (`opened`, `resolved`, `reopened`, `flapping`, `reminder`) that delivery then sends.
 *
 *  - one incident per finding fingerprint, unless a parent fact explains the finding (grouping, below);
 *  - grouping: a connector deleted while in use or FAILED is the parent of every other finding on that
 *    connector; findings opened by the same CloudTrail change (one `eventID`: a NAT gateway deleted, a
 *    security-group rule removed) under several connectors are one incident naming them all. Children are
 *    members of the parent's incident, never announced on their own, and resolve on their own; the incident
 *    resolves when its last member does;
 *  - flapping: a fingerprint that opens more than `flapping.maxOpens` times within `flapping.windowMs`
 *    becomes one `flapping` incident, announced once, until it has been quiet for a whole window;
 *  - reminders: an open incident is re-announced every `reminders.everyMs`, at most `reminders.max` times;
 *  - silences: a transition matching an active silence or maintenance window is recorded as silenced and
 *    not sent.
 *
 * Times are ISO-8601 strings; durations are milliseconds.
 */

import type { PathExplanation } from './canary.js';
import { fingerprintOf } from './fingerprint.js';
import type { Evidence, Finding, FindingStatus, Severity } from './model.js';
import { RULES } from './rules.js';

/** A finding as the notifier reads it from the table: the model's fields plus optional ones others may add. */
export interface NotifiableFinding extends Finding {
  /**
   * Why a path is blocked, when the writer knows it: text, or the canary's path analysis (PathExplanation,
   * shared/domain/canary.ts), which incidents turn into text (`explanationText`).
   */
  explanation?: string | PathExplanation | null;
  /** Free tags (`team:payments`, `canary`…) used by silences and routing. */
  tags?: string[];
}

/** A finding's status change, as read from the table's stream (old image → new image). */
export interface FindingSignal {
  finding: NotifiableFinding;
  /** Status in the old image; null when the item is new. */
  previousStatus: FindingStatus | null;
  /** Connector name when known (the connector view's `name`). */
  connectorName: string | null;
}

export interface IncidentMember {
  fingerprint: string;
  rule: string;
  severity: Severity;
  status: FindingStatus;
  connectorId: string;
  connectorName: string | null;
  summary: string;
  /** Who made the change that opened the finding (evidence[0].actor), e.g. `role/NetworkTeam/bob`. */
  actor: string | null;
  explanation: string | null;
  firstSeen: string;
  lastSeen: string;
  tags: string[];
}

export type IncidentStatus = 'open' | 'resolved';
export type IncidentKind = 'finding' | 'flapping';
export type TransitionKind = 'opened' | 'resolved' | 'reopened' | 'flapping' | 'reminder';

export interface SilenceRef {
  silenceId: string;
  reason: string;
  /** 'silence' (egress-watch silence add) or 'maintenance-window' (config). */
  source: 'silence' | 'maintenance-window';
}

export interface Incident {
  incidentId: string;
  kind: IncidentKind;
  /** What grouped the members: the fingerprint, `connector|<id>` or `change|<eventID>`. */
  groupKey: string;
  /** The rule of the finding that opened the incident (the parent). */
  rule: string;
  /** Highest severity among the members. */
  severity: Severity;
  status: IncidentStatus;
  account: string;
  region: string;
  connectorIds: string[];
  members: IncidentMember[];
  actors: string[];
  openedAt: string;
  resolvedAt: string | null;
  /** When the incident was last announced (opened, reopened, flapping or a reminder). */
  lastAnnouncedAt: string;
  /** Reminders sent in the current cycle. */
  reminders: number;
  /** 1 at opening, +1 at every reopening: transition ids are unique per cycle. */
  cycle: number;
  /** Last member status change (flapping settles after a quiet window). */
  lastChangeAt: string;
  /** Set when the current cycle's announcement was silenced. */
  silenced: SilenceRef | null;
}

/** One thing to tell people (or record as silenced). `transitionId` is unique within the incident. */
export interface IncidentTransition {
  transitionId: string;
  incidentId: string;
  kind: TransitionKind;
  at: string;
  silenced: SilenceRef | null;
  /** How long the incident has been open at `at` (ms). */
  openForMs: number;
  incident: Incident;
}

export interface IncidentBook {
  /** Incidents still open, and resolved ones kept for `retentionMs` (reopen, flapping). */
  incidents: Record<string, Incident>;
  /** fingerprint → incidentId */
  memberOf: Record<string, string>;
  /** fingerprint → times it opened within the flapping window */
  opens: Record<string, string[]>;
  /** Latest change time seen (ISO-8601): retention and the flapping window are measured against it. */
  latest: string;
}

export interface SilenceMatch {
  /** A connector id, or a connector name (matches members whose connectorName is this). */
  connectorId?: string;
  rule?: string;
  severity?: Severity;
  tag?: string;
}

/** A silence (`egress-watch silence add`) or a maintenance window from the config. */
export interface Silence {
  silenceId: string;
  match: SilenceMatch;
  reason: string;
  startsAt: string;
  expiresAt: string;
  source: 'silence' | 'maintenance-window';
  createdBy?: string;
}

export interface IncidentPolicy {
  flapping: { maxOpens: number; windowMs: number };
  reminders: { everyMs: number; max: number };
  /** How long resolved incidents stay in the book (reopen in place, flapping memory). */
  retentionMs: number;
}

export const DEFAULT_POLICY: IncidentPolicy = {
  flapping: { maxOpens: 3, windowMs: 3600_000 },
  reminders: { everyMs: 4 * 3600_000, max: 6 },
  retentionMs: 7 * 86_400_000,
};

export const EMPTY_BOOK: IncidentBook = Object.freeze({
  incidents: {},
  memberOf: {},
  opens: {},
  latest: '1970-01-01T00:00:00.000Z',
}) as IncidentBook;

export interface FoldContext {
  policy: IncidentPolicy;
  silences: readonly Silence[];
  /** Processing time (ISO-8601): a silence active now also covers a late-delivered change. */
  now: string;
}

export interface FoldResult {
  book: IncidentBook;
  transitions: IncidentTransition[];
}

/** Rules whose finding explains every other finding on the same connector. */
export const PARENT_RULES: ReadonlySet<string> = new Set([
  RULES.connectorDeletedWhileInUse.id,
  RULES.connectorFailed.id,
]);

/**
 * Rules whose findings, opened by one call under several connectors (a NAT gateway deleted, a rule removed
 * from a security group several connectors use, one MicroVM run naming two connectors), are one incident.
 */
const CHANGE_GROUPED_RULES: ReadonlySet<string> = new Set([
  RULES.networkPathChanged.id,
  RULES.microvmMultipleEgressConnectors.id,
]);

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, warning: 2, info: 3 };

/** Most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

const ms = (iso: string) => Date.parse(iso);

/**
 * Applies a batch of finding status changes. Idempotent: a signal whose status the book already holds for
 * that fingerprint changes nothing, so a retried stream batch gives no new transitions. Parents are applied
 * before children, and one announcement per incident is made at the end of the batch, so a change that hit
 * three connectors in one batch gives one message naming all three.
 */
export function applyFindingSignals(
  book: IncidentBook,
  signals: readonly FindingSignal[],
  ctx: FoldContext,
): FoldResult {
  const next = cloneBook(book);
  const pending = new Map<string, { kind: TransitionKind; at: string }>();
  const ordered = [...signals].sort(
    (a, b) =>
      Number(!PARENT_RULES.has(a.finding.rule)) - Number(!PARENT_RULES.has(b.finding.rule)) ||
      changeTime(a).localeCompare(changeTime(b)),
  );
  for (const signal of ordered) applySignal(next, signal, ctx, pending);

  const transitions: IncidentTransition[] = [];
  for (const [incidentId, { kind, at }] of pending) {
    const incident = next.incidents[incidentId];
    if (!incident) continue;
    // Members that joined later in this batch count too: a silence on any connector of the announcement
    // covers it, whichever finding of the batch happened to open the incident.
    if (kind !== 'resolved') incident.silenced = activeSilence(incident, incident.openedAt, ctx);
    // An opening and a resolve in the same batch: the incident ends resolved, both are told (in order).
    if ((kind === 'opened' || kind === 'reopened' || kind === 'flapping') && incident.status === 'resolved') {
      transitions.push(announce(incident, kind, incident.openedAt));
      transitions.push(transition(incident, 'resolved', incident.resolvedAt ?? at));
      continue;
    }
    if (kind === 'resolved' && incident.status === 'open') continue;
    transitions.push(
      kind === 'resolved' ? transition(incident, kind, at) : announce(incident, kind, incident.openedAt),
    );
  }
  return { book: prune(next, ctx.policy), transitions };
}

/**
 * The scheduled tick: reminders for incidents open longer than `reminders.everyMs` since their last
 * announcement (at most `reminders.max` per cycle), and flapping incidents that have been quiet for a whole
 * window with every member resolved are resolved.
 */
export function tickIncidents(book: IncidentBook, ctx: FoldContext): FoldResult {
  const next = cloneBook(book);
  next.latest = maxIso(next.latest, ctx.now);
  const transitions: IncidentTransition[] = [];
  const now = ms(ctx.now);
  for (const incident of Object.values(next.incidents)) {
    if (incident.status !== 'open') continue;
    if (incident.kind === 'flapping' && now - ms(incident.lastChangeAt) >= ctx.policy.flapping.windowMs) {
      if (incident.members.every((m) => m.status === 'resolved')) {
        incident.status = 'resolved';
        incident.resolvedAt = ctx.now;
        transitions.push(transition(incident, 'resolved', ctx.now));
        continue;
      }
    }
    const due = now - ms(incident.lastAnnouncedAt) >= ctx.policy.reminders.everyMs;
    if (!due || incident.reminders >= ctx.policy.reminders.max) continue;
    incident.reminders += 1;
    incident.lastAnnouncedAt = ctx.now;
    transitions.push(transition(incident, 'reminder', ctx.now, activeSilence(incident, ctx.now, ctx)));
  }
  return { book: prune(next, ctx.policy), transitions };
}

/** The silence or maintenance window covering an incident at `at` (or at processing time), if any. */
export function activeSilence(
  incident: Incident,
  at: string,
  ctx: Pick<FoldContext, 'silences' | 'now'>,
): SilenceRef | null {
  const tags = new Set(incident.members.flatMap((m) => m.tags));
  const rules = new Set(incident.members.map((m) => m.rule));
  const covers = (s: Silence, t: string) => ms(s.startsAt) <= ms(t) && ms(t) < ms(s.expiresAt);
  for (const s of ctx.silences) {
    if (!covers(s, at) && !covers(s, ctx.now)) continue;
    const m = s.match;
    if (
      m.connectorId !== undefined &&
      !incident.members.some((x) => x.connectorId === m.connectorId || x.connectorName === m.connectorId)
    ) {
      continue;
    }
    if (m.rule !== undefined && !rules.has(m.rule)) continue;
    if (m.severity !== undefined && m.severity !== incident.severity) continue;
    if (m.tag !== undefined && !tags.has(m.tag)) continue;
    return { silenceId: s.silenceId, reason: s.reason, source: s.source };
  }
  return null;
}

/** A silence that matches nothing would silence everything: at least one field is required. */
export function validateSilenceMatch(match: SilenceMatch): string | null {
  const keys = Object.values(match).filter((v) => v !== undefined && v !== '');
  return keys.length === 0 ? 'a silence needs at least one of connector, rule, severity or tag' : null;
}

// ------------------------------------------------------------------------------------------------ internals

function changeTime(signal: FindingSignal): string {
  const f = signal.finding;
  return f.status === 'resolved' ? (f.resolvedAt ?? f.lastSeen) : f.status === 'open' ? openTime(signal) : f.lastSeen;
}

function openTime(signal: FindingSignal): string {
  return signal.previousStatus === 'resolved' ? signal.finding.lastSeen : signal.finding.firstSeen;
}

function applySignal(
  book: IncidentBook,
  signal: FindingSignal,
  ctx: FoldContext,
  pending: Map<string, { kind: TransitionKind; at: string }>,
): void {
  const f = signal.finding;
  book.latest = maxIso(book.latest, changeTime(signal));
  const incidentId = book.memberOf[f.fingerprint];
  const incident = incidentId ? book.incidents[incidentId] : undefined;
  const member = incident?.members.find((m) => m.fingerprint === f.fingerprint);
  if (member && incident) {
    const wasStatus = member.status;
    Object.assign(member, memberOf(signal));
    if (wasStatus === f.status) return; // already applied (retried batch) or no status change
    const at = changeTime(signal);
    incident.lastChangeAt = maxIso(incident.lastChangeAt, at);
    if (f.status === 'open') reopenMember(book, incident, signal, at, ctx, pending);
    else resolveMember(incident, at, pending);
    refresh(incident);
    return;
  }
  if (f.status !== 'open') return; // a resolved finding the book never saw opened: nothing to tell
  const at = openTime(signal);
  recordOpen(book, f.fingerprint, at, ctx.policy);
  const parent = parentIncident(book, f);
  if (parent) {
    parent.members.push(memberOf(signal));
    book.memberOf[f.fingerprint] = parent.incidentId;
    parent.lastChangeAt = maxIso(parent.lastChangeAt, at);
    if (parent.status === 'resolved') {
      reopenIncident(parent, at, ctx);
      pending.set(parent.incidentId, { kind: 'reopened', at });
    }
    refresh(parent);
    return;
  }
  const created = newIncident(signal, at);
  book.incidents[created.incidentId] = created;
  book.memberOf[f.fingerprint] = created.incidentId;
  created.silenced = activeSilence(created, at, ctx);
  pending.set(created.incidentId, { kind: 'opened', at });
}

function reopenMember(
  book: IncidentBook,
  incident: Incident,
  signal: FindingSignal,
  at: string,
  ctx: FoldContext,
  pending: Map<string, { kind: TransitionKind; at: string }>,
): void {
  const flapping = recordOpen(book, signal.finding.fingerprint, at, ctx.policy);
  if (incident.status === 'resolved' && pending.get(incident.incidentId)?.kind === 'resolved' && !flapping) {
    // Resolved and reopened within one batch: nobody was told it resolved, so nothing changed for them.
    incident.status = 'open';
    incident.resolvedAt = null;
    pending.delete(incident.incidentId);
    return;
  }
  if (incident.status === 'open') {
    // Another member still holds it open (or it is already flapping): nothing new to tell.
    if (flapping && incident.kind !== 'flapping') {
      incident.kind = 'flapping';
      pending.set(incident.incidentId, { kind: 'flapping', at });
    }
    return;
  }
  if (incident.kind === 'flapping') {
    // Still flapping and not yet settled: it was never resolved publicly.
    incident.status = 'open';
    incident.resolvedAt = null;
    return;
  }
  reopenIncident(incident, at, ctx);
  if (flapping) incident.kind = 'flapping';
  pending.set(incident.incidentId, { kind: flapping ? 'flapping' : 'reopened', at });
}

function resolveMember(
  incident: Incident,
  at: string,
  pending: Map<string, { kind: TransitionKind; at: string }>,
): void {
  if (incident.members.some((m) => m.status === 'open')) return;
  if (incident.kind === 'flapping') return; // settles on the tick after a quiet window
  if (incident.status === 'resolved') return;
  incident.status = 'resolved';
  incident.resolvedAt = at;
  const queued = pending.get(incident.incidentId);
  // Opened and resolved within one batch: keep the opening; the resolve follows it.
  if (!queued) pending.set(incident.incidentId, { kind: 'resolved', at });
}

function reopenIncident(incident: Incident, at: string, ctx: FoldContext): void {
  incident.status = 'open';
  incident.resolvedAt = null;
  incident.cycle += 1;
  incident.openedAt = at;
  incident.reminders = 0;
  incident.silenced = activeSilence(incident, at, ctx);
}

/** Records an opening; true when the fingerprint now flaps (more than maxOpens in the window). */
function recordOpen(book: IncidentBook, fingerprint: string, at: string, policy: IncidentPolicy): boolean {
  const from = ms(at) - policy.flapping.windowMs;
  const opens = (book.opens[fingerprint] ?? []).filter((t) => ms(t) > from && t !== at);
  opens.push(at);
  opens.sort();
  book.opens[fingerprint] = opens;
  return opens.length > policy.flapping.maxOpens;
}

function parentIncident(book: IncidentBook, f: NotifiableFinding): Incident | undefined {
  const candidates: string[] = [];
  if (!PARENT_RULES.has(f.rule)) candidates.push(`connector|${f.connectorId}`);
  const cause = causeOf(f);
  if (cause) candidates.push(cause);
  for (const key of candidates) {
    const found = Object.values(book.incidents).find(
      (i) => i.groupKey === key && (i.status === 'open' || key.startsWith('change|')),
    );
    if (found) return found;
  }
  return undefined;
}

/** `change|<eventID>` for findings one change opens under several connectors. */
function causeOf(f: NotifiableFinding): string | null {
  if (!CHANGE_GROUPED_RULES.has(f.rule)) return null;
  const first: Evidence | undefined = f.evidence[0];
  return first ? `change|${first.eventId}` : null;
}

function groupKeyOf(f: NotifiableFinding): string {
  if (PARENT_RULES.has(f.rule)) return `connector|${f.connectorId}`;
  return causeOf(f) ?? f.fingerprint;
}

function newIncident(signal: FindingSignal, at: string): Incident {
  const f = signal.finding;
  const groupKey = groupKeyOf(f);
  const member = memberOf(signal);
  const incident: Incident = {
    incidentId: `inc-${fingerprintOf(f.account, f.region, groupKey, at)}`,
    kind: 'finding',
    groupKey,
    rule: f.rule,
    severity: f.severity,
    status: 'open',
    account: f.account,
    region: f.region,
    connectorIds: [],
    members: [member],
    actors: [],
    openedAt: at,
    resolvedAt: null,
    lastAnnouncedAt: at,
    reminders: 0,
    cycle: 1,
    lastChangeAt: at,
    silenced: null,
  };
  refresh(incident);
  return incident;
}

function memberOf(signal: FindingSignal): IncidentMember {
  const f = signal.finding;
  return {
    fingerprint: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    status: f.status,
    connectorId: f.connectorId,
    connectorName: signal.connectorName,
    summary: f.summary,
    actor: f.evidence[0]?.actor ?? null,
    explanation: explanationText(f.explanation),
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    tags: [...(f.tags ?? []), ...(f.source ? [`source:${f.source}`] : [])],
  };
}

/**
 * A finding's explanation as one line of text: as written, or every blocker of a path analysis
 * (`blocked by <component> <id> (<direction>): <detail>`, joined by `; `); null when there is none.
 */
export function explanationText(explanation: string | PathExplanation | null | undefined): string | null {
  if (explanation === null || explanation === undefined) return null;
  if (typeof explanation === 'string') return explanation || null;
  const blockers = (explanation.blockers ?? []).map(
    (b) => `blocked by ${b.component} ${b.id}${b.direction ? ` (${b.direction})` : ''}: ${b.detail}`,
  );
  return blockers.length > 0 ? blockers.join('; ') : `path analysis: ${explanation.verdict}`;
}

function refresh(incident: Incident): void {
  incident.connectorIds = [...new Set(incident.members.map((m) => m.connectorId))];
  incident.actors = [...new Set(incident.members.map((m) => m.actor).filter((a): a is string => a !== null))];
  incident.severity = incident.members.map((m) => m.severity).sort(compareSeverity)[0] ?? incident.severity;
}

function announce(incident: Incident, kind: TransitionKind, at: string): IncidentTransition {
  incident.lastAnnouncedAt = maxIso(incident.lastAnnouncedAt, at);
  return transition(incident, kind, at, incident.silenced);
}

function transition(
  incident: Incident,
  kind: TransitionKind,
  at: string,
  silenced: SilenceRef | null = incident.silenced,
): IncidentTransition {
  const id =
    kind === 'opened' && incident.cycle === 1
      ? 'opened'
      : kind === 'reminder'
        ? `reminder#${incident.cycle}#${incident.reminders}`
        : `${kind}#${incident.cycle}`;
  return {
    transitionId: id,
    incidentId: incident.incidentId,
    kind,
    at,
    silenced,
    openForMs: Math.max(0, ms(at) - ms(incident.openedAt)),
    incident: structuredClone(incident),
  };
}

function prune(book: IncidentBook, policy: IncidentPolicy): IncidentBook {
  const now = book.latest;
  const horizon = ms(now) - policy.retentionMs;
  for (const [id, incident] of Object.entries(book.incidents)) {
    if (incident.status === 'resolved' && ms(incident.resolvedAt ?? incident.lastChangeAt) < horizon) {
      delete book.incidents[id];
      for (const m of incident.members) if (book.memberOf[m.fingerprint] === id) delete book.memberOf[m.fingerprint];
    }
  }
  const window = ms(now) - policy.flapping.windowMs;
  for (const [fp, opens] of Object.entries(book.opens)) {
    const kept = opens.filter((t) => ms(t) > window);
    if (kept.length === 0 && !book.memberOf[fp]) delete book.opens[fp];
  }
  return book;
}

function cloneBook(book: IncidentBook): IncidentBook {
  return structuredClone({
    incidents: book.incidents,
    memberOf: book.memberOf,
    opens: book.opens,
    latest: book.latest ?? EMPTY_BOOK.latest,
  });
}

function maxIso(a: string, b: string): string {
  return a > b ? a : b;
}
