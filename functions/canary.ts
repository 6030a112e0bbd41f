/**
 * The canary function (docs/canaries.md): loads the expectations (bundled monitor/expectations.yaml, or
 * EGRESS_WATCH_EXPECTATIONS inline), then, by event:
 * - a scheduled event: one tick of shared/app/run-canaries.ts;
 * - table stream records (open `network-path-changed` findings without a check, filtered in serverless.yml):
 *   shared/app/check-path-change.ts — which expectations the change flips, attached to the finding, and a
 *   re-probe of exactly the affected connectors (docs/canaries.md#path-changes);
 * - `{ connectorIds: [...], reason }`: a targeted re-probe of those connectors.
 * Metrics: `canaryRuns`, `canaryMicrovmSeconds`, `canaryFindingsOpened`, `canaryReprobes`, `canaryPathChecks`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaMicrovmsClient } from '@aws-sdk/client-lambda-microvms';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { parse } from 'yaml';
import { checkPathChanges } from '../shared/app/check-path-change.js';
import { SnapshotPathExplainer } from '../shared/app/explain-canary-path.js';
import { type CanaryTickResult, type RunCanariesDeps, runCanaries } from '../shared/app/run-canaries.js';
import { HttpAgentClient, LambdaCoreConnectorDirectory, SdkCanaryMicrovms } from '../shared/aws/canary-microvms.js';
import { DynamoDbCanaryStore } from '../shared/aws/canary-store.js';
import { awsClientOptions, awsRequestHandler } from '../shared/aws/client-options.js';
import { createStore } from '../shared/aws/clients.js';
import { Ec2NetworkFactsSource } from '../shared/aws/ec2-network-facts.js';
import { pathChangeTriggersFromStream } from '../shared/aws/finding-stream.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import { DynamoDbPathChangeStore } from '../shared/aws/path-change-store.js';
import type { PathChangeStore, PathExplainer } from '../shared/canary-ports.js';
import { loadConfig } from '../shared/config.js';
import { type ExpectationsDocument, parseExpectations } from '../shared/domain/expectations.js';
import { isReprobeRequest, parseReprobeRequest } from '../shared/domain/path-change.js';
import type { FunctionMetrics, LambdaHandler } from '../shared/observability.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What one tick needs; `expectations` is read on every tick so a redeployed document applies at once. */
export interface CanaryFunctionDeps extends Omit<RunCanariesDeps, 'expectations' | 'explainer' | 'only'> {
  expectations: () => ExpectationsDocument;
  /** A fresh explainer per tick (it caches the snapshot it reads). */
  explainer?: () => PathExplainer;
  /** Where path-change checks are attached (the finding items). */
  pathChanges: PathChangeStore;
  metrics: FunctionMetrics;
}

export type CanaryTickSummary = Pick<CanaryTickResult, 'started' | 'stopped' | 'findings'> & { runs: number };

/** A re-probe request's answer: the tick summary plus the connectors not probed now, with the reason. */
export type ReprobeSummary = CanaryTickSummary & Pick<CanaryTickResult, 'skipped'>;

export type CanaryResult = CanaryTickSummary | ReprobeSummary | DynamoDBBatchResponse;

/**
 * The handler over explicit dependencies: schedule, table stream or `{ connectorIds, reason }`.
 * @throws ReprobeRequestError for a malformed `{ connectorIds, reason }` payload; when the connector list or
 * the store fails on a tick (a stream batch instead reports its first record as failed, so it is retried).
 */
export function makeHandler(deps: CanaryFunctionDeps): LambdaHandler<unknown, CanaryResult> {
  return async (event) => {
    const { metrics, expectations, explainer, pathChanges, ...rest } = deps;
    const tick = () => ({
      ...rest,
      expectations: expectations(),
      ...(explainer ? { explainer: explainer() } : {}),
    });
    if (isStreamEvent(event)) {
      const { triggers, rejected } = pathChangeTriggersFromStream(event.Records);
      for (const r of rejected) deps.logger.error('unreadable path-change finding record', r);
      if (triggers.length === 0) return { batchItemFailures: [] };
      try {
        const outcome = await checkPathChanges({ ...tick(), pathChanges }, triggers);
        metrics.count('canaryPathChecks', outcome.checks.length);
        if (outcome.reprobe) report(deps, outcome.reprobe);
        deps.logger.info('path changes checked', {
          flips: outcome.checks.flatMap((c) => c.flips.map((f) => `${f.connectorName}/${f.targetId}`)),
          reprobed: outcome.reprobe?.runs.map((r) => r.connectorId) ?? [],
          superseded: outcome.superseded,
        });
        return { batchItemFailures: [] };
      } catch (error) {
        deps.logger.error('path-change check failed', error as Error);
        const first = event.Records[0]?.dynamodb?.SequenceNumber;
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    if (isReprobeRequest(event)) {
      const only = parseReprobeRequest(event);
      const result = await runCanaries({ ...tick(), only });
      report(deps, result);
      return { ...summaryOf(result), skipped: result.skipped };
    }
    const result = await runCanaries(tick());
    report(deps, result);
    return summaryOf(result);
  };
}

function isStreamEvent(event: unknown): event is DynamoDBStreamEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);
}

function summaryOf(result: CanaryTickResult): CanaryTickSummary {
  return { runs: result.runs.length, started: result.started, stopped: result.stopped, findings: result.findings };
}

/** Metrics and one log line per run. */
function report(deps: CanaryFunctionDeps, result: CanaryTickResult): void {
  const { metrics } = deps;
  metrics.count('canaryRuns', result.runs.length);
  metrics.count('canaryReprobes', result.runs.filter((r) => r.reprobe).length);
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
      reprobe: run.reprobe,
    });
  }
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
  // Explicit time-outs and retry budgets (shared/aws/client-options.ts): a frozen endpoint fails, never hangs.
  const ddb = new DynamoDBClient({
    ...settings,
    ...awsClientOptions(),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const microvms = new LambdaMicrovmsClient({
    ...settings,
    requestHandler: awsRequestHandler({ requestTimeoutMs: 15_000 }),
  });
  const core = new LambdaCoreClient({
    region: config.region,
    ...(runtime.aws.endpoint ? { endpoint: runtime.aws.endpoint } : {}),
    ...(runtime.aws.credentials ? { credentials: runtime.aws.credentials } : {}),
    env: runtime.env,
  });
  const proxyBaseUrl = runtime.env.EGRESS_WATCH_MICROVM_PROXY_URL;
  const directory = new LambdaCoreConnectorDirectory(core, microvms);
  const monitorStore = createStore(config, runtime.aws);
  const facts = new Ec2NetworkFactsSource(
    new EC2Client({
      ...settings,
      retryMode: 'adaptive',
      maxAttempts: 4,
      requestHandler: awsRequestHandler({ requestTimeoutMs: 15_000 }),
    }),
  );
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
    pathChanges: new DynamoDbPathChangeStore(ddb, config.tableName),
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
