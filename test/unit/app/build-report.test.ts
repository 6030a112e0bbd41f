import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/app/build-report.js';
import { DependencyError } from '../../../shared/domain/errors.js';
import { DEFAULT_RATES, deadLetterHealth, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import type { Report } from '../../../shared/domain/report-schema.js';
import type { SlackMessage } from '../../../shared/domain/report-slack.js';
import type { DeadLetterCounter, ReportArchive, ReportSource, StoredReport } from '../../../shared/report-ports.js';
import * as f from '../../support/report-fixtures.js';

/** The report's inputs in memory: the week of report-fixtures.ts. */
const source: ReportSource = {
  listConnectors: async () => f.connectors(),
  listFindings: async () => f.findings(),
  listIncidents: async () => [],
  listCanaryRuns: async () => f.canaryRuns(),
  monitorHealth: async () => f.health(),
};

class MemoryArchive implements ReportArchive {
  readonly events: string[];
  readonly stored: Report[] = [];
  constructor(events: string[]) {
    this.events = events;
  }
  async store(report: Report): Promise<StoredReport> {
    this.events.push('stored');
    this.stored.push(report);
    return { bucket: 'reports', htmlKey: 'reports/weekly/t/report.html', jsonKey: 'j', slackKey: 's' };
  }
}

const counter = (counts: [string, number | null][]): DeadLetterCounter => ({
  count: async () =>
    counts.map(([name, count]) => ({ name, count, source: count === null ? 'not available: AccessDenied' : 'SQS' })),
});

const request = { period: 'weekly' as const, sinceMs: 7 * 86_400_000, rates: withMicrovmSecondPrice(DEFAULT_RATES) };
const clock = { now: () => new Date(f.UNTIL) };
const renderHtml = async () => '<!doctype html>';

describe('buildReport', () => {
  it('stores the report first, then posts the summary with the link to the stored page', async () => {
    const events: string[] = [];
    const posted: SlackMessage[] = [];
    const built = await buildReport(
      {
        source,
        clock,
        renderHtml,
        archive: new MemoryArchive(events),
        linkOf: (s) => `https://console.example/${s.htmlKey}`,
        sendSlack: async (m) => {
          events.push('posted');
          posted.push(m);
        },
      },
      request,
    );
    expect(events).toEqual(['stored', 'posted']);
    expect(built.posted).toBe(true);
    expect(JSON.stringify(posted[0]?.blocks)).toContain('<https://console.example/reports/weekly/t/report.html|');
  });

  it('keeps the stored report and fails loudly, naming where it is, when Slack refuses the summary', async () => {
    const events: string[] = [];
    const archive = new MemoryArchive(events);
    const run = buildReport(
      {
        source,
        clock,
        renderHtml,
        archive,
        sendSlack: async () => {
          throw new Error('chat.postMessage failed: HTTP 503');
        },
      },
      request,
    );
    await expect(run).rejects.toThrow(DependencyError);
    await expect(run).rejects.toThrow(
      'the weekly report was stored as s3://reports/reports/weekly/t/report.html, but its Slack summary was not posted: chat.postMessage failed: HTTP 503',
    );
    expect(archive.stored).toHaveLength(1);
  });

  it('shows the dead-letter queues it read instead of "not available"', async () => {
    const built = await buildReport(
      {
        source,
        clock,
        renderHtml,
        deadLetters: counter([
          ['notifications', 2],
          ['ingest', 1],
        ]),
      },
      request,
    );
    expect(built.report.health.deadLettered.count).toBe(3);
    expect(built.report.health.deadLetterQueues?.map((q) => [q.name, q.count])).toEqual([
      ['notifications', 2],
      ['ingest', 1],
    ]);
    expect(JSON.parse(built.json).health.deadLettered.count).toBe(3);
    expect(JSON.stringify(built.slack.blocks)).toContain('3 dead-lettered (notifications 2, ingest 1)');
  });

  it('leaves the store health alone without a counter', async () => {
    const built = await buildReport({ source, clock, renderHtml }, request);
    expect(built.report.health.deadLettered).toEqual({ count: null, source: 'not available: test' });
    expect(built.report.health.deadLetterQueues).toBeUndefined();
  });
});

describe('deadLetterHealth', () => {
  it('sums the queues and names each', () => {
    const h = deadLetterHealth([
      { name: 'notifications', count: 4, source: 'SQS' },
      { name: 'report', count: 0, source: 'SQS' },
    ]);
    expect(h.deadLettered).toEqual({
      count: 4,
      source:
        'messages waiting in 2 dead-letter queue(s) when the report ran, SQS ApproximateNumberOfMessages (notifications 4, report 0)',
    });
  });

  it('is null, never a made-up total, when a queue could not be read or none is configured', () => {
    const h = deadLetterHealth([
      { name: 'notifications', count: 4, source: 'SQS' },
      { name: 'ingest', count: null, source: 'not available: AccessDenied' },
    ]);
    expect(h.deadLettered).toEqual({
      count: null,
      source: 'not available: could not read ingest (notifications 4, ingest n/a)',
    });
    expect(deadLetterHealth([]).deadLettered.count).toBeNull();
  });
});
