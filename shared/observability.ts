/** Logger and metrics in one place (Powertools), adapted to the ports the use cases take. */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Logger, Metrics } from './ports.js';

export const logger = new PowertoolsLogger({ serviceName: 'egress-watch' });
export const metrics = new PowertoolsMetrics({ namespace: 'EgressWatch', serviceName: 'egress-watch' });

export const appLogger: Logger = {
  debug: (message, extra) => logger.debug(message, extra ?? {}),
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) =>
    extra instanceof Error ? logger.error(message, extra) : logger.error(message, extra ?? {}),
};

export const appMetrics: Metrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
};
