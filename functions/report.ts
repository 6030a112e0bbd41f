/**
 * Scheduled canary report (docs/report.md). EventBridge schedules invoke it with `{ "period": "daily" }`
 * or `{ "period": "weekly" }` (serverless.yml); it reads the table, renders the HTML page, JSON and Slack
 * summary, and stores them in the report bucket. Posting to Slack goes through an injected sender.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { type BuildReportDeps, type BuiltReport, buildReport } from '../shared/app/build-report.js';
import { DynamoDbReportSource } from '../shared/aws/dynamodb-report-source.js';
import { S3ReportArchive } from '../shared/aws/s3-report-archive.js';
import { loadConfig } from '../shared/config.js';
import type { ReportRates } from '../shared/domain/report-schema.js';
import { appLogger } from '../shared/observability.js';
import { renderReportHtml } from '../shared/report/html.js';
import { loadReportConfig } from '../shared/report-config.js';

/** Window length of each scheduled period, in milliseconds. */
export const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** The schedule's input: which period to report on. */
export const ReportEventSchema = z.object({
  period: z.enum(['daily', 'weekly'], { message: 'period must be "daily" or "weekly"' }),
});

/** What one invocation returns (logged by Lambda; handy in `sls invoke`). */
export interface ReportResult {
  period: 'daily' | 'weekly';
  window: { since: string; until: string };
  htmlKey: string | null;
  jsonKey: string | null;
  connectors: number;
  canaryRuns: number;
  posted: boolean;
}

/** The handler's collaborators (the use case's plus the cost rates). */
export interface ReportHandlerDeps extends BuildReportDeps {
  rates: ReportRates;
}

/** Builds the handler around its dependencies. Throws a clear error for an event without a valid period. */
export function makeHandler(deps: ReportHandlerDeps): (event: unknown) => Promise<ReportResult> {
  return async (event) => {
    const parsed = ReportEventSchema.safeParse(event);
    if (!parsed.success)
      throw new Error(`report event rejected: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { period } = parsed.data;
    const built: BuiltReport = await buildReport(deps, { period, sinceMs: PERIOD_MS[period], rates: deps.rates });
    return {
      period,
      window: built.report.window,
      htmlKey: built.stored?.htmlKey ?? null,
      jsonKey: built.stored?.jsonKey ?? null,
      connectors: built.report.connectors.length,
      canaryRuns: built.report.totals.canaryRuns,
      posted: built.posted,
    };
  };
}

let productionHandler: ((event: unknown) => Promise<ReportResult>) | undefined;

/** Lambda entry point: dependencies are built once per execution environment. */
export const handler = (event: unknown): Promise<ReportResult> => {
  if (!productionHandler) {
    const config = loadConfig();
    const reportConfig = loadReportConfig();
    if (!reportConfig.bucket) throw new Error('EGRESS_WATCH_REPORT_BUCKET is required by the report function');
    const ddb = new DynamoDBClient({
      region: config.region,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    });
    productionHandler = makeHandler({
      source: new DynamoDbReportSource({ client: ddb, tableName: config.tableName, logger: appLogger }),
      archive: new S3ReportArchive({ client: new S3Client({ region: config.region }), bucket: reportConfig.bucket }),
      clock: { now: () => new Date() },
      renderHtml: renderReportHtml,
      linkOf: (stored) =>
        `https://console.aws.amazon.com/s3/object/${stored.bucket}?region=${config.region}&prefix=${encodeURIComponent(stored.htmlKey)}`,
      logger: appLogger,
      rates: reportConfig.rates,
    });
  }
  return productionHandler(event);
};
