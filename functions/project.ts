/**
 * DynamoDB stream → projector. New event-log items are folded incrementally per scope (docs/projection.md). A failure reports the batch's first record so the stream retries from it.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { projectBatches } from '../shared/app/project-scopes.js';
import { createStore } from '../shared/aws/clients.js';
import { batchesFromStreamRecords } from '../shared/aws/stream-records.js';
import { loadConfig } from '../shared/config.js';
import { appLogger } from '../shared/observability.js';

const config = loadConfig();
const store = createStore(config);

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const batches = batchesFromStreamRecords(event.Records);
  try {
    await projectBatches({ store, logger: appLogger }, batches);
    return { batchItemFailures: [] };
  } catch (error) {
    appLogger.error('projection failed', error as Error);
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
};
