import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import type { AwsClientSettings } from '../runtime.js';
import { DynamoDbStore } from './dynamodb-store.js';

/**
 * One DynamoDB client per function instance. EGRESS_WATCH_DYNAMODB_ENDPOINT (config) points it at DynamoDB
 * Local; otherwise `aws` settings (the lab's edge, credentials) apply.
 */
export function createStore(
  config: Pick<Config, 'tableName' | 'dynamodbEndpoint' | 'region'>,
  aws: AwsClientSettings = {},
): DynamoDbStore {
  const client = new DynamoDBClient({
    ...aws,
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  return new DynamoDbStore({ client, tableName: config.tableName });
}
