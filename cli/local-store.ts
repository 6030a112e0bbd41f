/**
 * A MonitorStore on DynamoDB Local for the CLI: starts DynamoDB Local itself unless
 * EGRESS_WATCH_DYNAMODB_ENDPOINT points at a running one, and creates the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../lab/dynamodb-local.js';
import { awsClientOptions } from '../shared/aws/client-options.js';
import { DynamoDbStore } from '../shared/aws/dynamodb-store.js';
import { ensureTable } from '../shared/aws/dynamodb-table.js';
import { type CliConfig, loadCliConfig } from '../shared/config.js';

export interface LocalStore {
  store: DynamoDbStore;
  client: DynamoDBClient;
  endpoint: string;
  tableName: string;
  close(): Promise<void>;
}

/**
 * Opens the store. `config` defaults to the environment read by loadCliConfig (EGRESS_WATCH_DYNAMODB_ENDPOINT,
 * EGRESS_WATCH_TABLE, AWS_REGION); `tableName` and `endpoint` override it.
 * @throws ConfigError on a malformed environment; DynamoDB Local start-up errors as they come.
 */
export async function openLocalStore(
  options: { tableName?: string; endpoint?: string; config?: Readonly<CliConfig> } = {},
): Promise<LocalStore> {
  const config = options.config ?? loadCliConfig();
  const external = options.endpoint ?? config.dynamodbEndpoint;
  const ddb = external ? null : await startDynamoDbLocal();
  const endpoint = external ?? (ddb as NonNullable<typeof ddb>).endpoint;
  // Against a shared DynamoDB, a fresh table per run keeps runs apart unless a table is named.
  const tableName =
    options.tableName ?? config.tableName ?? (external ? `egress-watch-${Date.now().toString(36)}` : 'egress-watch');
  const client = new DynamoDBClient({
    ...awsClientOptions(),
    endpoint,
    region: config.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, tableName);
  return {
    store: new DynamoDbStore({ client, tableName }),
    client,
    endpoint,
    tableName,
    async close() {
      client.destroy();
      await ddb?.stop();
    },
  };
}
