/**
 * `egress-watch report --since 7d [--until <ISO-8601>] [--out report.html] [--json] [--table <name>]`:
 * the canary report (docs/report.md) of a local store — DynamoDB Local or the lab's edge, named by
 * EGRESS_WATCH_DYNAMODB_ENDPOINT (and the table by --table or EGRESS_WATCH_TABLE). Writes the HTML page
 * (and report.json beside it) and prints a summary, or with --json prints exactly the report JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BuiltReport, buildReport } from '../shared/app/build-report.js';
import { DynamoDbReportSource } from '../shared/aws/dynamodb-report-source.js';
import { loadCliConfig } from '../shared/config.js';
import { UsageError } from '../shared/domain/errors.js';
import {
  formatCount,
  formatDuration,
  formatLatency,
  formatRatio,
  formatTime,
  formatUsd,
} from '../shared/domain/report-format.js';
import type { Report } from '../shared/domain/report-schema.js';
import { deadLetterDetail } from '../shared/domain/report-slack.js';
import { renderReportHtml } from '../shared/report/html.js';
import { loadReportConfig } from '../shared/report-config.js';
import type { DeadLetterCounter } from '../shared/report-ports.js';
import { parseCommandArgs } from './args.js';
import { style } from './terminal-style.js';

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** "7d", "24h", "1d12h", "90m" → milliseconds. @throws UsageError on anything else. */
export function parseWindowLength(text: string): number {
  const parts = [...text.matchAll(/(\d+)([dhms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`--since takes a length like 7d, 24h or 1d12h, got "${text}"`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] as string] ?? 0), 0);
  if (ms <= 0) throw new UsageError(`--since must be longer than 0, got "${text}"`);
  return ms;
}

/** Options of one report run from a local store. */
export interface LocalReportOptions {
  client: DynamoDBClient;
  tableName: string;
  sinceMs: number;
  until?: Date;
  period?: Report['period'];
  /** Where the HTML goes; report.json is written beside it. */
  htmlPath: string;
  /** Counts dead-letter queues (the lab's SQS for `npm start`); without it the count is "n/a". */
  deadLetters?: DeadLetterCounter;
}

/** Builds a report from a local table and writes report.html + report.json. Used by `report` and `start`. */
export async function writeLocalReport(options: LocalReportOptions): Promise<BuiltReport & { jsonPath: string }> {
  const built = await buildReport(
    {
      source: new DynamoDbReportSource({ client: options.client, tableName: options.tableName }),
      clock: { now: () => new Date() },
      renderHtml: renderReportHtml,
      ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    },
    {
      period: options.period ?? 'custom',
      sinceMs: options.sinceMs,
      ...(options.until ? { until: options.until } : {}),
      rates: loadReportConfig().rates,
    },
  );
  mkdirSync(dirname(options.htmlPath), { recursive: true });
  writeFileSync(options.htmlPath, built.html);
  const jsonPath = join(dirname(options.htmlPath), 'report.json');
  writeFileSync(jsonPath, built.json);
  return { ...built, jsonPath };
}

/** The `report` command. Returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      since: { type: 'string', default: '7d' },
      until: { type: 'string' },
      out: { type: 'string', default: 'report.html' },
      json: { type: 'boolean', default: false },
      table: { type: 'string' },
    },
  });
  const config = loadCliConfig();
  const endpoint = config.dynamodbEndpoint;
  const tableName = values.table ?? config.tableName;
  if (!endpoint || !tableName)
    throw new UsageError(
      'report reads a local store: set EGRESS_WATCH_DYNAMODB_ENDPOINT (DynamoDB Local, or the edge of `egress-watch lab serve`) and name the table with --table or EGRESS_WATCH_TABLE (the lab uses lab-<scenario>)',
    );
  const until = values.until ? new Date(values.until) : undefined;
  if (until && Number.isNaN(until.getTime()))
    throw new UsageError(`--until takes an ISO-8601 time, got "${values.until}"`);
  const client = new DynamoDBClient({
    endpoint,
    region: config.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const htmlPath = resolve(values.out ?? 'report.html');
    const built = await writeLocalReport({
      client,
      tableName,
      sinceMs: parseWindowLength(values.since ?? '7d'),
      ...(until ? { until } : {}),
      htmlPath,
    });
    if (values.json) process.stdout.write(built.json);
    else {
      for (const line of reportSummaryLines(built.report)) process.stdout.write(`${line}\n`);
      process.stdout.write(style.dim(`\nreport: ${htmlPath}\n        ${built.jsonPath}\n`));
    }
    return 0;
  } finally {
    client.destroy();
  }
}

/** A terminal summary of a report (a few lines per connector). */
export function reportSummaryLines(report: Report): string[] {
  const t = report.totals;
  const h = report.health;
  const lines = [
    style.bold(`Canary report ${formatTime(report.window.since)} → ${formatTime(report.window.until)}`),
    `  availability ${formatRatio(t.availability)} of ${t.canaryRuns} runs · incidents ${t.incidentsOpened} opened, ${t.incidentsResolved} resolved, ${t.incidentsOpenAtEnd} open · MTTR ${formatDuration(t.mttrSeconds)} · canary ${formatUsd(t.costUsd)} (${Math.round(t.microvmSeconds)} MicroVM-s)`,
  ];
  for (const c of report.connectors) {
    const slowest = [...c.latency].sort((a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1))[0];
    const active = c.activation.createdInWindow
      ? ` · ACTIVE after ${formatDuration(c.activation.timeToActiveSeconds)}`
      : '';
    const latency = slowest?.p95Ms != null ? ` · p95 ${formatLatency(slowest.p95Ms)} (${slowest.targetId})` : '';
    lines.push(
      `  ${style.bold(c.connectorName ?? c.connectorId)} ${style.dim(c.state)} availability ${formatRatio(c.availability.ratio)}${latency}${active} · ${c.incidents.opened} incident(s)`,
    );
  }
  lines.push(
    style.dim(
      `  monitor: ${formatCount(h.eventsReceived.count)} events received, ${formatCount(h.repaired.count)} repaired, ${formatCount(h.quarantined.count)} quarantined, ${formatCount(h.deadLettered.count)} dead-lettered${deadLetterDetail(h.deadLetterQueues)}`,
    ),
  );
  return lines;
}
