import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import { type AwsClientLimits, awsClientOptions } from './client-options.js';
import { DynamoDbStore } from './dynamodb-store.js';

/**
 * One DynamoDB client per process, with explicit time-outs and retry budget (client-options.ts);
 * EGRESS_WATCH_DYNAMODB_ENDPOINT points it at DynamoDB Local.
 */
export function createStore(
  config: Pick<Config, 'tableName' | 'dynamodbEndpoint' | 'region'>,
  limits: Partial<AwsClientLimits> = {},
): DynamoDbStore {
  const client = new DynamoDBClient({
    region: config.region,
    ...awsClientOptions(limits),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  return new DynamoDbStore({ client, tableName: config.tableName });
}
