/**
 * Use case: reconcile one account/region (docs/reconcile.md). Reads CloudTrail Event history since the last
 * watermark and ingests every management event the log lacks through the same ingest path (idempotent on
 * eventID: what is stored was missed, and is reported as repaired); reads Lambda Core connectors, MicroVMs
 * and the network facts; appends observations for what no event explains and for every reconcile condition.
 * Read-only towards AWS. The watermark is saved last, so a run that fails half-way loses nothing: the next
 * run looks at the same window again and its writes are idempotent.
 */
import { deriveLifecycle } from '../domain/connector-lifecycle.js';
import type { NetworkFacts } from '../domain/model.js';
import {
  type Condition,
  DEFAULT_RECONCILE_SETTINGS,
  judgeReconcile,
  judgeUnreachable,
  type ReconcileSettings,
  type RepairedEvent,
} from '../domain/reconcile-judge.js';
import type { Clock, EventLog, Logger, Metrics, ProjectionStore, Scope } from '../ports.js';
import { noMetrics, silentLogger } from '../ports.js';
import { ingestEvents } from './ingest-events.js';
import type {
  ConnectorInventory,
  MicrovmInventory,
  MonitoringSetup,
  NetworkFactsCollector,
  ReconcileCursorStore,
  ReconcileNetwork,
  TrailHistory,
  TrailRecord,
} from './reconcile-ports.js';

export interface ReconcileDeps {
  log: EventLog;
  store: Pick<ProjectionStore, 'loadNetworkFacts'>;
  cursors: ReconcileCursorStore;
  connectors: ConnectorInventory;
  microvms: MicrovmInventory;
  trail: TrailHistory;
  /** Absent: reconcile uses no network snapshot (ENI, subnet and NAT conditions are not judged). */
  facts?: NetworkFactsCollector;
  /** Absent: the trail and rule checks of monitoring-blind are skipped. */
  monitoring?: MonitoringSetup;
  allowedAccounts: ReadonlySet<string>;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  settings?: Partial<ReconcileOptions>;
}

/** Judgement thresholds plus the CloudTrail window (ms). */
export interface ReconcileOptions extends ReconcileSettings {
  /** Events younger than this are not judged missed yet (EventBridge may still deliver them). Default 15 min. */
  settleMs: number;
  /** Re-read this much before the watermark (CloudTrail Event history can lag). Default 15 min. */
  overlapMs: number;
  /** First run: how far back to read Event history. Default 24 h (LookupEvents keeps 90 days). */
  initialLookbackMs: number;
}

/** Concurrent event-log writes (repairs and observations), each one conditional put. */
const APPEND_CONCURRENCY = 8;

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = Object.freeze({
  ...DEFAULT_RECONCILE_SETTINGS,
  settleMs: 15 * 60_000,
  overlapMs: 15 * 60_000,
  initialLookbackMs: 24 * 3600_000,
});

/** What one run did: the window read, events repaired, observations written, conditions found. */
export interface ReconcileReport {
  scope: Scope;
  /** ISO-8601 [start, end) of the CloudTrail window compared with the log. */
  window: { start: string; end: string };
  repaired: RepairedEvent[];
  /** Window events the log already had (delivered by EventBridge). Observations: only those newly stored. */
  delivered: number;
  observations: { eventId: string; kind: string; summary: string }[];
  conditions: { rule: string; connectorId: string | null; subject: string; summary: string }[];
  connectors: number;
  microvms: number;
  networkInterfaces: number;
}

