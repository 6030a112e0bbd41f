/**
 * The report's Slack summary as Block Kit (https://api.slack.com/block-kit): a header, the totals as
 * fields, one line per connector, the incidents with who caused them, the monitor's health and a link to
 * the full report. Within Slack's limits (50 blocks, 10 fields per section, 3000 characters per text).
 * Pure: delivery is the Slack adapter's job.
 */

import { formatCount, formatDuration, formatLatency, formatRatio, formatTime, formatUsd } from './report-format.js';
import type { Report } from './report-schema.js';

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
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: window }] },
    {
      type: 'section',
      fields: [
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
          `${formatCount(h.quarantined.count)} quarantined · ${formatCount(h.deadLettered.count)} dead-lettered`,
      },
    ],
  });
  if (reportUrl) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${reportUrl}|Full report with charts>` } });
  }
  return {
    text: `${title}: availability ${formatRatio(t.availability)}, ${t.incidentsOpened} incident(s) opened, ${t.incidentsOpenAtEnd} open`,
    blocks,
  };
}
