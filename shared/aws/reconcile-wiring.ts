/**
 * Builds the reconcile use case's dependencies from the official AWS SDK clients (docs/reconcile.md). Used
 * by the scheduled function and by `egress-watch reconcile`; every client honours AWS_ENDPOINT_URL, so the
 * same wiring runs against the lab. Read-only towards AWS: only DynamoDB (the monitor's own table) is written.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import { collectNetworkFacts } from '../app/collect-network-facts.js';
import type { ReconcileDeps, ReconcileOptions } from '../app/reconcile.js';
import type { Clock, Logger, Metrics } from '../ports.js';
import type { AwsClientSettings } from '../runtime.js';
import { awsClientOptions, awsRequestHandler } from './client-options.js';
import { DynamoDbStore } from './dynamodb-store.js';
import { Ec2NetworkFactsSource } from './ec2-network-facts.js';
import { LambdaCoreClient } from './lambda-core-client.js';
import { SdkLambdaFunctionSource } from './lambda-functions.js';
import { DynamoDbReconcileCursorStore } from './reconcile-cursor-store.js';
import { CloudTrailMonitoringSetup } from './reconcile-monitoring.js';
import {
  ApiCallCounter,
  CloudTrailHistory,
  LambdaCoreConnectorInventory,
  SdkMicrovmInventory,
} from './reconcile-readers.js';
import type { TargetClientSettings } from './target-credentials.js';

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
  /** Endpoint and credentials for every AWS client (the lab); the SDK defaults otherwise. */
  aws?: AwsClientSettings;
  /**
   * The account/region read (CloudTrail, Lambda Core, MicroVMs, EC2): its region and, for a member account,
   * the assumed role's credentials (target-credentials.ts). Default: `aws` in `region`. DynamoDB always uses
   * `aws` in `region` (the central table).
   */
  target?: TargetClientSettings;
  /**
   * The monitoring-blind trail and rule checks (docs/reconcile.md#monitoring-blind): CloudTrail trails of the
   * region and the ingest EventBridge rules named here (default bus). Absent: the checks are skipped.
   */
  monitoring?: { ingestRuleNames: readonly string[] };
}

export interface ReconcileWiring {
  deps: ReconcileDeps;
  /** API calls made so far, per operation. */
  calls: ApiCallCounter;
  destroy(): void;
}

/** Request time-out for EC2, CloudTrail and MicroVMs reads, ms. */
const READ_REQUEST_TIMEOUT_MS = 15_000;

/** One set of clients; call `destroy()` when done (CLI, tests). */
export function createReconcileWiring(options: ReconcileWiringOptions): ReconcileWiring {
  const aws = options.aws ?? {};
  // Explicit time-outs on every client (client-options.ts): a frozen endpoint fails instead of hanging.
  const reader = options.target ?? { ...aws, region: options.region };
  const common = () => ({
    ...reader,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'adaptive' as const,
    requestHandler: awsRequestHandler({ requestTimeoutMs: READ_REQUEST_TIMEOUT_MS }),
  });
  const dynamodb = new DynamoDBClient({
    ...aws,
    ...awsClientOptions(),
    region: options.region,
    ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : {}),
  });
  const cloudtrail = new CloudTrailClient(common());
  const microvms = new LambdaMicrovmsClient(common());
  const lambdaCore = new LambdaCoreClient({
    region: reader.region,
    maxAttempts: MAX_ATTEMPTS,
    ...(reader.endpoint ? { endpoint: reader.endpoint } : {}),
    ...(reader.credentials ? { credentials: reader.credentials } : {}),
  });
  const store = new DynamoDbStore({ client: dynamodb, tableName: options.tableName });
  const calls = new ApiCallCounter();
  // As createEc2Client (adaptive retries), plus the runtime's endpoint and credentials.
  const ec2 = countCalls(new EC2Client(common()), calls, 'EC2');
  const facts = new Ec2NetworkFactsSource(ec2);
  const lambda = countCalls(new LambdaClient(common()), calls, 'Lambda');
  const functions = new SdkLambdaFunctionSource(lambda);
  const clock = options.clock ?? { now: () => new Date() };
  // The monitoring-blind checks: built here only, and only when asked for.
  const eventBridge = options.monitoring ? new EventBridgeClient(common()) : undefined;
  const monitoring =
    options.monitoring && eventBridge
      ? new CloudTrailMonitoringSetup(cloudtrail, eventBridge, options.monitoring.ingestRuleNames, calls)
      : undefined;
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
      facts: {
        collect: async (scope, runClock) => {
          const collected = await collectNetworkFacts(
            { source: facts, functions, store, clock: runClock, ...(options.logger ? { logger: options.logger } : {}) },
            scope,
          );
          if (!collected.facts.snapshot) throw new Error('network facts were collected without a snapshot');
          return collected.facts.snapshot;
        },
      },
      ...(monitoring ? { monitoring } : {}),
      clock,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    },
    destroy() {
      dynamodb.destroy();
      cloudtrail.destroy();
      microvms.destroy();
      ec2.destroy();
      eventBridge?.destroy();
      lambda.destroy();
    },
  };
}

/** Counts every call `client` makes in `calls`, per operation (the command name without `Command`). */
function countCalls<C extends EC2Client | LambdaClient>(client: C, calls: ApiCallCounter, fallback: string): C {
  (client.middlewareStack as EC2Client['middlewareStack']).add(
    (next, context) => (args) =>
      calls.track(String(context.commandName ?? fallback).replace(/Command$/, ''), () => next(args)),
    { step: 'initialize', name: 'egressWatchReconcileCallCounter' },
  );
  return client;
}