/** Runs one reconcile of `scope`. Errors of any AWS read or store write propagate (the watermark stays). */
export async function reconcileScope(deps: ReconcileDeps, scope: Scope): Promise<ReconcileReport> {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const options = { ...DEFAULT_RECONCILE_OPTIONS, ...(deps.settings ?? {}) };
  const now = deps.clock.now();
  const cursor = await deps.cursors.loadCursor(scope);
  const start = new Date(
    cursor ? Date.parse(cursor.watermark) - options.overlapMs : now.getTime() - options.initialLookbackMs,
  );
  const end = new Date(Math.max(start.getTime(), now.getTime() - options.settleMs));

  // 1. CloudTrail Event history through the ingest path: what gets stored was missed.
  const records = (await deps.trail.lookupWriteEvents(start, end)).filter(
    (r) => r.eventSource === 'ec2.amazonaws.com' || r.eventSource === 'lambda.amazonaws.com',
  );
  const ingest = await ingestEvents(
    {
      log: deps.log,
      allowedAccounts: deps.allowedAccounts,
      clock: deps.clock,
      logger,
      metrics,
      concurrency: APPEND_CONCURRENCY,
    },
    records.map((r) => envelopeOf(r, scope)),
  );
  const byId = new Map(records.map((r) => [r.eventID, r]));
  const repaired: RepairedEvent[] = ingest.stored.map(({ eventId }) => {
    const r = byId.get(eventId) as TrailRecord;
    const eventTime = new Date(r.eventTime).toISOString();
    return {
      eventId,
      eventName: String(r.eventName ?? '?'),
      eventSource: r.eventSource,
      eventTime,
      lateByMs: now.getTime() - Date.parse(eventTime),
    };
  });
  metrics.count('reconcileRepaired', repaired.length);

  // 2. What the APIs show now.
  const [connectors, network, blindness] = await Promise.all([
    deps.connectors.describeConnectors(),
    deps.facts ? deps.facts.collect(scope, deps.clock) : Promise.resolve(null),
    monitoringBlindness(deps.monitoring, scope),
  ]);
  const facts: NetworkFacts = await deps.store.loadNetworkFacts(scope);
  const belief = deriveLifecycle(await deps.log.loadEvents(scope), facts);
  const believedMicrovms = new Set(belief.connectors.flatMap((c) => c.microvms.map((m) => m.id)));
  // GetMicrovm only for MicroVMs the log does not know: a MicroVM's egress connectors never change.
  const listed = await deps.microvms.listMicrovms();
  const detailed = await deps.microvms.getMicrovms(
    listed.map((m) => m.microvmId).filter((id) => !believedMicrovms.has(id)),
  );
  const microvms = mergeMicrovms(listed, detailed);

  // 3. Observations: what no event explains, and the conditions' transitions.
  const { observations, conditions } = judgeReconcile({
    account: scope.account,
    region: scope.region,
    now: now.toISOString(),
    belief,
    connectors,
    microvms,
    network: network as ReconcileNetwork | null,
    repaired,
    deliveredInWindow: ingest.duplicates.length,
    blindness,
    settings: options,
  });
  const written: typeof observations = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(APPEND_CONCURRENCY, observations.length) }, async () => {
      while (next < observations.length) {
        const observation = observations[next++] as (typeof observations)[number];
        if ((await deps.log.appendEvent(observation)) === 'stored') written.push(observation);
      }
    }),
  );
  metrics.count('reconcileObservations', written.length);

  // 4. Only now is the window done.
  await deps.cursors.saveCursor(scope, { watermark: end.toISOString(), lastRunAt: now.toISOString() });
  logger.info('reconcile finished', {
    ...scope,
    repaired: repaired.length,
    observations: written.length,
    conditions: conditions.length,
  });
  return {
    scope,
    window: { start: start.toISOString(), end: end.toISOString() },
    repaired,
    delivered: ingest.duplicates.length,
    observations: written.map((o) => ({ eventId: o.eventId, kind: o.kind, summary: summaryOf(o) })),
    conditions: conditions.map(conditionSummary),
    connectors: connectors.length,
    microvms: microvms.length,
    networkInterfaces: network?.networkInterfaces.length ?? 0,
  };
}

/** What `recordUnreachable` needs: the central event log and a clock. */
export type UnreachableDeps = Pick<ReconcileDeps, 'log' | 'clock'> & Partial<Pick<ReconcileDeps, 'logger'>>;

