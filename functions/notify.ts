/**
 * The notify function (docs/alerts.md): the table's stream (FINDING# records, NEW_AND_OLD_IMAGES) → incident
 * transitions → Slack and SNS, exactly once per (incident, transition, channel); a schedule → reminders.
 * A failure reports the batch's first record so the stream retries from it (the fold and the ledger make the
 * retry harmless). Metrics: `NotificationsSent.<channel>`, `NotificationsDeadLettered`, `NotificationsSilenced`.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { loadAlertsConfig } from '../shared/alerts-config.js';
import { type NotifyDeps, notifyFindingChanges, remindOpenIncidents } from '../shared/app/notify.js';
import { findingChangesFromStream } from '../shared/aws/finding-stream.js';
import { wireNotify } from '../shared/aws/notify-wiring.js';
import { loadConfig } from '../shared/config.js';
import type { LambdaHandler } from '../shared/observability.js';
import type { Logger } from '../shared/ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

export type NotifyEvent = DynamoDBStreamEvent | ScheduledEvent;
export type NotifyResult = DynamoDBBatchResponse | { reminders: number };

/** What the notify handler needs; the lab and tests pass their own. */
export interface NotifyFunctionDeps {
  notify: NotifyDeps;
  logger: Logger;
}

/** The handler over its dependencies: stream batches (FINDING# records) and scheduled events (reminders). */
export function makeHandler(deps: NotifyFunctionDeps): LambdaHandler<NotifyEvent, NotifyResult> {
  return async (event) => {
    if ('Records' in event) {
      const batch = findingChangesFromStream(event.Records);
      for (const rejected of batch.rejected) deps.logger.error('unreadable finding record', rejected);
      try {
        const outcome = await notifyFindingChanges(deps.notify, batch.changes);
        if (outcome.transitions > 0) deps.logger.info('notified', { ...outcome });
        return { batchItemFailures: [] };
      } catch (error) {
        deps.logger.error('notify failed', error as Error);
        const first = event.Records[0]?.dynamodb?.SequenceNumber;
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    const at = new Date(event.time ?? Number.NaN);
    const outcome = await remindOpenIncidents(deps.notify, Number.isNaN(at.getTime()) ? deps.notify.clock.now() : at);
    return { reminders: outcome.transitions };
  };
}

/**
 * Dependencies from a runtime: table config and alerting config from `runtime.env`, clients with
 * `runtime.aws` settings.
 * @throws ConfigError / AlertsConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): NotifyFunctionDeps {
  const wiring = wireNotify(
    loadConfig(runtime.env),
    loadAlertsConfig(runtime.env),
    { logger: runtime.logger, metrics: runtime.metrics, clock: runtime.clock },
    runtime.aws,
  );
  return { notify: wiring.deps, logger: runtime.logger };
}

/** The Lambda entry point (serverless.yml: functions/notify.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
