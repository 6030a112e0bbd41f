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
import { describeTargetError, forEachTarget } from '../shared/app/for-each-target.js';
import {
  type CanaryTickResult,
  type RunCanariesDeps,
  runCanaries,
  scopedCanaryStore,
} from '../shared/app/run-canaries.js';
import { HttpAgentClient, LambdaCoreConnectorDirectory, SdkCanaryMicrovms } from '../shared/aws/canary-microvms.js';
import { DynamoDbCanaryStore } from '../shared/aws/canary-store.js';
import { awsClientOptions, awsRequestHandler } from '../shared/aws/client-options.js';
import { createStore } from '../shared/aws/clients.js';
import { Ec2NetworkFactsSource } from '../shared/aws/ec2-network-facts.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import { targetClientSettings } from '../shared/aws/target-credentials.js';
import type { PathExplainer } from '../shared/canary-ports.js';
import { loadConfig } from '../shared/config.js';
import { DependencyError } from '../shared/domain/errors.js';
import { type ExpectationsDocument, parseExpectations } from '../shared/domain/expectations.js';
import {
  arnInTarget,
  canaryTargets,
  DEFAULT_TARGET_CONCURRENCY,
  type MonitorTarget,
  type MonitorTargets,
  ownTarget,
} from '../shared/domain/targets.js';
import type { FunctionMetrics, LambdaHandler } from '../shared/observability.js';
import type { Logger } from '../shared/ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** One target's tick dependencies (everything but the expectations, read once per tick). */
export type CanaryTickDeps = Omit<RunCanariesDeps, 'expectations' | 'explainer'> & {
  /** A fresh explainer per tick (it caches the snapshot it reads). */
  explainer?: () => PathExplainer;
};

/** What one tick needs; `expectations` is read on every tick so a redeployed document applies at once. */
export interface CanaryFunctionDeps {
  expectations: () => ExpectationsDocument;
  /** The tick's dependencies for one target; `release()` frees its clients. */
  tickFor(target: MonitorTarget): { deps: CanaryTickDeps; release(): void };
  /** EGRESS_WATCH_TARGETS; null: the scheduled event's own account in `region`. */
  targets: MonitorTargets | null;
  /** This function's region. */
  region: string;
  logger: Logger;
  metrics: FunctionMetrics;
}

export type CanaryTickSummary = Pick<CanaryTickResult, 'started' | 'stopped' | 'findings'> & {
  runs: number;
  /** Targets whose tick failed as a whole (their connector list could not be read), with the reason. */
  failedTargets: { account: string; region: string; error: string }[];
};

/**
 * The scheduled handler over explicit dependencies: one tick per canary target (canaryTargets: the central
 * account's own, and members with a canary role), bounded concurrency; one failing target does not stop the
 * others (docs/organizations.md#targets).
 * @throws DependencyError when every target's tick failed.
 */
export function makeHandler(deps: CanaryFunctionDeps): LambdaHandler<unknown, CanaryTickSummary> {
  return async (event) => {
    const { metrics } = deps;
    const expectations = deps.expectations();
    const own = (event as { account?: string } | null)?.account ?? '';
    const targets = deps.targets ? canaryTargets(deps.targets.targets, deps.region) : [ownTarget(own, deps.region)];
    const outcomes = await forEachTarget(
      targets,
      deps.targets?.concurrency ?? DEFAULT_TARGET_CONCURRENCY,
      async (t) => {
        const { deps: tick, release } = deps.tickFor(t);
        try {
          const { explainer, ...rest } = tick;
          return await runCanaries({ ...rest, expectations, ...(explainer ? { explainer: explainer() } : {}) });
        } finally {
          release();
        }
      },
    );
    const summary: CanaryTickSummary = { runs: 0, started: [], stopped: [], findings: [], failedTargets: [] };
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        const failure = {
          account: outcome.target.account,
          region: outcome.target.region,
          error: describeTargetError(outcome.error),
        };
        deps.logger.error('canary tick failed for a target', failure);
        summary.failedTargets.push(failure);
        continue;
      }
      const result = outcome.value;
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
      summary.runs += result.runs.length;
      summary.started.push(...result.started);
      summary.stopped.push(...result.stopped);
      summary.findings.push(...result.findings);
    }
    metrics.count('canaryTargetsFailed', summary.failedTargets.length);
    if (targets.length > 0 && summary.failedTargets.length === targets.length) {
      throw new DependencyError(
        `canary tick failed for every target: ${summary.failedTargets.map((f) => `${f.account}/${f.region}: ${f.error}`).join('; ')}`,
      );
    }
    return summary;
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
  // Explicit time-outs and retry budgets (shared/aws/client-options.ts): a frozen endpoint fails, never hangs.
  const ddb = new DynamoDBClient({
    ...runtime.aws,
    region: config.region,
    ...awsClientOptions(),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const monitorStore = createStore(config, runtime.aws);
  const store = new DynamoDbCanaryStore(ddb, config.tableName);
  const proxyBaseUrl = runtime.env.EGRESS_WATCH_MICROVM_PROXY_URL;
  const imageArn = runtime.env.EGRESS_WATCH_CANARY_IMAGE_ARN ?? '';
  return {
    expectations: () => loadExpectations(runtime.env),
    targets: config.targets,
    region: config.region,
    logger: runtime.logger,
    metrics: runtime.metrics,
    tickFor: (target) => {
      // The target's region; a member's canary role (docs/organizations.md#targets).
      const settings = targetClientSettings(
        { ...target, roleArn: target.canaryRoleArn, externalId: target.canaryRoleArn ? target.externalId : null },
        runtime.aws,
      );
      const microvms = new LambdaMicrovmsClient({
        ...settings,
        requestHandler: awsRequestHandler({ requestTimeoutMs: 15_000 }),
      });
      const core = new LambdaCoreClient({ ...settings, env: runtime.env });
      const directory = new LambdaCoreConnectorDirectory(core, microvms);
      const ec2 = new EC2Client({
        ...settings,
        retryMode: 'adaptive',
        maxAttempts: 4,
        requestHandler: awsRequestHandler({ requestTimeoutMs: 15_000 }),
      });
      const facts = new Ec2NetworkFactsSource(ec2);
      return {
        deps: {
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
          // Only this target's canaries: another target's are not "gone" because this one does not list them.
          store: config.targets ? scopedCanaryStore(store, target) : store,
          clock: runtime.clock,
          pacer: { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), nowMs: () => performance.now() },
          logger: runtime.logger,
          imageArn: imageArn && config.targets ? arnInTarget(imageArn, target) : imageArn,
          region: target.region,
        },
        release: () => {
          microvms.destroy();
          ec2.destroy();
        },
      };
    },
  };
}

/** The Lambda entry point (serverless.yml: functions/canary.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
