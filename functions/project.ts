/**
 * DynamoDB stream → projector. New event-log items are folded incrementally per scope (docs/projection.md). A failure reports the batch's first record so the stream retries from it.
 * Metrics: `eventsProjected`, `projectionLagMs` (from the oldest record's stream timestamp to the end of the
 * projection), `projectionFailed` (docs/architecture.md#observability).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { projectBatches } from '../shared/app/project-scopes.js';
import { createStore } from '../shared/aws/clients.js';
import { batchesFromStreamRecords } from '../shared/aws/stream-records.js';
import { loadConfig } from '../shared/config.js';
import type { FunctionMetrics, LambdaHandler } from '../shared/observability.js';
import type { Clock, Logger, MonitorStore } from '../shared/ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What the project handler needs; the lab and tests pass their own store and clock. */
export interface ProjectFunctionDeps {
  store: MonitorStore;
  clock: Clock;
  logger: Logger;
  metrics: FunctionMetrics;
}

/** Builds the stream handler from explicit dependencies. Never throws: failures are batch item failures. */
export function makeHandler(deps: ProjectFunctionDeps): LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse> {
  return async (event) => {
    const batches = batchesFromStreamRecords(event.Records);
    try {
      await projectBatches({ store: deps.store, logger: deps.logger }, batches);
      deps.metrics.count('eventsProjected', event.Records.length);
      const oldest = oldestStreamTimeMs(event);
      if (oldest !== undefined) deps.metrics.milliseconds('projectionLagMs', deps.clock.now().getTime() - oldest);
      return { batchItemFailures: [] };
    } catch (error) {
      deps.logger.error('projection failed', error as Error);
      deps.metrics.count('projectionFailed');
      const first = event.Records[0]?.dynamodb?.SequenceNumber;
      return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
    }
  };
}

/**
 * Dependencies from a runtime: config from `runtime.env`, one DynamoDB client with `runtime.aws` settings.
 * @throws ConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): ProjectFunctionDeps {
  const config = loadConfig(runtime.env);
  return {
    store: createStore(config, runtime.aws),
    clock: runtime.clock,
    logger: runtime.logger,
    metrics: runtime.metrics,
  };
}

/** The Lambda entry point (serverless.yml: functions/project.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);

/**
 * The oldest `ApproximateCreationDateTime` of the batch in epoch ms (DynamoDB Streams gives epoch seconds,
 * rounded down: StreamRecord in the DynamoDB Streams API reference).
 */
function oldestStreamTimeMs(event: DynamoDBStreamEvent): number | undefined {
  const times = event.Records.map((r) => r.dynamodb?.ApproximateCreationDateTime).filter(
    (t): t is number => typeof t === 'number',
  );
  return times.length > 0 ? Math.min(...times) * 1000 : undefined;
}
