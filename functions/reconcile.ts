/**
 * Schedule (default every 10 minutes) → reconcile of every monitoring target (docs/reconcile.md,
 * docs/organizations.md#targets): per account × region, repairs missed events from CloudTrail Event history
 * and writes observations and reconcile findings through the event log. Targets run concurrently (bounded);
 * a target that cannot be read (its role missing, access denied, its APIs failing after retries) raises
 * `monitoring-blind` for that account/region and the others go on. Without EGRESS_WATCH_TARGETS the target
 * is the scheduled event's own account and this region. A failed target's watermark is not moved; when
 * every target failed the invocation throws, so the async invocation's on-failure destination records it.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { describeTargetError, forEachTarget } from '../shared/app/for-each-target.js';
import {
  type ReconcileDeps,
  type ReconcileReport,
  reconcileScope,
  recordUnreachable,
  type UnreachableDeps,
} from '../shared/app/reconcile.js';
import { createReconcileWiring } from '../shared/aws/reconcile-wiring.js';
import { targetClientSettings } from '../shared/aws/target-credentials.js';
import { loadConfig } from '../shared/config.js';
import { ConfigError, DependencyError } from '../shared/domain/errors.js';
import {
  DEFAULT_TARGET_CONCURRENCY,
  type MonitorTarget,
  type MonitorTargets,
  ownTarget,
  targetLabel,
} from '../shared/domain/targets.js';
import type { LambdaHandler } from '../shared/observability.js';
import { loadIngestRuleNames, loadReconcileSettings } from '../shared/reconcile-config.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What the reconcile handler needs. */
export interface ReconcileFunctionDeps {
  /** The use case's dependencies for one target; `release()` frees its clients. */
  reconcileFor(target: MonitorTarget): { deps: ReconcileDeps; release(): void };
  /** Where an unreachable target's `monitoring-blind` is written (the central log). */
  unreachable: UnreachableDeps;
  /** EGRESS_WATCH_TARGETS; null: the scheduled event's account in `region`. */
  targets: MonitorTargets | null;
  /** This function's region. */
  region: string;
}

/** One target's run: its report with the observations counted, or why it could not be read. */
export type ReconcileTargetResult =
  | (Omit<ReconcileReport, 'observations'> & { ok: true; observations: number })
  | { ok: false; scope: { account: string; region: string }; error: string };

/**
 * The invocation result. The first target's report is spread at the top level (the shape of a one-target
 * run, unchanged), and `targets` lists every target's result in configuration order.
 */
export type ReconcileResult = Partial<Omit<ReconcileReport, 'observations'>> & {
  observations?: number;
  targets: ReconcileTargetResult[];
  failed: number;
};

/** Builds the handler from explicit dependencies. @throws DependencyError when every target failed. */
export function makeHandler(
  deps: ReconcileFunctionDeps,
): LambdaHandler<Pick<ScheduledEvent, 'account' | 'region'>, ReconcileResult> {
  return async (event) => {
    const targets: MonitorTarget[] = deps.targets?.targets ?? [ownTarget(event.account, event.region || deps.region)];
    const outcomes = await forEachTarget(
      targets,
      deps.targets?.concurrency ?? DEFAULT_TARGET_CONCURRENCY,
      async (target) => {
        if (target.roleArn === null && event.account && target.account !== event.account) {
          // Read with this function's own credentials, it would be this account's resources filed under another.
          throw new ConfigError(
            `no roleArn: account ${target.account} is not this function's account ${event.account}, and only that one is read with the function's own credentials (docs/organizations.md#targets)`,
          );
        }
        const { deps: reconcile, release } = deps.reconcileFor(target);
        try {
          return await reconcileScope(reconcile, { account: target.account, region: target.region });
        } finally {
          release();
        }
      },
    );
    const results: ReconcileTargetResult[] = [];
    for (const outcome of outcomes) {
      const scope = { account: outcome.target.account, region: outcome.target.region };
      if (outcome.ok) {
        results.push({ ...outcome.value, ok: true, observations: outcome.value.observations.length });
        continue;
      }
      const reason = `${outcome.target.roleArn ? `as ${outcome.target.roleArn}: ` : ''}${describeTargetError(outcome.error)}`;
      await recordUnreachable(deps.unreachable, scope, reason);
      results.push({ ok: false, scope, error: reason });
    }
    const failed = results.filter((r) => !r.ok).length;
    if (failed === results.length) {
      const first = outcomes.find((o) => !o.ok);
      throw new DependencyError(
        `reconcile failed for every target: ${results.map((r) => (r.ok ? '' : `${targetLabel(r.scope)}: ${r.error}`)).join('; ')}`,
        { cause: first && !first.ok ? first.error : undefined },
      );
    }
    const first = results[0];
    const top = first?.ok ? (({ ok: _ok, ...rest }) => rest)(first) : {};
    return { ...top, targets: results, failed };
  };
}

/**
 * Dependencies from a runtime: config from `runtime.env` (EGRESS_WATCH_TABLE, EGRESS_WATCH_ALLOWED_ACCOUNTS,
 * AWS_REGION, EGRESS_WATCH_TARGETS, the optional EGRESS_WATCH_* reconcile thresholds and
 * EGRESS_WATCH_INGEST_RULES), AWS clients with `runtime.aws` settings; a member target's clients use its
 * assumed role (target-credentials.ts).
 * @throws ConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): ReconcileFunctionDeps {
  const config = loadConfig(runtime.env);
  const settings = loadReconcileSettings(runtime.env);
  const ingestRuleNames = loadIngestRuleNames(runtime.env);
  const wiringFor = (target: MonitorTarget | null) =>
    createReconcileWiring({
      region: config.region,
      tableName: config.tableName,
      allowedAccounts: config.allowedAccounts,
      ...(config.dynamodbEndpoint ? { dynamodbEndpoint: config.dynamodbEndpoint } : {}),
      clock: runtime.clock,
      logger: runtime.logger,
      metrics: runtime.metrics,
      settings,
      aws: runtime.aws,
      ...(target ? { target: targetClientSettings(target, runtime.aws) } : {}),
      // monitoring-blind: the target's trails; the ingest rules live on this function's own bus only, so
      // they are checked for the target that is this account and region (docs/reconcile.md#monitoring-blind).
      monitoring: {
        ingestRuleNames: target && target.roleArn === null && target.region === config.region ? ingestRuleNames : [],
      },
    });
  const central = wiringFor(null);
  return {
    reconcileFor: (target) => {
      const wiring = wiringFor(target);
      return { deps: wiring.deps, release: () => wiring.destroy() };
    },
    unreachable: { log: central.deps.log, clock: runtime.clock, logger: runtime.logger },
    targets: config.targets,
    region: config.region,
  };
}

/** The Lambda entry point (serverless.yml: functions/reconcile.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
