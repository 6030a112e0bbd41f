/**
 * The canary report model: from connector views, findings (or incident records), canary runs and the
 * monitor's own counts over a window, compute per connector availability, probe latency, time to ACTIVE,
 * incidents, MTTR, their causes and actors, and canary cost. Pure: no I/O, no clock (the caller passes
 * `generatedAt`). Format and metric definitions: docs/report.md; JSON schema: docs/schemas/report.v1.json.
 */
import type { CanaryProbe, CanaryRun, ProbeKind } from './canary.js';
import type { ConnectorView, Evidence, Finding } from './model.js';
import type {
  ConnectorReport,
  DeadLetterQueueCount,
  HealthCount,
  IncidentReport,
  Report,
  ReportRates,
  TargetLatency,
} from './report-schema.js';

/**
 * Default canary cost rates: Lambda MicroVMs are priced per instance-second (AWS Lambda pricing page,
 * "Lambda MicroVMs"); the per-vCPU-second and per-GB-second figures are the third-party rate summaries of
 * that page for ARM in us-east-1 ($0.0000276944 per vCPU-second, $0.0000036667 per GB-second). The default
 * canary MicroVM is the smallest size, 0.25 vCPU / 0.5 GB. Override all four in configuration.
 */
export const DEFAULT_RATES: Omit<ReportRates, 'usdPerMicrovmSecond'> = Object.freeze({
  usdPerVcpuSecond: 0.0000276944,
  usdPerGbSecond: 0.0000036667,
  vcpu: 0.25,
  memoryGb: 0.5,
  source: 'AWS Lambda pricing (MicroVMs, per instance-second), ARM us-east-1 rates; 0.25 vCPU / 0.5 GB canary',
});

/** The rates with the derived per-MicroVM-second price (USD). */
export function withMicrovmSecondPrice(rates: Omit<ReportRates, 'usdPerMicrovmSecond'>): ReportRates {
  return { ...rates, usdPerMicrovmSecond: rates.vcpu * rates.usdPerVcpuSecond + rates.memoryGb * rates.usdPerGbSecond };
}

/**
 * An incident as the store keeps it (alerts' `INCIDENT#<id>` items, read by the report adapter). Times are
 * ISO-8601; `fingerprints` name the findings it groups, so their evidence becomes the incident's causes.
 */
export interface IncidentRecord {
  incidentId: string;
  rule: string;
  severity: string;
  status: string;
  connectorIds: string[];
  openedAt: string;
  resolvedAt: string | null;
  actors: string[];
  silenced: boolean;
  summary: string | null;
  fingerprints: string[];
}

/** The monitor's own counts over the window; a null count means the store does not keep it. */
export interface MonitorHealth {
  eventsReceived: HealthCount;
  repaired: HealthCount;
  quarantined: HealthCount;
  deadLettered: HealthCount;
  /** Per queue, when the report read the dead-letter queues (deadLetterHealth). */
  deadLetterQueues?: DeadLetterQueueCount[];
}

/**
 * The `deadLettered` health count from the dead-letter queues the report read: the sum of their
 * ApproximateNumberOfMessages (SQS GetQueueAttributes: messages waiting now, not those dead-lettered in the
 * window — SQS keeps no history). null when no queue is configured or one could not be read: the total is
 * then unknown, never a made-up 0. Queue order is kept.
 */
export function deadLetterHealth(
  queues: readonly DeadLetterQueueCount[],
): Pick<MonitorHealth, 'deadLettered' | 'deadLetterQueues'> {
  if (queues.length === 0)
    return {
      deadLettered: { count: null, source: 'not available: no dead-letter queue configured for the report' },
      deadLetterQueues: [],
    };
  const unread = queues.filter((q) => q.count === null).map((q) => q.name);
  const list = queues.map((q) => `${q.name} ${q.count ?? 'n/a'}`).join(', ');
  return {
    deadLettered:
      unread.length > 0
        ? { count: null, source: `not available: could not read ${unread.join(', ')} (${list})` }
        : {
            count: queues.reduce((sum, q) => sum + (q.count ?? 0), 0),
            source: `messages waiting in ${queues.length} dead-letter queue(s) when the report ran, SQS ApproximateNumberOfMessages (${list})`,
          },
    deadLetterQueues: [...queues],
  };
}

