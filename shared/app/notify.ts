/**
 * Use cases of the notify function (docs/alerts.md). Two separate steps:
 *
 *  1. decide — fold finding status changes (or a clock tick) into the scope's incident book with the pure
 *     incident logic (shared/domain/incidents.ts), and store the book together with an outbox of the
 *     transitions to tell, in one conditional write (optimistic concurrency on `version`);
 *  2. deliver — for every outbox transition and channel, claim the (incident, transition, channel) key in the
 *     ledger with one conditional put, send, record the receipt; what still fails after the channel's own
 *     retries goes to the dead-letter queue with its reason. The outbox is then emptied.
 *
 * Detection (the projection, reconcile, the canary) never sends; delivery never decides. A retried stream
 * batch gives no new transitions (the fold is idempotent) and no second message (the ledger).
 */
import {
  ChannelError,
  type DeadLetter,
  type DeadLetterQueue,
  type DeliveryKey,
  type DeliveryLedger,
  type FindingChangeRecord,
  type IncidentStore,
  type NotificationChannel,
} from '../alerts-ports.js';
import {
  applyFindingSignals,
  type FindingSignal,
  type FoldContext,
  type FoldResult,
  type IncidentBook,
  type IncidentPolicy,
  type IncidentTransition,
  type Silence,
  tickIncidents,
} from '../domain/incidents.js';
import type { Clock, Logger, Metrics, Scope } from '../ports.js';
import { noMetrics, silentLogger } from '../ports.js';

export interface NotifyDeps {
  incidents: IncidentStore;
  ledger: DeliveryLedger;
  channels: readonly NotificationChannel[];
  deadLetters: DeadLetterQueue;
  policy: IncidentPolicy;
  maintenanceWindows: readonly Silence[];
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** How long a claim protects a send in flight before another invocation may take it over (ms). */
  leaseMs?: number;
}

export interface NotifyOutcome {
  transitions: number;
  sent: number;
  silenced: number;
  deadLettered: number;
  skipped: number;
}

const MAX_SAVE_ATTEMPTS = 10;
const DEFAULT_LEASE_MS = 5 * 60_000;
const ANNOUNCING = new Set(['opened', 'reopened', 'flapping']);

/** Stream batch → incident transitions → deliveries. */
export async function notifyFindingChanges(
  deps: NotifyDeps,
  changes: readonly FindingChangeRecord[],
): Promise<NotifyOutcome> {
  const outcome = emptyOutcome();
  const relevant = changes.filter((c) => c.previousStatus !== c.finding.status);
  if (relevant.length === 0) return outcome;
  const names = await deps.incidents.connectorNames([...new Set(relevant.map((c) => c.finding.connectorId))]);
  const byScope = new Map<string, { scope: Scope; signals: FindingSignal[] }>();
  for (const c of relevant) {
    const key = `${c.finding.account}#${c.finding.region}`;
    const entry = byScope.get(key) ?? { scope: { account: c.finding.account, region: c.finding.region }, signals: [] };
    entry.signals.push({
      finding: c.finding,
      previousStatus: c.previousStatus,
      connectorName: names.get(c.finding.connectorId) ?? null,
    });
    byScope.set(key, entry);
  }
  for (const { scope, signals } of byScope.values()) {
    outcome.transitions += await decide(deps, scope, (book, ctx) => applyFindingSignals(book, signals, ctx));
    add(outcome, await deliverOutbox(deps, scope));
  }
  return outcome;
}

/** The schedule: reminders and settled flapping incidents in every scope. */
export async function remindOpenIncidents(deps: NotifyDeps, now: Date): Promise<NotifyOutcome> {
  const outcome = emptyOutcome();
  for (const scope of await deps.incidents.listBookScopes()) {
    outcome.transitions += await decide(deps, scope, (book, ctx) => tickIncidents(book, ctx), now);
    add(outcome, await deliverOutbox(deps, scope));
  }
  return outcome;
}

/** Sends what is in the dead-letter queue again, still at most once per (incident, transition, channel). */
export async function redriveDeadLetters(
  deps: NotifyDeps,
  max = 100,
): Promise<{ redriven: number; alreadySent: number; failed: number; unknownChannel: number }> {
  const result = { redriven: 0, alreadySent: 0, failed: 0, unknownChannel: 0 };
  const logger = deps.logger ?? silentLogger;
  for (;;) {
    const batch = await deps.deadLetters.receive(Math.min(10, max - result.redriven - result.failed));
    if (batch.length === 0) break;
    for (const { letter, handle } of batch) {
      const channel = deps.channels.find((c) => c.name === letter.key.channel);
      if (!channel) {
        result.unknownChannel++;
        logger.warn('dead letter for a channel that is not configured; left in the queue', { key: letter.key });
        continue;
      }
      const outcome = await deliverOnce(deps, letter.transition, channel, { fromDeadLetter: true });
      if (outcome === 'sent') result.redriven++;
      else if (outcome === 'already-sent') result.alreadySent++;
      else result.failed++; // deliverOnce queued a new letter with the new reason
      await deps.deadLetters.remove(handle);
    }
    if (result.redriven + result.failed + result.alreadySent >= max) break;
  }
  return result;
}

// ------------------------------------------------------------------------------------------------ decide

