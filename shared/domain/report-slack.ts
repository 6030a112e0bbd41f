/**
 * The report's Slack summary as Block Kit (https://api.slack.com/block-kit): a header with the period, the
 * totals as fields (connectors, open drift, availability = canary pass rate, incidents, MTTR, cost), one line
 * per connector, the top failing probe targets, the incidents with who caused them, the monitor's health
 * (dead-letter queues included) and a link to the full report. Within Slack's limits (50 blocks, 10 fields per section, 3000 characters per text).
 * Pure: delivery is the Slack adapter's job.
 */

import { formatCount, formatDuration, formatLatency, formatRatio, formatTime, formatUsd } from './report-format.js';
import type { Report } from './report-schema.js';
import { ruleById } from './rules.js';

/** A Block Kit block (the subset the summary uses). */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' };

/** A `chat.postMessage` / incoming-webhook body: `text` is the notification fallback. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const MAX_TEXT = 2900;
const MAX_CONNECTORS = 15;
const MAX_INCIDENTS = 10;
const MAX_FAILING_TARGETS = 5;

/** One probe target that missed its expectation in the window (the summary's "top failing targets"). */
export interface FailingTarget {
  connectorId: string;
  connectorName: string | null;
  targetId: string;
  target: string;
  /** Probes of the target in the window, and those whose verdict did not meet the expectation. */
  probes: number;
  failed: number;
}

/**
 * Targets with at least one probe that missed its expectation, most failures first (then lowest share met,
 * then connector and target id, so the order is stable). Computed from `connectors[].latency` (probes, met).
 */
export function failingTargets(report: Report): FailingTarget[] {
  return report.connectors
    .flatMap((c) =>
      c.latency
        .filter((t) => t.probes > t.met)
        .map((t) => ({
          connectorId: c.connectorId,
          connectorName: c.connectorName,
          targetId: t.targetId,
          target: t.target,
          probes: t.probes,
          failed: t.probes - t.met,
        })),
    )
    .sort(
      (a, b) =>
        b.failed - a.failed ||
        b.failed / b.probes - a.failed / a.probes ||
        a.connectorId.localeCompare(b.connectorId) ||
        a.targetId.localeCompare(b.targetId),
    );
}

/** Incidents still open at the end of the window whose rule is a canary drift rule (catalog source `canary`). */
export function openDriftIncidents(report: Report): Report['incidents'] {
  return report.incidents.filter((i) => isOpenAtEnd(i, report.window.until) && ruleById(i.rule)?.source === 'canary');
}

/** " (notifications 2, ingest 0)" for the queues the report read; "" when it read none. */
export function deadLetterDetail(queues: Report['health']['deadLetterQueues']): string {
  return queues?.length ? ` (${queues.map((q) => `${q.name} ${formatCount(q.count)}`).join(', ')})` : '';
}

function isOpenAtEnd(i: Report['incidents'][number], until: string): boolean {
  return i.resolvedAt === null || Date.parse(i.resolvedAt) >= Date.parse(until);
}

/** Escapes Slack mrkdwn control characters (&, <, >) in user-provided text. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** Builds the Slack summary; `reportUrl` (the full HTML report) is linked when given. */
export function reportSlackMessage(report: Report, reportUrl: string | null = null): SlackMessage {
  const t = report.totals;
  const title = `egress-watch ${report.period === 'custom' ? '' : `${report.period} `}canary report`;
  const window = `${formatTime(report.window.since)} → ${formatTime(report.window.until)}`;
  const drift = openDriftIncidents(report);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: window }] },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Connectors*\n${t.connectors}` },
        { type: 'mrkdwn', text: `*Open drift*\n${drift.length} canary incident(s) open` },
        { type: 'mrkdwn', text: `*Availability*\n${formatRatio(t.availability)} of ${t.canaryRuns} canary runs` },
        {
          type: 'mrkdwn',
          text: `*Incidents*\n${t.incidentsOpened} opened · ${t.incidentsResolved} resolved · ${t.incidentsOpenAtEnd} open`,
        },
        { type: 'mrkdwn', text: `*MTTR*\n${formatDuration(t.mttrSeconds)}` },
        {
          type: 'mrkdwn',
          text: `*Canary cost*\n${formatUsd(t.costUsd)} (${Math.round(t.microvmSeconds)} MicroVM-s)`,
        },
      ],
    },
    { type: 'divider' },
  ];

  const lines = report.connectors.slice(0, MAX_CONNECTORS).map((c) => {
    const worst = [...c.latency].sort((a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1))[0];
    const parts = [
      `*${esc(c.connectorName ?? c.connectorId)}* \`${c.state}\``,
      `availability ${formatRatio(c.availability.ratio)} (${c.availability.met}/${c.availability.runs})`,
    ];
    if (worst?.p95Ms != null) parts.push(`slowest p95 ${formatLatency(worst.p95Ms)} (${esc(worst.targetId)})`);
    if (c.activation.createdInWindow) parts.push(`ACTIVE in ${formatDuration(c.activation.timeToActiveSeconds)}`);
    if (c.incidents.opened + c.incidents.openAtEnd > 0)
      parts.push(`${c.incidents.opened} incident(s), ${c.incidents.openAtEnd} open`);
    return `• ${parts.join(' · ')}`;
  });
  if (report.connectors.length > MAX_CONNECTORS)
    lines.push(`…and ${report.connectors.length - MAX_CONNECTORS} more in the full report`);
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: clip(lines.length ? lines.join('\n') : '_No connector in this window._') },
  });

  const failing = failingTargets(report);
  if (failing.length > 0) {
    const targetLines = failing
      .slice(0, MAX_FAILING_TARGETS)
      .map(
        (f) =>
          `• \`${esc(f.targetId)}\` (${esc(f.target)}) on *${esc(f.connectorName ?? f.connectorId)}*: ${f.failed} of ${f.probes} probes missed`,
      );
    if (failing.length > MAX_FAILING_TARGETS)
      targetLines.push(`…and ${failing.length - MAX_FAILING_TARGETS} more in the full report`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Top failing targets*\n${targetLines.join('\n')}`) },
    });
  }

  if (report.incidents.length > 0) {
    const incidentLines = report.incidents.slice(0, MAX_INCIDENTS).map((i) => {
      const state = i.resolvedAt ? `resolved after ${formatDuration(i.durationSeconds)}` : 'still open';
      const who = i.actors.length ? ` — by ${i.actors.map(esc).join(', ')}` : '';
      const silenced = i.silenced ? ' _(silenced)_' : '';
      return `• \`${i.severity}\` *${esc(i.rule)}* ${state}${silenced}: ${esc(i.summary)}${who}`;
    });
    if (report.incidents.length > MAX_INCIDENTS)
      incidentLines.push(`…and ${report.incidents.length - MAX_INCIDENTS} more in the full report`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Incidents*\n${incidentLines.join('\n')}`) } });
  }

  const h = report.health;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          `Monitor health: ${formatCount(h.eventsReceived.count)} events received · ${formatCount(h.repaired.count)} repaired · ` +
          `${formatCount(h.quarantined.count)} quarantined · ${formatCount(h.deadLettered.count)} dead-lettered${deadLetterDetail(h.deadLetterQueues)}`,
      },
    ],
  });
  if (reportUrl) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${reportUrl}|Full report with charts>` } });
  }
  return {
    text: `${title}: ${t.connectors} connector(s), availability ${formatRatio(t.availability)}, ${t.incidentsOpened} incident(s) opened, ${t.incidentsOpenAtEnd} open, ${drift.length} drift open`,
    blocks,
  };
}