/** Everything the report is computed from. `incidents` empty ⇒ incidents are derived from findings. */
export interface ReportInput {
  generatedAt: string;
  period: Report['period'];
  window: { since: string; until: string };
  rates: ReportRates;
  connectors: ConnectorView[];
  findings: Finding[];
  incidents: IncidentRecord[];
  canaryRuns: CanaryRun[];
  health: MonitorHealth;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Availability bucket length: 5 min for windows up to 6 h, 1 h up to 2 days, else 1 day (ms). */
export function availabilityBucketMs(windowMs: number): number {
  if (windowMs <= 6 * HOUR_MS) return 5 * MINUTE_MS;
  return windowMs <= 2 * DAY_MS ? HOUR_MS : DAY_MS;
}

/**
 * Builds the report. Availability = runs whose every probe met its expectation / runs; latency p50/p95 are
 * nearest-rank percentiles over probes that measured one; MTTR is the mean of resolvedAt − openedAt over
 * incidents resolved in the window. Throws RangeError when the window is empty or reversed.
 */
export function buildReportModel(input: ReportInput): Report {
  const since = Date.parse(input.window.since);
  const until = Date.parse(input.window.until);
  if (!(Number.isFinite(since) && Number.isFinite(until)) || until <= since)
    throw new RangeError(`report window ${input.window.since} … ${input.window.until} is empty or reversed`);
  const inWindow = (at: string | null) => at !== null && Date.parse(at) >= since && Date.parse(at) < until;

  const runs = input.canaryRuns.filter((r) => inWindow(r.startedAt));
  const incidents = (input.incidents.length > 0 ? input.incidents : incidentsFromFindings(input.findings))
    .filter((i) => Date.parse(i.openedAt) < until && (i.resolvedAt === null || Date.parse(i.resolvedAt) >= since))
    .map((i) => incidentReport(i, input.findings, input.incidents.length > 0 ? 'incident' : 'finding', until))
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.incidentId.localeCompare(b.incidentId));

  const views = new Map(input.connectors.map((c) => [c.id, c]));
  const ids = new Set<string>(input.connectors.map((c) => c.id));
  for (const r of runs) ids.add(r.connectorId);
  for (const i of incidents) for (const id of i.connectorIds) ids.add(id);
  const bucketMs = availabilityBucketMs(until - since);

  const connectors: ConnectorReport[] = [...ids]
    .map((id) => {
      const view = views.get(id) ?? null;
      const own = runs.filter((r) => r.connectorId === id);
      // Connectors that neither existed in the window nor had runs or incidents are left out.
      if (!view && own.length === 0 && !incidents.some((i) => i.connectorIds.includes(id))) return null;
      if (view && !relevantView(view, since, until) && own.length === 0) return null;
      return connectorReport(id, view, own, incidents, input.rates, { since, until, bucketMs });
    })
    .filter((c): c is ConnectorReport => c !== null)
    .sort((a, b) => (a.connectorName ?? a.connectorId).localeCompare(b.connectorName ?? b.connectorId) || 0);

