/**
 * The notify function (docs/alerts.md): the table's stream (FINDING# records, NEW_AND_OLD_IMAGES) → incident
 * transitions → Slack and SNS, exactly once per (incident, transition, channel); a schedule → reminders.
 * A failure reports the batch's first record so the stream retries from it (the fold and the ledger make the
 * retry harmless).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { loadAlertsConfig } from '../shared/alerts-config.js';
import { type NotifyDeps, notifyFindingChanges, remindOpenIncidents } from '../shared/app/notify.js';
import { findingChangesFromStream } from '../shared/aws/finding-stream.js';
import { wireNotify } from '../shared/aws/notify-wiring.js';
import { loadConfig } from '../shared/config.js';
import { appLogger, appMetrics } from '../shared/observability.js';
import type { Logger } from '../shared/ports.js';

export type NotifyEvent = DynamoDBStreamEvent | ScheduledEvent;

export interface NotifyHandlerDeps {
  notify: NotifyDeps;
  logger: Logger;
}

/** The handler over its dependencies: stream batches and scheduled events. */
export function makeHandler(deps: NotifyHandlerDeps) {
  return async (event: NotifyEvent): Promise<DynamoDBBatchResponse | { reminders: number }> => {
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
    const now = new Date(event.time ?? Date.now());
    const outcome = await remindOpenIncidents(deps.notify, Number.isNaN(now.getTime()) ? new Date() : now);
    return { reminders: outcome.transitions };
  };
}

const config = loadConfig();
const wiring = wireNotify(config, loadAlertsConfig(), { logger: appLogger, metrics: appMetrics });

export const handler = makeHandler({ notify: wiring.deps, logger: appLogger });
