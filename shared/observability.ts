/**
 * Logger, metrics and the handler middleware in one place (Powertools), adapted to the ports the use cases
 * take (docs/architecture.md#observability). Handlers never flush by hand: `withObservability` wraps them
 * in middy with Powertools' `injectLambdaContext` (Lambda context on every line, temporary keys such as the
 * correlation id reset per invocation) and `logMetrics` (EMF flush after each invocation, `ColdStart`).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger, Metrics } from './ports.js';

/** Service name and namespace default to these; POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE win. */
export const logger = new PowertoolsLogger({ serviceName: 'egress-watch' });
export const metrics = new PowertoolsMetrics({ namespace: 'EgressWatch', serviceName: 'egress-watch' });

/** The Logger port on the Powertools logger. */
export const appLogger: Logger = {
  debug: (message, extra) => logger.debug(message, extra ?? {}),
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) =>
    extra instanceof Error ? logger.error(message, extra) : logger.error(message, extra ?? {}),
};

/** The Metrics port plus the durations handlers report (e.g. projection lag). */
export interface FunctionMetrics extends Metrics {
  /** Adds a duration in milliseconds to the current invocation's metrics. */
  milliseconds(name: string, value: number): void;
}

/** FunctionMetrics on the Powertools metrics (EMF, flushed by `withObservability`). */
export const appMetrics: FunctionMetrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
  milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
};

/** Metrics that go nowhere (the lab and tests that do not look at metrics). */
export const noFunctionMetrics: FunctionMetrics = { count() {}, milliseconds() {} };

/**
 * Sets the log correlation key for the rest of the invocation: the CloudTrail `eventID` of the event being
 * handled (`correlation_id` on every line; reset by the middleware before the next invocation).
 */
export function setCorrelationId(eventId: string): void {
  logger.setCorrelationId(eventId);
}

/** A Lambda handler as the runtime calls it. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * Wraps a handler in middy with the Powertools logger and metrics middleware: Lambda context on every log
 * line, temporary keys reset per invocation, metrics flushed after every invocation (also when it throws),
 * and the `ColdStart` metric on the first one.
 */
export function withObservability<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
): LambdaHandler<TEvent, TResult> {
  const wrapped = middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return (event, context) => wrapped(event, context) as Promise<TResult>;
}
