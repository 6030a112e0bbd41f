/**
 * Use case: ingest EventBridge events. Each event is validated and normalized; accepted events cost exactly
 * one store request, rejected ones are quarantined with their reason, ignored ones are reported. One bad
 * event never stops the batch. Store faults (throttling, 5xx) propagate so the trigger retries and, in the
 * end, dead-letters the event.
 */
import type { NormalizedEvent } from '../domain/model.js';
import { normalizeEvent } from '../domain/normalize.js';
import type { Clock, EventLog, Logger, Metrics, Scope } from '../ports.js';
import { noMetrics, silentLogger } from '../ports.js';

export interface IngestDeps {
  log: EventLog;
  allowedAccounts: ReadonlySet<string>;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** Events written concurrently; the Lambda gets one event per invocation, replay many. */
  concurrency?: number;
}

export interface IngestReport {
  stored: { eventId: string; kind: NormalizedEvent['kind'] }[];
  duplicates: string[];
  ignored: { eventId: string; reason: string }[];
  rejected: { eventId: string | null; error: string }[];
  scopes: Scope[];
}

/** A raw input: an already-parsed event, or text that failed to parse (kept verbatim for the quarantine). */
export type RawEvent = unknown;

export class UnparseableEvent {
  constructor(
    readonly text: string,
    readonly error: string,
  ) {}
}

export async function ingestEvents(deps: IngestDeps, events: readonly RawEvent[]): Promise<IngestReport> {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const report: IngestReport = { stored: [], duplicates: [], ignored: [], rejected: [], scopes: [] };
  const scopes = new Map<string, Scope>();

  const ingestOne = async (raw: RawEvent): Promise<void> => {
    if (raw instanceof UnparseableEvent) {
      await reject(null, `invalid JSON: ${raw.error}`, raw.text);
      return;
    }
    const result = normalizeEvent(raw, { allowedAccounts: deps.allowedAccounts });
    if (result.outcome === 'rejected') {
      await reject(result.eventId, result.error, safeStringify(raw));
      return;
    }
    if (result.outcome === 'ignored') {
      report.ignored.push({ eventId: result.eventId, reason: result.reason });
      metrics.count('eventsIgnored');
      return;
    }
    const event = result.event;
    const outcome = await deps.log.appendEvent(event);
    if (outcome === 'duplicate') {
      report.duplicates.push(event.eventId);
      metrics.count('eventsDuplicate');
    } else {
      report.stored.push({ eventId: event.eventId, kind: event.kind });
      metrics.count('eventsStored');
    }
    scopes.set(`${event.account}/${event.region}`, { account: event.account, region: event.region });
  };

  const reject = async (eventId: string | null, error: string, raw: string): Promise<void> => {
    logger.warn('event rejected', { eventId, error });
    metrics.count('eventsRejected');
    await deps.log.quarantine({ eventId, error, raw, receivedAt: deps.clock.now().toISOString() });
    report.rejected.push({ eventId, error });
  };

  let cursor = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 1, events.length)) }, async () => {
    while (cursor < events.length) await ingestOne(events[cursor++]);
  });
  await Promise.all(workers);
  report.scopes = [...scopes.values()];
  return report;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