async function decide(
  deps: NotifyDeps,
  scope: Scope,
  step: (book: IncidentBook, ctx: FoldContext) => FoldResult,
  now: Date = deps.clock.now(),
): Promise<number> {
  for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
    const stored = await deps.incidents.loadBook(scope);
    const silences = [...(await deps.incidents.listSilences()), ...deps.maintenanceWindows];
    const { book, transitions } = step(stored.book, { policy: deps.policy, silences, now: now.toISOString() });
    const changed = changedIncidents(stored.book, book);
    if (transitions.length === 0 && changed.length === 0) return 0;
    const saved = await deps.incidents.saveBook(scope, book, [...stored.outbox, ...transitions], stored.version);
    if (!saved) continue;
    await deps.incidents.putIncidents(changed);
    for (const t of transitions) {
      (deps.logger ?? silentLogger).info('incident transition', {
        incidentId: t.incidentId,
        transition: t.transitionId,
        rule: t.incident.rule,
        connectors: t.incident.connectorIds,
        silenced: t.silenced?.reason ?? null,
      });
    }
    return transitions.length;
  }
  throw new Error(
    `incident book of ${scope.account}/${scope.region} kept changing under ${MAX_SAVE_ATTEMPTS} attempts`,
  );
}

function changedIncidents(before: IncidentBook, after: IncidentBook) {
  return Object.values(after.incidents).filter(
    (i) => JSON.stringify(before.incidents[i.incidentId]) !== JSON.stringify(i),
  );
}

// ----------------------------------------------------------------------------------------------- deliver

type DeliveryResult = 'sent' | 'silenced' | 'dead-lettered' | 'already-sent' | 'in-flight';

async function deliverOutbox(deps: NotifyDeps, scope: Scope): Promise<NotifyOutcome> {
  const outcome = emptyOutcome();
  const stored = await deps.incidents.loadBook(scope);
  if (stored.outbox.length === 0) return outcome;
  const done = new Set<string>();
  for (const t of stored.outbox) {
    let settled = true;
    for (const channel of deps.channels) {
      const result = t.silenced ? 'silenced' : await deliverOnce(deps, t, channel, {});
      if (result === 'sent') outcome.sent++;
      else if (result === 'silenced') outcome.silenced++;
      else if (result === 'dead-lettered') outcome.deadLettered++;
      else outcome.skipped++;
      if (result === 'in-flight') settled = false;
    }
    if (t.silenced) (deps.metrics ?? noMetrics).count('NotificationsSilenced');
    if (settled) done.add(outboxId(t));
  }
  await removeFromOutbox(deps, scope, done);
  return outcome;
}

async function removeFromOutbox(deps: NotifyDeps, scope: Scope, done: ReadonlySet<string>): Promise<void> {
  if (done.size === 0) return;
  for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
    const stored = await deps.incidents.loadBook(scope);
    const rest = stored.outbox.filter((t) => !done.has(outboxId(t)));
    if (rest.length === stored.outbox.length) return;
    if (await deps.incidents.saveBook(scope, stored.book, rest, stored.version)) return;
  }
}

const outboxId = (t: IncidentTransition) => `${t.incidentId}/${t.transitionId}`;

async function deliverOnce(
  deps: NotifyDeps,
  t: IncidentTransition,
  channel: NotificationChannel,
  options: { fromDeadLetter?: boolean },
): Promise<DeliveryResult> {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const key: DeliveryKey = { incidentId: t.incidentId, transitionId: t.transitionId, channel: channel.name };
  const claim = await deps.ledger.claim(key, {
    nowMs: deps.clock.now().getTime(),
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    fromDeadLetter: options.fromDeadLetter ?? false,
  });
  if (claim === 'already-sent') return 'already-sent';
  if (claim === 'in-flight') return 'in-flight';
  if (claim === 'dead-lettered') return 'already-sent'; // the dead-letter queue owns it now
  const cycle = t.incident.cycle;
  const anchor = ANNOUNCING.has(t.kind) ? undefined : await deps.ledger.anchor(t.incidentId, cycle, channel.name);
  try {
    const receipt = await channel.send(t, { anchor });
    await deps.ledger.complete(key, receipt);
    if (ANNOUNCING.has(t.kind) || !anchor) await deps.ledger.setAnchor(t.incidentId, cycle, channel.name, receipt);
    metrics.count(`NotificationsSent.${channel.name}`);
    return 'sent';
  } catch (error) {
    const reason = `${channel.name}: ${describeFailure(error)}`;
    await deps.ledger.deadLetter(key, reason);
    const letter: DeadLetter = { key, reason, failedAt: deps.clock.now().toISOString(), transition: t };
    await deps.deadLetters.send(letter);
    metrics.count('NotificationsDeadLettered');
    logger.warn('notification dead-lettered', { ...key, reason });
    return 'dead-lettered';
  }
}

/**
 * A failure in words that never carry a secret: the error's name, code and HTTP status, and its message
 * only when the channel marked it safe (ChannelError).
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ChannelError) return error.message;
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const parts = [e.name, e.code, e.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode}` : undefined];
  return parts.filter(Boolean).join(' ') || 'unknown error';
}

function emptyOutcome(): NotifyOutcome {
  return { transitions: 0, sent: 0, silenced: 0, deadLettered: 0, skipped: 0 };
}

function add(into: NotifyOutcome, more: NotifyOutcome): void {
  into.transitions += more.transitions;
  into.sent += more.sent;
  into.silenced += more.silenced;
  into.deadLettered += more.deadLettered;
  into.skipped += more.skipped;
}
