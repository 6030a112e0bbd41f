/**
 * EventBridge → ingest. One CloudTrail event per invocation: validate, normalize, one conditional write.
 * Malformed or foreign events are quarantined (not thrown: retrying cannot fix them). Store faults throw:
 * EventBridge invokes asynchronously, so Lambda's async retries apply and the on-failure destination
 * (serverless.yml) dead-letters the event; EventBridge's own retry policy and DLQ cover delivery failures.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { ingestEvents } from '../shared/app/ingest-events.js';
import { createStore } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { appLogger, appMetrics, metrics } from '../shared/observability.js';

const config = loadConfig();
const store = createStore(config);
const clock = { now: () => new Date() };

export const handler = async (event: EventBridgeEvent<string, unknown>) => {
  try {
    const report = await ingestEvents(
      { log: store, allowedAccounts: config.allowedAccounts, clock, logger: appLogger, metrics: appMetrics },
      [event],
    );
    return {
      stored: report.stored.length,
      duplicates: report.duplicates.length,
      counts: report.counts,
      ignored: report.ignored,
      rejected: report.rejected,
    };
  } finally {
    metrics.publishStoredMetrics();
  }
};