/**
 * Records that `scope` could not be reconciled at all (its role cannot be assumed, access is denied, its APIs
 * fail after their retries): opens `monitoring-blind` (subject `unreachable`) for that account/region through
 * the event log, unless already open. Returns the number of observations written (0 or 1).
 * @throws the store's error when the log cannot be read or written.
 */
export async function recordUnreachable(deps: UnreachableDeps, scope: Scope, reason: string): Promise<number> {
  const belief = deriveLifecycle(await deps.log.loadEvents(scope));
  const observations = judgeUnreachable({ ...scope, now: deps.clock.now().toISOString(), belief, reason });
  let written = 0;
  for (const o of observations) if ((await deps.log.appendEvent(o)) === 'stored') written++;
  (deps.logger ?? silentLogger).warn('reconcile could not read the account/region', { ...scope, reason });
  return written;
}

/** The EventBridge envelope CloudTrail → EventBridge would have delivered for this record. */
function envelopeOf(record: TrailRecord, scope: Scope): Record<string, unknown> {
  return {
    version: '0',
    id: `reconcile-${record.eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${record.eventSource.split('.')[0]}`,
    account: (record.recipientAccountId as string | undefined) ?? scope.account,
    time: record.eventTime,
    region: (record.awsRegion as string | undefined) ?? scope.region,
    resources: [],
    detail: record,
  };
}

async function monitoringBlindness(
  monitoring: MonitoringSetup | undefined,
  scope: Scope,
): Promise<Record<string, string>> {
  if (!monitoring) return {};
  const out: Record<string, string> = {};
  const [trails, disabled] = await Promise.all([monitoring.loggingTrails(), monitoring.disabledIngestRules()]);
  if (trails.length === 0) {
    out['no-trail'] =
      `no CloudTrail trail is logging management events in ${scope.region}: EventBridge still gets management events, but nothing is archived and LookupEvents is the only history`;
  } else if (!trails.some((t) => t.microvmDataEvents)) {
    out['no-microvm-data-events'] =
      `no trail has data-event selectors for MicroVMs (${trails.map((t) => t.name).join(', ')}): RunMicrovm/TerminateMicrovm never reach egress-watch, only reconcile sees MicroVMs`;
  }
  if (disabled.length > 0) {
    out['rules-disabled'] =
      `the ingest EventBridge rule(s) ${disabled.join(', ')} are not ENABLED: no event reaches egress-watch`;
  }
  return out;
}

function mergeMicrovms<T extends { microvmId: string }>(list: T[], detailed: T[]): T[] {
  const byId = new Map(detailed.map((m) => [m.microvmId, m]));
  return list.map((m) => byId.get(m.microvmId) ?? m);
}

function summaryOf(o: ObservationLike): string {
  switch (o.kind) {
    case 'observed.connector':
      return o.present
        ? `connector ${o.connector.name ?? o.connector.id} ${o.state ?? ''}${o.stateReason ? ` (${o.stateReason})` : ''}`.trim()
        : `connector ${o.connector.name ?? o.connector.id} no longer listed`;
    case 'observed.eni':
      return `ENI ${o.eniId} of ${o.connectorId ?? '?'} ${o.present ? `present in ${o.subnetId}` : 'gone'}`;
    case 'observed.microvm':
      return `MicroVM ${o.microvmId} ${o.present ? (o.state ?? '') : 'gone'}`;
    case 'observed.condition':
      return `${o.active ? 'open' : 'resolve'} ${o.rule}${o.connectorId ? ` on ${o.connectorId}` : ''} (${o.subject})`;
    case 'observed.network':
      return `network facts links version ${o.version} (captured ${o.capturedAt})`;
  }
}

type ObservationLike = ReturnType<typeof judgeReconcile>['observations'][number];

function conditionSummary(c: Condition): ReconcileReport['conditions'][number] {
  return { rule: c.rule.id, connectorId: c.connectorId, subject: c.subject, summary: c.summary };
}
