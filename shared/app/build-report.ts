/**
 * The report use case: read the window's inputs through the ReportSource port, compute the model, check it
 * against the v1 schema, render HTML and the Slack summary, then (optionally) store them and post the
 * summary. Storing comes before posting, so the Slack message can link the stored page.
 * Definitions of every number: docs/report.md.
 */

import { DependencyError } from '../domain/errors.js';
import { buildReportModel, deadLetterHealth } from '../domain/report.js';
import { type Report, type ReportRates, ReportSchema } from '../domain/report-schema.js';
import { reportSlackMessage, type SlackMessage } from '../domain/report-slack.js';
import type { Clock, Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import type {
  DeadLetterCounter,
  ReportArchive,
  ReportRenderer,
  ReportSource,
  SlackSummarySender,
  StoredReport,
} from '../report-ports.js';

/**
 * The use case's collaborators. Without `archive` nothing is stored; without `sendSlack` nothing is posted;
 * without `deadLetters` the dead-letter count is the source's (null, "not available").
 */
export interface BuildReportDeps {
  source: ReportSource;
  deadLetters?: DeadLetterCounter;
  clock: Clock;
  renderHtml: ReportRenderer;
  archive?: ReportArchive;
  sendSlack?: SlackSummarySender;
  /** Turns a stored report into a link for the Slack message (e.g. a console or presigned URL). */
  linkOf?: (stored: StoredReport) => string | null;
  logger?: Logger;
}

/** Which window to report on. `until` defaults to now; `since` is `until − sinceMs`. */
export interface BuildReportRequest {
  period: Report['period'];
  /** Window length in milliseconds. */
  sinceMs: number;
  until?: Date;
  rates: ReportRates;
}

/** What one report run produced. */
export interface BuiltReport {
  report: Report;
  html: string;
  json: string;
  slack: SlackMessage;
  stored: StoredReport | null;
  posted: boolean;
}

/**
 * Builds (and stores / posts) one report. The archive is written before the summary is posted, so a Slack
 * failure never loses the report. Throws RangeError for a non-positive window; the source's or archive's
 * error when one fails; DependencyError (naming the stored key and the channel's reason, `cause` = the
 * sender's error) when the summary could not be posted — the caller's retry policy applies (the report
 * function: Lambda's two async retries, then its on-failure dead-letter queue).
 */
export async function buildReport(deps: BuildReportDeps, request: BuildReportRequest): Promise<BuiltReport> {
  if (!(request.sinceMs > 0)) throw new RangeError(`report window must be positive, got ${request.sinceMs} ms`);
  const logger = deps.logger ?? silentLogger;
  const now = deps.clock.now();
  const until = request.until ?? now;
  const window = { since: new Date(until.getTime() - request.sinceMs).toISOString(), until: until.toISOString() };

  const [connectors, findings, incidents, storeHealth, deadLetterQueues] = await Promise.all([
    deps.source.listConnectors(),
    deps.source.listFindings(),
    deps.source.listIncidents(),
    deps.source.monitorHealth(window),
    deps.deadLetters?.count(),
  ]);
  const health = deadLetterQueues ? { ...storeHealth, ...deadLetterHealth(deadLetterQueues) } : storeHealth;
  const canaryRuns = await deps.source.listCanaryRuns(
    connectors.map((c) => c.id),
    window,
  );
  const report = ReportSchema.parse(
    buildReportModel({
      generatedAt: now.toISOString(),
      period: request.period,
      window,
      rates: request.rates,
      connectors,
      findings,
      incidents,
      canaryRuns,
      health,
    }),
  );
  const html = await deps.renderHtml(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  let slack = reportSlackMessage(report);
  let stored: StoredReport | null = null;
  if (deps.archive) {
    stored = await deps.archive.store(report, { html, json, slack });
    const link = deps.linkOf?.(stored) ?? null;
    if (link) slack = reportSlackMessage(report, link);
  }
  let posted = false;
  if (deps.sendSlack) {
    try {
      await deps.sendSlack(slack);
    } catch (error) {
      const where = stored ? `stored as s3://${stored.bucket}/${stored.htmlKey}` : 'built (not stored)';
      const reason = error instanceof Error ? error.message : String(error);
      logger.error('report summary not posted', { period: report.period, stored: stored?.htmlKey ?? null, reason });
      throw new DependencyError(
        `the ${report.period} report was ${where}, but its Slack summary was not posted: ${reason}`,
        {
          cause: error,
        },
      );
    }
    posted = true;
  }
  logger.info('report built', {
    period: report.period,
    window,
    connectors: report.connectors.length,
    canaryRuns: report.totals.canaryRuns,
    incidents: report.incidents.length,
    stored: stored?.htmlKey ?? null,
    posted,
  });
  return { report, html, json, slack, stored, posted };
}
