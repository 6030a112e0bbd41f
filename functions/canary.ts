/**
 * Scheduled canary tick (docs/canaries.md): loads the expectations (bundled monitor/expectations.yaml, or
 * EGRESS_WATCH_EXPECTATIONS inline), then runs shared/app/run-canaries.ts with the MicroVMs, agent, Lambda
 * Core and DynamoDB adapters. Clients are built once per endpoint configuration.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import { parse } from 'yaml';
import { type CanaryTickResult, type RunCanariesDeps, runCanaries } from '../shared/app/run-canaries.js';
import { HttpAgentClient, LambdaCoreConnectorDirectory, SdkCanaryMicrovms } from '../shared/aws/canary-microvms.js';
import { DynamoDbCanaryStore } from '../shared/aws/canary-store.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import { loadConfig } from '../shared/config.js';
import { type ExpectationsDocument, parseExpectations } from '../shared/domain/expectations.js';
import { appLogger, appMetrics } from '../shared/observability.js';

/** Builds the dependencies of one tick; `tickTime` is the schedule's time (EventBridge `time`). */
export type CanaryHandlerDeps = (tickTime: Date) => RunCanariesDeps;

/** EventBridge scheduled event: only `time` (ISO-8601) is used. */
export interface ScheduledTick {
  time?: string;
}

/** The handler over injected dependencies (tests and the lab pass their own). */
export function makeHandler(deps: CanaryHandlerDeps) {
  return async (
    event: ScheduledTick = {},
  ): Promise<Pick<CanaryTickResult, 'started' | 'stopped' | 'findings'> & { runs: number }> => {
    const scheduled = event.time ? Date.parse(event.time) : Number.NaN;
    const result = await runCanaries(deps(Number.isNaN(scheduled) ? new Date() : new Date(scheduled)));
    appMetrics.count('CanaryRuns', result.runs.length);
    appMetrics.count(
      'CanaryMicrovmSeconds',
      result.runs.reduce((sum, r) => sum + r.microvmSeconds, 0),
    );
    for (const run of result.runs) {
      appLogger.info('canary run', { connectorId: run.connectorId, met: run.met, blind: run.blindReason ?? undefined });
    }
    return { runs: result.runs.length, started: result.started, stopped: result.stopped, findings: result.findings };
  };
}

/**
 * The expectations in force: EGRESS_WATCH_EXPECTATIONS (YAML or JSON text), else the file named by
 * EGRESS_WATCH_EXPECTATIONS_FILE (default monitor/expectations.yaml in the package).
 * @throws ExpectationsError listing every problem with its path.
 */
export function loadExpectations(env: Record<string, string | undefined> = process.env): ExpectationsDocument {
  const inline = env.EGRESS_WATCH_EXPECTATIONS;
  if (inline !== undefined && inline.trim() !== '')
    return parseExpectations(parse(inline), 'EGRESS_WATCH_EXPECTATIONS');
  const path = resolve(env.LAMBDA_TASK_ROOT ?? '.', env.EGRESS_WATCH_EXPECTATIONS_FILE ?? 'monitor/expectations.yaml');
  return parseExpectations(parse(readFileSync(path, 'utf8')), path);
}

interface Clients {
  key: string;
  microvms: LambdaMicrovmsClient;
  store: DynamoDbCanaryStore;
  core: LambdaCoreClient;
}
let clients: Clients | undefined;

function defaultDeps(tickTime: Date): RunCanariesDeps {
  const config = loadConfig();
  const key = `${process.env.AWS_ENDPOINT_URL ?? ''}|${config.region}|${config.tableName}`;
  if (clients?.key !== key) {
    const ddb = new DynamoDBClient({
      region: config.region,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    });
    clients = {
      key,
      microvms: new LambdaMicrovmsClient({ region: config.region }),
      store: new DynamoDbCanaryStore(ddb, config.tableName),
      core: new LambdaCoreClient({ region: config.region }),
    };
  }
  const imageArn = process.env.EGRESS_WATCH_CANARY_IMAGE_ARN ?? '';
  const proxyBaseUrl = process.env.EGRESS_WATCH_MICROVM_PROXY_URL;
  return {
    expectations: loadExpectations(),
    directory: new LambdaCoreConnectorDirectory(clients.core, clients.microvms),
    microvms: new SdkCanaryMicrovms(clients.microvms),
    agent: new HttpAgentClient(proxyBaseUrl ? { proxyBaseUrl } : {}),
    store: clients.store,
    // The tick's time is the schedule's: runs are keyed and spread by it (and the lab's clock is virtual).
    clock: { now: () => tickTime },
    pacer: { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), nowMs: () => performance.now() },
    logger: appLogger,
    imageArn,
    region: config.region,
  };
}

export const handler = makeHandler(defaultDeps);
