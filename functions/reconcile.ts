/**
 * Schedule (default every 10 minutes) → reconcile of this account/region (docs/reconcile.md): repairs missed
 * events from CloudTrail Event history, writes observations and reconcile findings through the event log.
 * A failure throws: the watermark is not moved, the next run covers the same window, and the async
 * invocation's on-failure destination records it.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { type ReconcileDeps, type ReconcileReport, reconcileScope } from '../shared/app/reconcile.js';
import { createReconcileWiring } from '../shared/aws/reconcile-wiring.js';
import { loadConfig } from '../shared/config.js';
import type { LambdaHandler } from '../shared/observability.js';
import { loadIngestRuleNames, loadReconcileSettings } from '../shared/reconcile-config.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** What the reconcile handler needs: the use case's dependencies and the function's region. */
export interface ReconcileFunctionDeps {
  reconcile: ReconcileDeps;
  /** The scope is (the scheduled event's account, this region). */
  region: string;
}

/** The invocation result: the run's report with the observations counted. */
export type ReconcileResult = Omit<ReconcileReport, 'observations'> & { observations: number };

/** Builds the handler from explicit dependencies; AWS and store errors propagate (the watermark stays). */
export function makeHandler(
  deps: ReconcileFunctionDeps,
): LambdaHandler<Pick<ScheduledEvent, 'account' | 'region'>, ReconcileResult> {
  return async (event) => {
    const report = await reconcileScope(deps.reconcile, {
      account: event.account,
      region: event.region || deps.region,
    });
    return { ...report, observations: report.observations.length };
  };
}

/**
 * Dependencies from a runtime: config from `runtime.env` (EGRESS_WATCH_TABLE, EGRESS_WATCH_ALLOWED_ACCOUNTS,
 * AWS_REGION, the optional EGRESS_WATCH_* reconcile thresholds and EGRESS_WATCH_INGEST_RULES), AWS clients with `runtime.aws` settings.
 * @throws ConfigError when the environment is incomplete or malformed.
 */
export function depsFor(runtime: FunctionRuntime): ReconcileFunctionDeps {
  const config = loadConfig(runtime.env);
  const wiring = createReconcileWiring({
    region: config.region,
    tableName: config.tableName,
    allowedAccounts: config.allowedAccounts,
    ...(config.dynamodbEndpoint ? { dynamodbEndpoint: config.dynamodbEndpoint } : {}),
    clock: runtime.clock,
    logger: runtime.logger,
    metrics: runtime.metrics,
    settings: loadReconcileSettings(runtime.env),
    aws: runtime.aws,
    // monitoring-blind: the region's trails and the ingest rules named by EGRESS_WATCH_INGEST_RULES.
    monitoring: { ingestRuleNames: loadIngestRuleNames(runtime.env) },
  });
  return { reconcile: wiring.deps, region: config.region };
}

/** The Lambda entry point (serverless.yml: functions/reconcile.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
