/**
 * Scheduled canary report (docs/report.md). EventBridge schedules invoke it with `{ "period": "daily" }`
 * or `{ "period": "weekly" }` (serverless.yml); it reads the table and the dead-letter queues, renders the
 * HTML page, JSON and Slack summary, stores them in the report bucket, then posts the summary through the
 * notify function's Slack channel (bot or webhook, secret from SSM by name). A post that fails after the
 * channel's retries fails the invocation (the report is already stored): Lambda retries twice, then the
 * report dead-letter queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { loadAlertsConfig } from '../shared/alerts-config.js';
import { type BuildReportDeps, type BuiltReport, buildReport } from '../shared/app/build-report.js';
import { awsClientOptions } from '../shared/aws/client-options.js';
import { DynamoDbReportSource } from '../shared/aws/dynamodb-report-source.js';
import { wireSlackChannel } from '../shared/aws/notify-wiring.js';
import { S3ReportArchive } from '../shared/aws/s3-report-archive.js';
import { SqsDeadLetterCounts } from '../shared/aws/sqs-dead-letter-counts.js';
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
  /** Messages waiting in the dead-letter queues (null: none configured, or one could not be read). */
  deadLettered: number | null;
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
      deadLettered: built.report.health.deadLettered.count,
      posted: built.posted,
    };
  };
}

/**
 * Dependencies from a runtime: the table (config), the report bucket, rates, summary channel and dead-letter
 * queues (report config), the Slack channel of the alerting config (EGRESS_WATCH_SLACK_MODE bot|webhook, the
 * secret read by name from SSM / Secrets Manager; none when `off`), and DynamoDB, S3 and SQS clients with
 * `runtime.aws` settings. The Slack link is the S3 console page of the stored HTML (a presigned URL would
 * expire with the function's session credentials; docs/report.md).
 * @throws ConfigError / AlertsConfigError when the environment is malformed.
 */
export function depsFor(runtime: FunctionRuntime): ReportFunctionDeps {
  const config = loadConfig(runtime.env);
  const reportConfig = loadReportConfig(runtime.env);
  const alerts = loadAlertsConfig(runtime.env);
  const settings = { ...runtime.aws, region: config.region };
  // Explicit time-outs and retry budgets (shared/aws/client-options.ts): a frozen endpoint fails, never hangs.
  const ddb = new DynamoDBClient({
    ...settings,
    ...awsClientOptions(),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const bucket = reportConfig.bucket;
  const channel = reportConfig.slackChannel ?? alerts.slackDefaultChannel;
  const slack = wireSlackChannel(alerts, () => channel, runtime.logger, settings);
  return {
    source: new DynamoDbReportSource({ client: ddb, tableName: config.tableName, logger: runtime.logger }),
    archive: bucket
      ? new S3ReportArchive({
          client: new S3Client({
            ...settings,
            ...awsClientOptions({ requestTimeoutMs: 15_000 }),
            // A custom endpoint (the lab's edge on 127.0.0.1) has no bucket sub-domains.
            ...(runtime.aws.endpoint ? { forcePathStyle: true } : {}),
          }),
          bucket,
        })
      : null,
    ...(reportConfig.deadLetterQueues.length > 0
      ? {
          deadLetters: new SqsDeadLetterCounts({
            client: new SQSClient({ ...settings, ...awsClientOptions() }),
            queues: reportConfig.deadLetterQueues,
            logger: runtime.logger,
          }),
        }
      : {}),
    ...(slack
      ? {
          sendSlack: async (message) => {
            await slack.post(message, channel);
          },
        }
      : {}),
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
