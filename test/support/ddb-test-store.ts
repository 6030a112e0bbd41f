/** A fresh table on the shared DynamoDB Local of the integration run, with a request counter. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';

export interface TestStore {
  store: DynamoDbStore;
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  /** DynamoDB requests sent since the last reset, by command name. */
  requests: { total: number; byCommand: Record<string, number>; reset(): void };
}

export async function createTestStore(): Promise<TestStore> {
  const endpoint = inject('dynamodbEndpoint');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const requests = {
    total: 0,
    byCommand: {} as Record<string, number>,
    reset() {
      this.total = 0;
      this.byCommand = {};
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.total++;
      const name = context.commandName ?? 'unknown';
      requests.byCommand[name] = (requests.byCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const tableName = `it-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  requests.reset();
  return { store: new DynamoDbStore({ client, tableName }), client, tableName, endpoint, requests };
}
