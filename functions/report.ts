/**
 * Scheduled canary report (docs/report.md). EventBridge schedules invoke it with `{ "period": "daily" }`
 * or `{ "period": "weekly" }` (serverless.yml); it reads the table, renders the HTML page, JSON and Slack
 * summary, and stores them in the report bucket. Posting to Slack goes through an injected sender.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { type BuildReportDeps, type BuiltReport, buildReport } from '../shared/app/build-report.js';
import { awsClientOptions } from '../shared/aws/client-options.js';
import { DynamoDbReportSource } from '../shared/aws/dynamodb-report-source.js';
import { S3ReportArchive } from '../shared/aws/s3-report-archive.js';
import { loadConfig } from '../shared/config.js';
import { ConfigError, InputError } from '../shared/domain/errors.js';
import type { ReportRates } from '../shared/domain/report-schema.js';
import type { LambdaHandler } from '../shared/observability.js';
import { renderReportHtml } from '../shared/report/html.js';
import { loadReportConfig } from '../shared/report-config.js';
import type { ReportArchive } from '../shared/report-ports.js';
import { type FunctionRuntime, lambdaHandler } from '../shared/runtime.js';

/** Window length of each scheduled period, in milliseconds. */
export const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** The schedule's input: which period to report on. */
export const ReportEventSchema = z.object({
  period: z.enum(['daily', 'weekly'], { message: 'period must be "daily" or "weekly"' }),
});

/** What one invocation returns (in the Lambda response; handy with `sls invoke`). */
export interface ReportResult {
  period: 'daily' | 'weekly';
  window: { since: string; until: string };
  htmlKey: string;
  jsonKey: string;
  connectors: number;
  canaryRuns: number;
  posted: boolean;
}

/**
 * The handler's collaborators: the use case's, the cost rates, and the archive — null when the report
 * bucket is not configured (the lab has no S3), which makes every invocation fail with a ConfigError.
 */
export interface ReportFunctionDeps extends Omit<BuildReportDeps, 'archive'> {
  archive: ReportArchive | null;
  rates: ReportRates;
}

/**
 * Builds the handler around its dependencies.
 * @throws InputError for an event without a valid period; ConfigError without a report bucket; the
 * store's or S3's error when one fails (Lambda retries twice, then the report dead-letter queue).
 */
export function makeHandler(deps: ReportFunctionDeps): LambdaHandler<unknown, ReportResult> {
  return async (event) => {
    const parsed = ReportEventSchema.safeParse(event);
    if (!parsed.success)
      throw new InputError(`report event rejected: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    if (!deps.archive)
      throw new ConfigError('EGRESS_WATCH_REPORT_BUCKET is not set: the report function stores reports in that bucket');
    const { period } = parsed.data;
    const built: BuiltReport = await buildReport(
      { ...deps, archive: deps.archive },
      { period, sinceMs: PERIOD_MS[period], rates: deps.rates },
    );
    const stored = built.stored as NonNullable<BuiltReport['stored']>;
    return {
      period,
      window: built.report.window,
      htmlKey: stored.htmlKey,
      jsonKey: stored.jsonKey,
      connectors: built.report.connectors.length,
      canaryRuns: built.report.totals.canaryRuns,
      posted: built.posted,
    };
  };
}

/**
 * Dependencies from a runtime: the table (config), the report bucket and rates (report config), one
 * DynamoDB and one S3 client with `runtime.aws` settings. No Slack sender yet: the summary is stored as
 * slack.json next to the page (docs/report.md).
 * @throws ConfigError when the environment is malformed.
 */
export function depsFor(runtime: FunctionRuntime): ReportFunctionDeps {
  const config = loadConfig(runtime.env);
  const reportConfig = loadReportConfig(runtime.env);
  // Explicit time-outs and retry budgets (shared/aws/client-options.ts): a frozen endpoint fails, never hangs.
  const ddb = new DynamoDBClient({
    ...runtime.aws,
    ...awsClientOptions(),
    region: config.region,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const bucket = reportConfig.bucket;
  return {
    source: new DynamoDbReportSource({ client: ddb, tableName: config.tableName, logger: runtime.logger }),
    archive: bucket
      ? new S3ReportArchive({
          client: new S3Client({
            ...runtime.aws,
            ...awsClientOptions({ requestTimeoutMs: 15_000 }),
            region: config.region,
          }),
          bucket,
        })
      : null,
    clock: runtime.clock,
    renderHtml: renderReportHtml,
    linkOf: (stored) =>
      `https://console.aws.amazon.com/s3/object/${stored.bucket}?region=${config.region}&prefix=${encodeURIComponent(stored.htmlKey)}`,
    logger: runtime.logger,
    rates: reportConfig.rates,
  };
}

/** The Lambda entry point (serverless.yml: functions/report.handler). */
export const handler = lambdaHandler(makeHandler, depsFor);
