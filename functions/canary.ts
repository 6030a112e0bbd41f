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
import { describeTargetError, forEachTarget, type TargetOutcome } from '../shared/app/for-each-target.js';
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
import { pathChangeTriggersFromStream } from '../shared/aws/finding-stream.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import { DynamoDbPathChangeStore } from '../shared/aws/path-change-store.js';
import { targetClientSettings } from '../shared/aws/target-credentials.js';
import type { PathChangeStore, PathChangeTrigger, PathExplainer } from '../shared/canary-ports.js';
import { loadConfig } from '../shared/config.js';
import { DependencyError } from '../shared/domain/errors.js';
import { type ExpectationsDocument, parseExpectations } from '../shared/domain/expectations.js';
import { isReprobeRequest, parseReprobeRequest } from '../shared/domain/path-change.js';
import {
  arnInTarget,
  canaryTargets,
  DEFAULT_TARGET_CONCURRENCY,
  type MonitorTarget,
  type MonitorTargets,
  ownTarget,
  targetLabel,
} from '../shared/domain/targets.js';
import type { FunctionMetrics, LambdaHandler } from '../shared/observability.js';
import type { Logger } from '../shared/ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** One target's tick dependencies (everything but the expectations, read once per invocation). */
export type CanaryTickDeps = Omit<RunCanariesDeps, 'expectations' | 'explainer' | 'only'> & {
  /** A fresh explainer per tick (it caches the snapshot it reads). */
  explainer?: () => PathExplainer;
};

