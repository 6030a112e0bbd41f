import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../config.js';
import { DynamoDbStore } from './dynamodb-store.js';

/** One DynamoDB client per process; EGRESS_WATCH_DYNAMODB_ENDPOINT points it at DynamoDB Local. */
export function createStore(config: Pick<Config, 'tableName' | 'dynamodbEndpoint' | 'region'>): DynamoDbStore {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  return new DynamoDbStore({ client, tableName: config.tableName });
}
