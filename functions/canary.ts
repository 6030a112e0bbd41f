/**
 * Scheduled canary tick (docs/canaries.md): loads the expectations (bundled monitor/expectations.yaml, or
 * EGRESS_WATCH_EXPECTATIONS inline), then runs shared/app/run-canaries.ts with the MicroVMs, agent, Lambda
 * Core and DynamoDB adapters. Metrics: `canaryRuns`, `canaryMicrovmSeconds`, `canaryFindingsOpened`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import { parse } from 'yaml';
import { SnapshotPathExplainer } from '../shared/app/explain-canary-path.js';
import { type CanaryTickResult, type RunCanariesDeps, runCanaries } from '../shared/app/run-canaries.js';
import { HttpAgentClient, LambdaCoreConnectorDirectory, SdkCanaryMicrovms } from '../shared/aws/canary-microvms.js';
import { DynamoDbCanaryStore } from '../shared/aws/canary-store.js';
import { createStore } from '../shared/aws/clients.js';
import { Ec2NetworkFactsSource } from '../shared/aws/ec2-network-facts.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import type { PathExplainer } from '../shared/canary-ports.js';
import { loadConfig } from '../shared/config.js';
import { type ExpectationsDocument, parseExpectations } from '../shared/domain/expectations.js';
import type { FunctionMetrics, LambdaHandler } from '../shared/observability.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What one tick needs; `expectations` is read on every tick so a redeployed document applies at once. */
export interface CanaryFunctionDeps extends Omit<RunCanariesDeps, 'expectations' | 'explainer'> {
  expectations: () => ExpectationsDocument;
  /** A fresh explainer per tick (it caches the snapshot it reads). */
  explainer?: () => PathExplainer;
  metrics: FunctionMetrics;
}

export type CanaryTickSummary = Pick<CanaryTickResult, 'started' | 'stopped' | 'findings'> & { runs: number };

/** The scheduled handler over explicit dependencies. @throws when the connector list or the store fails. */
export function makeHandler(deps: CanaryFunctionDeps): LambdaHandler<unknown, CanaryTickSummary> {
  return async () => {
    const { metrics, expectations, explainer, ...rest } = deps;
    const result = await runCanaries({
      ...rest,
      expectations: expectations(),
      ...(explainer ? { explainer: explainer() } : {}),
    });
    metrics.count('canaryRuns', result.runs.length);
    metrics.count(
      'canaryMicrovmSeconds',
      result.runs.reduce((sum, r) => sum + r.microvmSeconds, 0),
    );
    metrics.count('canaryFindingsOpened', result.findings.filter((f) => f.change === 'opened').length);
    for (const run of result.runs) {
      deps.logger.info('canary run', {
        connectorId: run.connectorId,
        met: run.met,
        blind: run.blindReason ?? undefined,
      });
    }
    return { runs: result.runs.length, started: result.started, stopped: result.stopped, findings: result.findings };
  };
}

/**
 * The expectations in force: EGRESS_WATCH_EXPECTATIONS (YAML or JSON text), else the file named by
 * EGRESS_WATCH_EXPECTATIONS_FILE (default monitor/expectations.yaml in the package).
 * @throws ExpectationsError listing every problem with its path.
 */
export function loadExpectations(env: Readonly<Record<string, string | undefined>>): ExpectationsDocument {
  const inline = env.EGRESS_WATCH_EXPECTATIONS;
  if (inline !== undefined && inline.trim() !== '')
    return parseExpectations(parse(inline), 'EGRESS_WATCH_EXPECTATIONS');
  const path = resolve(env.LAMBDA_TASK_ROOT ?? '.', env.EGRESS_WATCH_EXPECTATIONS_FILE ?? 'monitor/expectations.yaml');
  return parseExpectations(parse(readFileSync(path, 'utf8')), path);
}

/**
 * Dependencies from a runtime: config and canary settings from `runtime.env`, clients with `runtime.aws`.
 * @throws ConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): CanaryFunctionDeps {
  const config = loadConfig(runtime.env);
  const settings = { ...runtime.aws, region: config.region };
  const ddb = new DynamoDBClient({
    ...settings,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const microvms = new LambdaMicrovmsClient(settings);
  const core = new LambdaCoreClient({
    region: config.region,
    ...(runtime.aws.endpoint ? { endpoint: runtime.aws.endpoint } : {}),
    ...(runtime.aws.credentials ? { credentials: runtime.aws.credentials } : {}),
    env: runtime.env,
  });
  const proxyBaseUrl = runtime.env.EGRESS_WATCH_MICROVM_PROXY_URL;
  const directory = new LambdaCoreConnectorDirectory(core, microvms);
  const monitorStore = createStore(config, runtime.aws);
  const facts = new Ec2NetworkFactsSource(new EC2Client({ ...settings, retryMode: 'adaptive', maxAttempts: 4 }));
  return {
    expectations: () => loadExpectations(runtime.env),
    // Live EC2 facts on the first failing probe of a tick; the stored snapshot (reconcile) if that fails.
    explainer: () =>
      new SnapshotPathExplainer(async (scope) => {
        try {
          const body = await facts.describeNetwork(scope);
          return { ...body, ...scope, capturedAt: runtime.clock.now().toISOString() };
        } catch (error) {
          runtime.logger.warn('live network facts failed; using the stored snapshot', { error: String(error) });
          return (await monitorStore.loadNetworkFacts(scope)).snapshot;
        }
      }, directory),
    directory,
    microvms: new SdkCanaryMicrovms(microvms),
    agent: new HttpAgentClient(proxyBaseUrl ? { proxyBaseUrl } : {}),
    store: new DynamoDbCanaryStore(ddb, config.tableName),
    clock: runtime.clock,
    pacer: { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), nowMs: () => performance.now() },
    logger: runtime.logger,
    metrics: runtime.metrics,
    imageArn: runtime.env.EGRESS_WATCH_CANARY_IMAGE_ARN ?? '',
    region: config.region,
  };
}

/** The Lambda entry point (serverless.yml: functions/canary.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