  const met = runs.filter((r) => r.met).length;
  const microvmSeconds = sum(runs.map((r) => r.microvmSeconds));
  const resolved = incidents.filter((i) => inWindow(i.resolvedAt));
  return {
    schema: 'egress-watch.report.v1',
    generatedAt: input.generatedAt,
    period: input.period,
    window: { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
    rates: input.rates,
    totals: {
      connectors: connectors.length,
      canaryRuns: runs.length,
      availability: runs.length > 0 ? met / runs.length : null,
      incidentsOpened: incidents.filter((i) => inWindow(i.openedAt)).length,
      incidentsResolved: resolved.length,
      incidentsOpenAtEnd: incidents.filter((i) => i.resolvedAt === null || Date.parse(i.resolvedAt) >= until).length,
      mttrSeconds: mean(resolved.map((i) => i.durationSeconds ?? 0)),
      microvmSeconds,
      costUsd: microvmSeconds * input.rates.usdPerMicrovmSecond,
    },
    connectors,
    incidents,
    health: input.health,
  };
}

/** A connector view matters when it existed at some time in the window. */
function relevantView(view: ConnectorView, since: number, until: number): boolean {
  const created = view.createdAt ? Date.parse(view.createdAt) : Number.NEGATIVE_INFINITY;
  const deleted = view.deletedAt ? Date.parse(view.deletedAt) : Number.POSITIVE_INFINITY;
  return created < until && deleted >= since;
}

function connectorReport(
  id: string,
  view: ConnectorView | null,
  runs: CanaryRun[],
  incidents: IncidentReport[],
  rates: ReportRates,
  w: { since: number; until: number; bucketMs: number },
): ConnectorReport {
  const inWindow = (at: string | null) => at !== null && Date.parse(at) >= w.since && Date.parse(at) < w.until;
  const own = incidents.filter((i) => i.connectorIds.includes(id));
  const resolved = own.filter((i) => inWindow(i.resolvedAt));
  const createdAt = view?.createdAt ?? null;
  const activeAt = view?.activeAt ?? null;
  const microvmSeconds = sum(runs.map((r) => r.microvmSeconds));
  const met = runs.filter((r) => r.met).length;
  return {
    connectorId: id,
    connectorName: view?.name ?? runs.find((r) => r.connectorName)?.connectorName ?? null,
    account: view?.account ?? runs[0]?.account ?? null,
    region: view?.region ?? runs[0]?.region ?? null,
    state: view?.state ?? 'UNKNOWN',
    availability: {
      runs: runs.length,
      met,
      ratio: runs.length > 0 ? met / runs.length : null,
      bucketSeconds: w.bucketMs / 1000,
      buckets: availabilityBuckets(runs, w),
    },
    latency: targetLatencies(runs),
    activation: {
      createdAt,
      activeAt,
      createdInWindow: inWindow(createdAt),
      timeToActiveSeconds:
        createdAt && activeAt ? Math.max(0, (Date.parse(activeAt) - Date.parse(createdAt)) / 1000) : null,
    },
    incidents: {
      opened: own.filter((i) => inWindow(i.openedAt)).length,
      resolved: resolved.length,
      openAtEnd: own.filter((i) => i.resolvedAt === null || Date.parse(i.resolvedAt) >= w.until).length,
      mttrSeconds: mean(resolved.map((i) => i.durationSeconds ?? 0)),
    },
    canary: { microvmSeconds, costUsd: microvmSeconds * rates.usdPerMicrovmSecond },
  };
}

function availabilityBuckets(runs: CanaryRun[], w: { since: number; until: number; bucketMs: number }) {
  if (runs.length === 0) return [];
  const first = Math.floor(w.since / w.bucketMs) * w.bucketMs;
  const buckets = new Map<number, { runs: number; met: number }>();
  for (let t = first; t < w.until; t += w.bucketMs) buckets.set(t, { runs: 0, met: 0 });
  for (const r of runs) {
    const b = buckets.get(Math.floor(Date.parse(r.startedAt) / w.bucketMs) * w.bucketMs);
    if (!b) continue;
    b.runs++;
    if (r.met) b.met++;
  }
  return [...buckets].map(([t, b]) => ({ start: new Date(t).toISOString(), ...b }));
}

function targetLatencies(runs: CanaryRun[]): TargetLatency[] {
  const byTarget = new Map<
    string,
    { kind: ProbeKind; target: string; expect: CanaryProbe['expect']; probes: number; met: number; samples: number[] }
  >();
  for (const run of runs) {
    for (const p of run.probes) {
      let t = byTarget.get(p.targetId);
      if (!t) {
        t = { kind: p.kind, target: p.target, expect: p.expect, probes: 0, met: 0, samples: [] };
        byTarget.set(p.targetId, t);
      }
      t.probes++;
      if (p.met) t.met++;
      if (p.latencyMs !== null && Number.isFinite(p.latencyMs)) t.samples.push(p.latencyMs);
    }
  }
  return [...byTarget]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([targetId, t]) => ({
      targetId,
      kind: t.kind,
      target: t.target,
      expect: t.expect,
      probes: t.probes,
      met: t.met,
      samples: t.samples.length,
      p50Ms: percentile(t.samples, 50),
      p95Ms: percentile(t.samples, 95),
    }));
}

/** Nearest-rank percentile (p in 0–100) of the values; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** One incident per finding, when the store holds no incident records (before incidents existed). */
export function incidentsFromFindings(findings: readonly Finding[]): IncidentRecord[] {
  return findings.map((f) => ({
    incidentId: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    status: f.status,
    connectorIds: [f.connectorId],
    openedAt: f.firstSeen,
    resolvedAt: f.status === 'resolved' ? (f.resolvedAt ?? f.lastSeen) : null,
    actors: [],
    silenced: false,
    summary: f.summary,
    fingerprints: [f.fingerprint],
  }));
}

function incidentReport(
  incident: IncidentRecord,
  findings: readonly Finding[],
  origin: IncidentReport['origin'],
  until: number,
): IncidentReport {
  const own = findings.filter((f) => incident.fingerprints.includes(f.fingerprint));
  const causes = dedupeEvidence(own.flatMap((f) => f.evidence)).map((e) => ({
    eventName: e.eventName,
    at: e.at,
    actor: e.actor,
    detail: e.detail,
  }));
  const resolvedAt =
    incident.resolvedAt !== null && Date.parse(incident.resolvedAt) < until ? incident.resolvedAt : null;
  return {
    incidentId: incident.incidentId,
    origin,
    rule: incident.rule,
    severity: incident.severity,
    status: resolvedAt === null && incident.resolvedAt !== null ? 'open' : incident.status,
    connectorIds: [...incident.connectorIds],
    openedAt: incident.openedAt,
    resolvedAt,
    durationSeconds:
      resolvedAt === null ? null : Math.max(0, (Date.parse(resolvedAt) - Date.parse(incident.openedAt)) / 1000),
    silenced: incident.silenced,
    summary: incident.summary ?? own[0]?.summary ?? incident.rule,
    actors: [...new Set([...incident.actors, ...causes.map((c) => c.actor)])].filter(Boolean),
    causes,
  };
}

function dedupeEvidence(evidence: Evidence[]): Evidence[] {
  const seen = new Map<string, Evidence>();
  for (const e of evidence) if (!seen.has(e.eventId)) seen.set(e.eventId, e);
  return [...seen.values()].sort((a, b) => a.at.localeCompare(b.at));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}
