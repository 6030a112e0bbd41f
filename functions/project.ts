/**
 * DynamoDB stream → projector. New event-log items name the scopes (account/region) to recompute; the
 * batch is folded once per scope. A failure reports the batch's first record so the stream retries from it.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { projectScopes } from '../shared/app/project-scopes.js';
import { createStore } from '../shared/aws/clients.js';
import { scopesFromStreamRecords } from '../shared/aws/stream-records.js';
import { loadConfig } from '../shared/config.js';
import { appLogger } from '../shared/observability.js';

const config = loadConfig();
const store = createStore(config);

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const scopes = scopesFromStreamRecords(event.Records);
  try {
    await projectScopes({ store, logger: appLogger }, scopes);
    return { batchItemFailures: [] };
  } catch (error) {
    appLogger.error('projection failed', error as Error);
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
  }
};
