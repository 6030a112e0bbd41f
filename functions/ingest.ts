/**
 * EventBridge → ingest. One CloudTrail event per invocation: validate, normalize, one conditional write.
 * Malformed or foreign events are quarantined (not thrown: retrying cannot fix them). Store faults throw:
 * EventBridge invokes asynchronously, so Lambda's async retries apply and the on-failure destination
 * (serverless.yml) dead-letters the event; EventBridge's own retry policy and DLQ cover delivery failures.
 * Logs carry the event's CloudTrail `eventID` as correlation id (docs/architecture.md#observability).
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { ingestEvents } from '../shared/app/ingest-events.js';
import { createStore } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { type LambdaHandler, setCorrelationId } from '../shared/observability.js';
import type { Clock, EventLog, Logger, Metrics } from '../shared/ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What the ingest handler needs; the lab and tests pass their own store and clock. */
export interface IngestFunctionDeps {
  log: EventLog;
  /** 12-digit account ids whose events are accepted; others are quarantined. */
  allowedAccounts: ReadonlySet<string>;
  clock: Clock;
  logger: Logger;
  /** `eventsStored`, `eventsDuplicate`, `eventsIgnored`, `eventsRejected` (counts). */
  metrics: Metrics;
}

/** The invocation result (also what `sls invoke` prints): counts for this one event. */
export interface IngestResult {
  stored: number;
  duplicates: number;
  ignored: { eventId: string; reason: string }[];
  rejected: { eventId: string | null; error: string }[];
}

/** Builds the ingest handler from explicit dependencies. Store faults propagate (see the file comment). */
export function makeHandler(deps: IngestFunctionDeps): LambdaHandler<EventBridgeEvent<string, unknown>, IngestResult> {
  return async (event) => {
    const eventId = cloudTrailEventId(event);
    if (eventId) setCorrelationId(eventId);
    const report = await ingestEvents(
      {
        log: deps.log,
        allowedAccounts: deps.allowedAccounts,
        clock: deps.clock,
        logger: deps.logger,
        metrics: deps.metrics,
      },
      [event],
    );
    return {
      stored: report.stored.length,
      duplicates: report.duplicates.length,
      counts: report.counts,
      ignored: report.ignored,
      rejected: report.rejected,
    };
  };
}

/**
 * Dependencies from a runtime: config from `runtime.env` (EGRESS_WATCH_TABLE, EGRESS_WATCH_ALLOWED_ACCOUNTS,
 * AWS_REGION, optional EGRESS_WATCH_DYNAMODB_ENDPOINT), one DynamoDB client with `runtime.aws` settings.
 * @throws ConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): IngestFunctionDeps {
  const config = loadConfig(runtime.env);
  return {
    log: createStore(config, runtime.aws),
    allowedAccounts: config.allowedAccounts,
    clock: runtime.clock,
    logger: runtime.logger,
    metrics: runtime.metrics,
  };
}

/** The Lambda entry point (serverless.yml: functions/ingest.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);

/** `detail.eventID` when the event has one (a malformed event may not: it is quarantined anyway). */
function cloudTrailEventId(event: unknown): string | undefined {
  const detail = (event as { detail?: unknown } | null)?.detail;
  const id = (detail as { eventID?: unknown } | null | undefined)?.eventID;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