/** What the function needs; `expectations` is read on every invocation so a redeployed document applies at once. */
export interface CanaryFunctionDeps {
  expectations: () => ExpectationsDocument;
  /** One target's tick dependencies; `release()` frees its clients. */
  tickFor(target: MonitorTarget): { deps: CanaryTickDeps; release(): void };
  /** Where path-change checks are attached (the finding items, in the central table). */
  pathChanges: PathChangeStore;
  /** EGRESS_WATCH_TARGETS; null: the function's own account and region. */
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

/** A re-probe request's answer: the tick summary plus the connectors not probed now, with the reason. */
export type ReprobeSummary = CanaryTickSummary & Pick<CanaryTickResult, 'skipped'>;

export type CanaryResult = CanaryTickSummary | ReprobeSummary | DynamoDBBatchResponse;

/**
 * The handler over explicit dependencies: schedule, table stream or `{ connectorIds, reason }`. Ticks and
 * re-probes run once per canary target (docs/organizations.md#targets: the own account/region, and targets
 * with a canary role), bounded concurrency; a path-change finding is checked in its own account/region.
 * @throws ReprobeRequestError for a malformed `{ connectorIds, reason }` payload; DependencyError when every
 *   target's tick failed (a stream batch instead reports its first record as failed, so it is retried).
 */
export function makeHandler(deps: CanaryFunctionDeps): LambdaHandler<unknown, CanaryResult> {
  return async (event) => {
    const expectations = deps.expectations();
    const own = (event as { account?: unknown } | null)?.account;
    const ownAccount = typeof own === 'string' ? own : '';
    // An entry without a role is read with this function's own credentials: only this account's (the
    // scheduled event says which; docs/organizations.md#targets).
    const targets = deps.targets
      ? canaryTargets(deps.targets.targets, deps.region).filter(
          (t) => t.canaryRoleArn !== null || ownAccount === '' || t.account === ownAccount,
        )
      : [ownTarget(ownAccount, deps.region)];
    const concurrency = deps.targets?.concurrency ?? DEFAULT_TARGET_CONCURRENCY;
    /** Runs `work` with the target's tick dependencies and releases its clients. */
    const inTarget = async <T>(target: MonitorTarget, work: (tick: Omit<RunCanariesDeps, 'only'>) => Promise<T>) => {
      const { deps: tick, release } = deps.tickFor(target);
      try {
        const { explainer, ...rest } = tick;
        return await work({ ...rest, expectations, ...(explainer ? { explainer: explainer() } : {}) });
      } finally {
        release();
      }
    };
    if (isStreamEvent(event)) {
      const { triggers, rejected } = pathChangeTriggersFromStream(event.Records);
      for (const r of rejected) deps.logger.error('unreadable path-change finding record', r);
      const groups = triggersByTarget(triggers, targets, deps.targets === null);
      for (const t of groups.unmonitored)
        deps.logger.info('path change outside the canary targets', { fingerprint: t.fingerprint, account: t.account });
      try {
        for (const { target, triggers: group } of groups.byTarget) {
          const outcome = await inTarget(target, (tick) =>
            checkPathChanges({ ...tick, pathChanges: deps.pathChanges }, group),
          );
          deps.metrics.count('canaryPathChecks', outcome.checks.length);
          if (outcome.reprobe) report(deps, outcome.reprobe);
          deps.logger.info('path changes checked', {
            target: targetLabel(target),
            flips: outcome.checks.flatMap((c) => c.flips.map((f) => `${f.connectorName}/${f.targetId}`)),
            reprobed: outcome.reprobe?.runs.map((r) => r.connectorId) ?? [],
            superseded: outcome.superseded,
          });
        }
        return { batchItemFailures: [] };
      } catch (error) {
        deps.logger.error('path-change check failed', error as Error);
        const first = event.Records[0]?.dynamodb?.SequenceNumber;
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    const only = isReprobeRequest(event) ? parseReprobeRequest(event) : undefined;
    const outcomes = await forEachTarget(targets, concurrency, (target) =>
      inTarget(target, (tick) => runCanaries({ ...tick, ...(only ? { only } : {}) })),
    );
    const summary = summarize(deps, outcomes);
    if (targets.length > 0 && summary.failedTargets.length === targets.length) {
      throw new DependencyError(
        `canary tick failed for every target: ${summary.failedTargets.map((f) => `${f.account}/${f.region}: ${f.error}`).join('; ')}`,
      );
    }
    if (!only) return summary;
    return { ...summary, skipped: outcomes.flatMap((o) => (o.ok ? o.value.skipped : [])) };
  };
}

/**
 * Path-change triggers grouped by the canary target of their account/region (with no targets configured,
 * all go to the own target); triggers of an account/region without canaries are `unmonitored`.
 */
function triggersByTarget(
  triggers: readonly PathChangeTrigger[],
  targets: readonly MonitorTarget[],
  ownOnly: boolean,
): { byTarget: { target: MonitorTarget; triggers: PathChangeTrigger[] }[]; unmonitored: PathChangeTrigger[] } {
  const byTarget = new Map<MonitorTarget, PathChangeTrigger[]>();
  const unmonitored: PathChangeTrigger[] = [];
  for (const trigger of triggers) {
    const target = ownOnly
      ? targets[0]
      : targets.find((t) => t.account === trigger.account && t.region === trigger.region);
    if (!target) {
      unmonitored.push(trigger);
      continue;
    }
    byTarget.set(target, [...(byTarget.get(target) ?? []), trigger]);
  }
  return { byTarget: [...byTarget].map(([target, group]) => ({ target, triggers: group })), unmonitored };
}

/** Adds up the targets' ticks (metrics and one log line per run); a failed target is logged and counted. */
function summarize(deps: CanaryFunctionDeps, outcomes: TargetOutcome<CanaryTickResult>[]): CanaryTickSummary {
  const summary: CanaryTickSummary = { runs: 0, started: [], stopped: [], findings: [], failedTargets: [] };
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      const failure = { ...scopeOf(outcome.target), error: describeTargetError(outcome.error) };
      deps.logger.error('canary tick failed for a target', failure);
      summary.failedTargets.push(failure);
      continue;
    }
    report(deps, outcome.value);
    summary.runs += outcome.value.runs.length;
    summary.started.push(...outcome.value.started);
    summary.stopped.push(...outcome.value.stopped);
    summary.findings.push(...outcome.value.findings);
  }
  deps.metrics.count('canaryTargetsFailed', summary.failedTargets.length);
  return summary;
}

function scopeOf(target: MonitorTarget): { account: string; region: string } {
  return { account: target.account, region: target.region };
}

function isStreamEvent(event: unknown): event is DynamoDBStreamEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);
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
    pathChanges: new DynamoDbPathChangeStore(ddb, config.tableName),
    targets: config.targets,
    region: config.region,
    logger: runtime.logger,
    metrics: runtime.metrics,
    tickFor: (target) => {
      // The target's region; its canary role, if it has one (docs/organizations.md#targets).
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
