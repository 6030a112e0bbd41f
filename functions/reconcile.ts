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
import { appLogger, appMetrics, metrics } from '../shared/observability.js';
import { loadReconcileSettings } from '../shared/reconcile-config.js';

export interface ReconcileHandlerDeps {
  reconcile: ReconcileDeps;
  /** The function's region: the scope is (event account, this region). */
  region: string;
  afterRun?: () => void;
}

/** The handler over explicit dependencies: reconciles the scheduled event's account in `region`. */
export function makeHandler(deps: ReconcileHandlerDeps) {
  return async (
    event: Pick<ScheduledEvent, 'account' | 'region'>,
  ): Promise<Omit<ReconcileReport, 'observations'> & { observations: number }> => {
    try {
      const report = await reconcileScope(deps.reconcile, {
        account: event.account,
        region: event.region || deps.region,
      });
      return { ...report, observations: report.observations.length };
    } finally {
      deps.afterRun?.();
    }
  };
}

let built: ReturnType<typeof makeHandler> | undefined;

/** Dependencies built on the first invocation, so importing the module never needs the environment. */
function build(): ReturnType<typeof makeHandler> {
  const config = loadConfig();
  const wiring = createReconcileWiring({
    region: config.region,
    tableName: config.tableName,
    allowedAccounts: config.allowedAccounts,
    ...(config.dynamodbEndpoint ? { dynamodbEndpoint: config.dynamodbEndpoint } : {}),
    logger: appLogger,
    metrics: appMetrics,
    settings: loadReconcileSettings(),
  });
  return makeHandler({
    reconcile: wiring.deps,
    region: config.region,
    afterRun: () => metrics.publishStoredMetrics(),
  });
}

/** The Lambda entry point (serverless.yml: functions/reconcile.handler). */
export const handler: ReturnType<typeof makeHandler> = (event) => {
  built ??= build();
  return built(event);
};
