/**
 * Builds the reconcile use case's dependencies from the official AWS SDK clients (docs/reconcile.md). Used
 * by the scheduled function and by `egress-watch reconcile`; every client honours AWS_ENDPOINT_URL, so the
 * same wiring runs against the lab. Read-only towards AWS: only DynamoDB (the monitor's own table) is written.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import type { ReconcileDeps, ReconcileOptions } from '../app/reconcile.js';
import type { Clock, Logger, Metrics } from '../ports.js';
import { awsClientOptions, awsRequestHandler } from './client-options.js';
import { DynamoDbStore } from './dynamodb-store.js';
import { LambdaCoreClient } from './lambda-core-client.js';
import { DynamoDbReconcileCursorStore } from './reconcile-cursor-store.js';
import {
  ApiCallCounter,
  CloudTrailHistory,
  LambdaCoreConnectorInventory,
  SdkMicrovmInventory,
} from './reconcile-readers.js';

/** SDK attempts per call: throttling (and 5xx) is retried with jittered backoff by the `adaptive` mode. */
const MAX_ATTEMPTS = 8;

export interface ReconcileWiringOptions {
  region: string;
  tableName: string;
  allowedAccounts: ReadonlySet<string>;
  /** DynamoDB Local (tests, CLI); AWS endpoints otherwise. */
  dynamodbEndpoint?: string;
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  settings?: Partial<ReconcileOptions>;
}

/** Request time-out for CloudTrail and MicroVMs reads, ms. */
const READ_REQUEST_TIMEOUT_MS = 15_000;

export interface ReconcileWiring {
  deps: ReconcileDeps;
  /** API calls made so far, per operation. */
  calls: ApiCallCounter;
  destroy(): void;
}

/** One set of clients; call `destroy()` when done (CLI, tests). */
export function createReconcileWiring(options: ReconcileWiringOptions): ReconcileWiring {
  // Explicit time-outs on every client (client-options.ts): a frozen endpoint fails instead of hanging.
  const common = {
    region: options.region,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'adaptive' as const,
    requestHandler: awsRequestHandler({ requestTimeoutMs: READ_REQUEST_TIMEOUT_MS }),
  };
  const dynamodb = new DynamoDBClient({
    ...awsClientOptions(),
    region: options.region,
    ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : {}),
  });
  const cloudtrail = new CloudTrailClient(common);
  const microvms = new LambdaMicrovmsClient(common);
  const lambdaCore = new LambdaCoreClient({ region: options.region, maxAttempts: MAX_ATTEMPTS });
  const store = new DynamoDbStore({ client: dynamodb, tableName: options.tableName });
  const calls = new ApiCallCounter();
  return {
    calls,
    deps: {
      log: store,
      store,
      cursors: new DynamoDbReconcileCursorStore(dynamodb, options.tableName),
      connectors: new LambdaCoreConnectorInventory(lambdaCore, calls),
      microvms: new SdkMicrovmInventory(microvms, calls),
      trail: new CloudTrailHistory(cloudtrail, calls),
      allowedAccounts: options.allowedAccounts,
      clock: options.clock ?? { now: () => new Date() },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    },
    destroy() {
      dynamodb.destroy();
      cloudtrail.destroy();
      microvms.destroy();
    },
  };
}
