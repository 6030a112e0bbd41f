/**
 * Block Kit layout of an incident transition (Slack "Block Kit" reference: header, section with fields,
 * context). One layout for the Web API and the incoming webhook; the words come from
 * shared/domain/notification-message.ts so Slack and SNS say the same thing.
 */
import type { KnownBlock } from '@slack/web-api';
import type { IncidentTransition } from '../domain/incidents.js';
import {
  connectorLabel,
  formatDuration,
  headline,
  incidentConnectors,
  leadMember,
  ruleTitle,
  runbookUrl,
  transitionVerb,
} from '../domain/notification-message.js';

/** Slack limits: header text 150 characters, section text 3000, a field 2000, at most 10 fields. */
const MAX_HEADER = 150;
const MAX_TEXT = 3000;
const MAX_FIELD = 2000;

const EMOJI: Record<string, string> = {
  opened: ':rotating_light:',
  reopened: ':rotating_light:',
  flapping: ':warning:',
  reminder: ':hourglass_flowing_sand:',
  resolved: ':white_check_mark:',
};

export interface SlackMessage {
  /** Notification and accessibility fallback text. */
  text: string;
  blocks: KnownBlock[];
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Slack date formatting with the ISO time as fallback: `<!date^1719190800^{date_short_pretty} {time}|…>`. */
function slackDate(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

/** The message for a transition: a header, the summary, the facts as fields, members, path, runbook. */
export function incidentMessage(t: IncidentTransition, runbookBase: string): SlackMessage {
  const i = t.incident;
  const lead = leadMember(i);
  const connectors = incidentConnectors(i);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${transitionVerb(t.kind)} · ${i.severity.toUpperCase()} · ${ruleTitle(i.rule)}`, MAX_HEADER),
        emoji: true,
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${EMOJI[t.kind] ?? ''} ${lead.summary}`, MAX_TEXT) } },
  ];
  const fields = [
    `*Severity*\n${i.severity}`,
    `*Rule*\n\`${i.rule}\``,
    `*Connector${connectors.length > 1 ? `s (${connectors.length})` : ''}*\n${connectors
      .map((c) => `${c.name ?? '(unnamed)'} \`${c.id}\``)
      .join('\n')}`,
    `*Account / region*\n${i.account} / ${i.region}`,
    `*Changed by*\n${i.actors.length > 0 ? i.actors.join('\n') : 'unknown'}`,
    `*First seen*\n${slackDate(i.members.map((m) => m.firstSeen).sort()[0] ?? i.openedAt)}`,
    `*Last seen*\n${slackDate(
      i.members
        .map((m) => m.lastSeen)
        .sort()
        .at(-1) ?? i.openedAt,
    )}`,
  ];
  if (t.kind === 'resolved') fields.push(`*Resolved after*\n${formatDuration(t.openForMs)}`);
  else if (t.kind === 'reminder') fields.push(`*Open for*\n${formatDuration(t.openForMs)}`);
  blocks.push({
    type: 'section',
    fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn' as const, text: clip(text, MAX_FIELD) })),
  });
  if (i.members.length > 1) {
    const lines = i.members.map(
      (m) =>
        `• ${m.status === 'resolved' ? '~' : ''}\`${m.rule}\` on ${connectorLabel(m)}${m.status === 'resolved' ? '~ (resolved)' : ''}: ${m.summary}`,
    );
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Findings in this incident*\n${lines.join('\n')}`, MAX_TEXT) },
    });
  }
  const explanations = [...new Set(i.members.map((m) => m.explanation).filter((e): e is string => Boolean(e)))];
  if (explanations.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Why the path is blocked*\n${explanations.join('\n')}`, MAX_TEXT) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `<${runbookUrl(runbookBase, i.rule)}|Runbook: ${i.rule}>` },
      {
        type: 'mrkdwn',
        text: `incident \`${i.incidentId}\` · ${t.transitionId}${i.kind === 'flapping' ? ' · flapping' : ''}`,
      },
    ],
  });
  return { text: headline(t), blocks };
}

/** How a person reads the message in a terminal (npm start): the header, the summary, the fields. */
export function renderForTerminal(message: { text?: string; blocks?: unknown[] }): string[] {
  const lines: string[] = [];
  for (const block of (message.blocks ?? []) as Record<string, unknown>[]) {
    const text = (block.text as { text?: string } | undefined)?.text;
    if (block.type === 'header' && text) lines.push(text);
    else if (block.type === 'section') {
      if (text) lines.push(...text.split('\n'));
      const fields = (block.fields as { text: string }[] | undefined) ?? [];
      for (const f of fields) lines.push(f.text.replace('\n', ': ').replace(/\n/g, ', '));
    } else if (block.type === 'context') {
      for (const e of (block.elements as { text?: string }[]) ?? []) if (e.text) lines.push(e.text);
    }
  }
  if (lines.length === 0 && message.text) lines.push(message.text);
  return lines.map((l) =>
    l
      .replace(/<!date\^\d+\^[^|]*\|([^>]+)>/g, '$1')
      .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
      // Emoji shortcodes stand alone (`:rotating_light: text`); `arn:aws:iam::…` is not one.
      .replace(/(^|\s):[a-z0-9_+-]+:(?=\s|$)\s?/g, '$1')
      .replace(/[*`~]/g, ''),
  );
}
