/**
 * Use case: ingest EventBridge events. Each event is validated and normalized; accepted events cost exactly
 * one store request, rejected ones are quarantined with their reason, ignored ones are reported. One bad
 * event never stops the batch: every input ends in exactly one of stored, duplicates, ignored or rejected
 * (`counts`, received = stored + duplicates + ignored + rejected). Store faults (throttling, 5xx, time-outs
 * past the client's retry budget) stop the run with an `IngestInterruptedError` that says how far it got;
 * ingest is idempotent, so the next run completes it. See docs/ingest.md.
 */
import { DependencyError } from '../domain/errors.js';
import { boundedStringify, clipText } from '../domain/input-limits.js';
import type { NormalizedEvent } from '../domain/model.js';
import { normalizeEvent } from '../domain/normalize.js';
import type { Clock, EventLog, Logger, Metrics, Scope } from '../ports.js';
import { ItemRefusedError, noMetrics, silentLogger } from '../ports.js';

export interface IngestDeps {
  log: EventLog;
  allowedAccounts: ReadonlySet<string>;
  clock: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** Events written concurrently; the Lambda gets one event per invocation, replay many. */
  concurrency?: number;
}

/** How many inputs ended where. For a finished run, received = stored + duplicates + ignored + rejected. */
export interface IngestCounts {
  received: number;
  stored: number;
  duplicates: number;
  ignored: number;
  rejected: number;
}

export interface IngestReport {
  stored: { eventId: string; kind: NormalizedEvent['kind'] }[];
  duplicates: string[];
  ignored: { eventId: string; reason: string }[];
  /** One entry per rejected input, never merged (five bad inputs are five entries). */
  rejected: { eventId: string | null; error: string }[];
  scopes: Scope[];
  counts: IngestCounts;
}

/** A raw input: an already-parsed event, or text that failed to parse (kept verbatim for the quarantine). */
export type RawEvent = unknown;

/** An input that is not JSON (a corrupt JSONL line, a cut-off file): rejected with `error`, quarantined as text. */
export class UnparseableEvent {
  constructor(
    readonly text: string,
    readonly error: string,
  ) {}
}

/**
 * The store failed past its retry budget. `report` holds what the run did before it stopped
 * (`report.counts.received` is the batch size; the inputs not in any bucket were not processed).
 */
export class IngestInterruptedError extends DependencyError {
  constructor(
    readonly report: IngestReport,
    readonly unprocessed: number,
    cause: unknown,
  ) {
    const c = report.counts;
    const processed = c.received - unprocessed;
    super(
      `ingest stopped after ${processed} of ${c.received} events (stored ${c.stored}, duplicates ${c.duplicates}, ` +
        `ignored ${c.ignored}, rejected ${c.rejected}; ${unprocessed} not processed): ${describeFault(cause)}. ` +
        'Ingest is idempotent: run it again to complete.',
      { cause },
    );
  }
}

/** A rejection reason is kept to this many bytes (UTF-8) in reports and the quarantine. */
const MAX_ERROR_BYTES = 2048;

export async function ingestEvents(deps: IngestDeps, events: readonly RawEvent[]): Promise<IngestReport> {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const report: IngestReport = {
    stored: [],
    duplicates: [],
    ignored: [],
    rejected: [],
    scopes: [],
    counts: { received: events.length, stored: 0, duplicates: 0, ignored: 0, rejected: 0 },
  };
  const scopes = new Map<string, Scope>();
  let fault: { error: unknown } | null = null;

  const reject = async (eventId: string | null, reason: string, raw: () => string): Promise<void> => {
    const error = clipText(reason, MAX_ERROR_BYTES);
    logger.warn('event rejected', { eventId, error });
    metrics.count('eventsRejected');
    await deps.log.quarantine({ eventId, error, raw: raw(), receivedAt: deps.clock.now().toISOString() });
    report.rejected.push({ eventId, error });
    report.counts.rejected++;
  };

  const ingestOne = async (raw: RawEvent): Promise<void> => {
    if (raw instanceof UnparseableEvent) {
      await reject(null, `invalid JSON: ${raw.error}`, () => raw.text);
      return;
    }
    let result: ReturnType<typeof normalizeEvent>;
    try {
      result = normalizeEvent(raw, { allowedAccounts: deps.allowedAccounts });
    } catch (error) {
      // normalizeEvent is built not to throw; should it, the event is quarantined and the batch goes on.
      result = {
        outcome: 'rejected',
        eventId: null,
        error: `internal error while normalizing: ${describeFault(error)}`,
      };
    }
    if (result.outcome === 'rejected') {
      await reject(result.eventId, result.error, () => boundedStringify(raw));
      return;
    }
    if (result.outcome === 'ignored') {
      report.ignored.push({ eventId: result.eventId, reason: result.reason });
      report.counts.ignored++;
      metrics.count('eventsIgnored');
      return;
    }
    const event = result.event;
    let outcome: Awaited<ReturnType<EventLog['appendEvent']>>;
    try {
      outcome = await deps.log.appendEvent(event);
    } catch (error) {
      if (!(error instanceof ItemRefusedError)) throw error;
      await reject(event.eventId, `the event log refused the event: ${error.message}`, () => boundedStringify(raw));
      return;
    }
    if (outcome === 'duplicate') {
      report.duplicates.push(event.eventId);
      report.counts.duplicates++;
      metrics.count('eventsDuplicate');
    } else {
      report.stored.push({ eventId: event.eventId, kind: event.kind });
      report.counts.stored++;
      metrics.count('eventsStored');
    }
    scopes.set(`${event.account}/${event.region}`, { account: event.account, region: event.region });
  };

  let cursor = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 1, events.length)) }, async () => {
    // After a fault no new event is taken; the ones in flight finish and are counted.
    while (cursor < events.length && fault === null) {
      try {
        await ingestOne(events[cursor++]);
      } catch (error) {
        fault ??= { error };
      }
    }
  });
  await Promise.all(workers);
  report.scopes = [...scopes.values()];
  if (fault !== null) {
    const c = report.counts;
    const unprocessed = c.received - (c.stored + c.duplicates + c.ignored + c.rejected);
    logger.error('ingest interrupted by a store fault', { ...c, unprocessed });
    throw new IngestInterruptedError(report, unprocessed, (fault as { error: unknown }).error);
  }
  return report;
}

/**
 * "ThrottlingException after 6 attempts: Rate exceeded". Reads the AWS SDK's error shape (`name`,
 * `$metadata.attempts`) structurally, so this use case depends on no SDK.
 */
export function describeFault(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  return `${error.name}${after}: ${clipText(error.message, 512)}`;
}
