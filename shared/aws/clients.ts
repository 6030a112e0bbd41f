import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import type { AwsClientSettings } from '../runtime.js';
import { type AwsClientLimits, awsClientOptions } from './client-options.js';
import { DynamoDbStore } from './dynamodb-store.js';

/**
 * One DynamoDB client per function instance. EGRESS_WATCH_DYNAMODB_ENDPOINT (config) points it at DynamoDB
 * Local; otherwise `aws` settings (the lab's edge, credentials) apply. Explicit time-outs and retry budget:
 * client-options.ts.
 */
export function createStore(
  config: Pick<Config, 'tableName' | 'dynamodbEndpoint' | 'region'>,
  aws: AwsClientSettings = {},
  limits: Partial<AwsClientLimits> = {},
): DynamoDbStore {
  const client = new DynamoDBClient({
    ...aws,
    region: config.region,
    ...awsClientOptions(limits),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  return new DynamoDbStore({ client, tableName: config.tableName });
}
