import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { depsFor, makeHandler } from '../../../functions/report.js';
import { DynamoDbReportSource } from '../../../shared/aws/dynamodb-report-source.js';
import { ConfigError, InputError } from '../../../shared/domain/errors.js';
import { DEFAULT_RATES, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import { type Report, ReportSchema } from '../../../shared/domain/report-schema.js';
import type { SlackMessage } from '../../../shared/domain/report-slack.js';
import { noFunctionMetrics } from '../../../shared/observability.js';
import { silentLogger } from '../../../shared/ports.js';
import { renderReportHtml } from '../../../shared/report/html.js';
import type { ReportArchive, StoredReport } from '../../../shared/report-ports.js';
import { createTestStore, type TestStore } from '../../support/ddb-test-store.js';
import * as f from '../../support/report-fixtures.js';
import { SEEDED, seedReportTable } from '../../support/report-seed.js';

/** Keeps what the function stores, as S3 would (the S3 adapter itself is tested with the SDK mock). */
class RecordingArchive implements ReportArchive {
  stored: { report: Report; html: string; json: string; slack: SlackMessage }[] = [];
  async store(report: Report, outputs: { html: string; json: string; slack: SlackMessage }): Promise<StoredReport> {
    this.stored.push({ report, ...outputs });
    return { bucket: 'reports', htmlKey: `reports/${report.period}/x/report.html`, jsonKey: 'j', slackKey: 's' };
  }
}

const rates = withMicrovmSecondPrice(DEFAULT_RATES);
const atUntil = { now: () => new Date(f.UNTIL) };
const context = { functionName: 'report', awsRequestId: 'test' } as Context;

describe('report function on DynamoDB Local', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore();
    await seedReportTable(t.client, t.tableName, t.store);
  });

  it('reads canary runs in either item form and skips an item that is not a CanaryRun', async () => {
    const source = new DynamoDbReportSource({ client: t.client, tableName: t.tableName });
    const runs = await source.listCanaryRuns([f.NAT, f.ISOLATED], { since: f.SINCE, until: f.UNTIL });
    expect(runs).toHaveLength(SEEDED.canaryRuns);
    expect(runs).toEqual(expect.arrayContaining(f.canaryRuns()));
    const firstDay = await source.listCanaryRuns([f.NAT], { since: f.SINCE, until: '2026-06-21T00:00:00.000Z' });
    expect(firstDay.map((r) => r.startedAt.slice(11, 16))).toEqual(['00:00', '06:00', '12:00', '18:00']);
  });

  it('counts the monitor health from the event log and the quarantine, and says dead letters are not available', async () => {
    const source = new DynamoDbReportSource({ client: t.client, tableName: t.tableName });
    const health = await source.monitorHealth({ since: f.SINCE, until: f.UNTIL });
    expect(health.eventsReceived.count).toBe(SEEDED.eventsInWindow);
    expect(health.repaired.count).toBe(SEEDED.repairedInWindow);
    expect(health.quarantined.count).toBe(SEEDED.quarantinedInWindow);
    expect(health.deadLettered).toMatchObject({ count: null, source: expect.stringMatching(/^not available/) });
  });

  it('builds, checks and stores the weekly report, and posts its Slack summary through the sender', async () => {
    const archive = new RecordingArchive();
    const posted: SlackMessage[] = [];
    const handler = makeHandler({
      source: new DynamoDbReportSource({ client: t.client, tableName: t.tableName }),
      clock: atUntil,
      renderHtml: renderReportHtml,
      archive,
      sendSlack: async (message) => {
        posted.push(message);
      },
      linkOf: (stored) => `https://reports.example/${stored.htmlKey}`,
      rates,
    });
    const result = await handler({ period: 'weekly' }, context);
    expect(result).toMatchObject({
      period: 'weekly',
      window: { since: f.SINCE, until: f.UNTIL },
      htmlKey: 'reports/weekly/x/report.html',
      connectors: 2,
      canaryRuns: 56,
      posted: true,
    });
    const [stored] = archive.stored;
    expect(ReportSchema.parse(JSON.parse(stored?.json ?? '{}'))).toEqual(stored?.report);
    expect(stored?.report.totals).toMatchObject({ availability: 52 / 56, incidentsOpened: 2, mttrSeconds: 18 * 3600 });
    expect(stored?.html).toContain('<svg');
    expect(JSON.stringify(posted[0]?.blocks)).toContain('https://reports.example/reports/weekly/x/report.html');
  });

  it('reports a day with a daily window', async () => {
    const archive = new RecordingArchive();
    const handler = makeHandler({
      source: new DynamoDbReportSource({ client: t.client, tableName: t.tableName }),
      clock: atUntil,
      renderHtml: renderReportHtml,
      archive,
      rates,
    });
    const result = await handler({ period: 'daily' }, context);
    expect(result).toMatchObject({ window: { since: '2026-06-26T00:00:00.000Z' }, canaryRuns: 8, posted: false });
    expect(archive.stored[0]?.report.health.quarantined.count).toBe(1);
  });

  it('rejects an event without a valid period, with the reason', async () => {
    const handler = makeHandler({
      source: new DynamoDbReportSource({ client: t.client, tableName: t.tableName }),
      clock: atUntil,
      renderHtml: renderReportHtml,
      archive: new RecordingArchive(),
      rates,
    });
    await expect(handler({ period: 'hourly' }, context)).rejects.toThrow(
      'report event rejected: period must be "daily" or "weekly"',
    );
    await expect(handler({}, context)).rejects.toThrow(InputError);
  });

  it('fails with a ConfigError, not silently, when no report bucket is configured', async () => {
    const deps = depsFor({
      env: { EGRESS_WATCH_TABLE: t.tableName, EGRESS_WATCH_ALLOWED_ACCOUNTS: f.ACCOUNT, AWS_REGION: 'us-east-1' },
      aws: {},
      clock: atUntil,
      logger: silentLogger,
      metrics: noFunctionMetrics,
    });
    expect(deps.archive).toBeNull();
    await expect(makeHandler(deps)({ period: 'daily' }, context)).rejects.toThrow(ConfigError);
  });

  it('uses incident records when alerts has written them: one grouped, silenced incident', async () => {
    const grouped = await createTestStore();
    await seedReportTable(grouped.client, grouped.tableName, grouped.store, { withIncidents: true });
    const archive = new RecordingArchive();
    await makeHandler({
      source: new DynamoDbReportSource({ client: grouped.client, tableName: grouped.tableName }),
      clock: atUntil,
      renderHtml: renderReportHtml,
      archive,
      rates,
    })({ period: 'weekly' }, context);
    const report = archive.stored[0]?.report;
    expect(report?.incidents).toHaveLength(1);
    expect(report?.incidents[0]).toMatchObject({
      incidentId: 'inc-sg-0db',
      origin: 'incident',
      silenced: true,
      connectorIds: [f.NAT, f.ISOLATED],
      actors: ['role/NetworkTeam/bob'],
    });
    expect(report?.incidents[0]?.causes.map((c) => c.eventName)).toEqual([
      'RevokeSecurityGroupIngress',
      'AuthorizeSecurityGroupIngress',
    ]);
    expect(archive.stored[0]?.html).toContain('silenced');
  });
});
