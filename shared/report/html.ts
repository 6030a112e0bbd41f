/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG (./charts.ts), no script,
 * no font, image or stylesheet fetched from anywhere, so it reads the same offline, from S3 or attached to
 * a ticket. Every value that comes from the store is HTML-escaped.
 */

import {
  formatCount,
  formatDuration,
  formatLatency,
  formatRatio,
  formatTime,
  formatUsd,
} from '../domain/report-format.js';
import type { ConnectorReport, HealthCount, IncidentReport, Report } from '../domain/report-schema.js';
import { type RenderedChart, renderReportCharts } from './charts.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

/** Renders the report page (charts included). */
export async function renderReportHtml(report: Report): Promise<string> {
  return reportPage(report, await renderReportCharts(report));
}

/** The page around already rendered charts. */
export function reportPage(report: Report, charts: RenderedChart[]): string {
  const t = report.totals;
  const title = `egress-watch ${report.period === 'custom' ? '' : `${report.period} `}canary report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="egress-watch">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(title)} · ${e(formatTime(report.window.since))} → ${e(formatTime(report.window.until))}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${e(title)}</h1>
  <p class="window">${e(formatTime(report.window.since))} → ${e(formatTime(report.window.until))} · generated ${e(formatTime(report.generatedAt))}</p>
</header>
<main>
<section class="cards" aria-label="totals">
  ${card('Availability', formatRatio(t.availability), `${t.canaryRuns} canary runs`, tone(t.availability))}
  ${card('Incidents', `${t.incidentsOpened} opened`, `${t.incidentsResolved} resolved · ${t.incidentsOpenAtEnd} open at end`, t.incidentsOpenAtEnd > 0 ? 'bad' : 'good')}
  ${card('MTTR', formatDuration(t.mttrSeconds), 'mean time to resolve', '')}
  ${card('Canary cost', formatUsd(t.costUsd), `${Math.round(t.microvmSeconds).toLocaleString('en-US')} MicroVM-seconds`, '')}
  ${card('Connectors', String(t.connectors), 'in this window', '')}
</section>
<section class="charts" aria-label="charts">
${charts.map(chartFigure).join('\n')}
</section>
<section>
  <h2>Connectors</h2>
  ${connectorsTable(report.connectors)}
</section>
<section>
  <h2>Probe latency per target</h2>
  ${latencyTable(report.connectors)}
</section>
<section>
  <h2>Incidents, their causes and who made them</h2>
  ${report.incidents.some((i) => i.origin === 'finding') ? '<p class="muted">No incident records in the store: one incident per finding.</p>' : ''}
  ${incidentsTable(report.incidents, report.connectors)}
</section>
<section>
  <h2>Monitor health</h2>
  ${healthTable(report.health)}
</section>
</main>
<footer>
  <p>Canary cost at ${e(formatUsd(report.rates.usdPerMicrovmSecond))} per MicroVM-second
  (${e(String(report.rates.vcpu))} vCPU × $${e(String(report.rates.usdPerVcpuSecond))}/vCPU-s +
  ${e(String(report.rates.memoryGb))} GB × $${e(String(report.rates.usdPerGbSecond))}/GB-s; ${e(report.rates.source)}).</p>
  <p>Format <code>${e(report.schema)}</code> (docs/schemas/report.v1.json) · metrics defined in docs/report.md.</p>
</footer>
</body>
</html>
`;
}

function tone(ratio: number | null): string {
  if (ratio === null) return '';
  return ratio >= 0.99 ? 'good' : ratio >= 0.95 ? 'warn' : 'bad';
}

function card(label: string, value: string, note: string, toneClass: string): string {
  return `<div class="card ${toneClass}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="note">${e(note)}</div></div>`;
}

function chartFigure(chart: RenderedChart): string {
  const body = chart.svg
    ? `<div class="svg">${chart.svg}</div>`
    : `<p class="empty">${e(chart.emptyReason ?? 'No data.')}</p>`;
  return `<figure class="chart${chart.wide ? ' wide' : ''}${chart.svg ? '' : ' no-data'}" id="chart-${e(chart.id)}" data-chart="${e(chart.id)}">
  <figcaption><strong>${e(chart.title)}</strong><span>${e(chart.description)}</span></figcaption>
  ${body}
</figure>`;
}

function connectorsTable(connectors: ConnectorReport[]): string {
  if (connectors.length === 0) return '<p class="empty">No connector in this window.</p>';
  const rows = connectors.map((c) => {
    const active = c.activation.createdInWindow
      ? formatDuration(c.activation.timeToActiveSeconds)
      : c.activation.activeAt
        ? '<span class="muted">before window</span>'
        : '<span class="muted">n/a</span>';
    return `<tr>
  <td><strong>${e(c.connectorName ?? c.connectorId)}</strong><br><code>${e(c.connectorId)}</code></td>
  <td>${e(c.account ?? '?')}<br><span class="muted">${e(c.region ?? '?')}</span></td>
  <td><span class="state state-${e(c.state.toLowerCase())}">${e(c.state)}</span></td>
  <td class="num ${tone(c.availability.ratio)}">${e(formatRatio(c.availability.ratio))}<br><span class="muted">${c.availability.met}/${c.availability.runs} runs</span></td>
  <td class="num">${active}</td>
  <td class="num">${c.incidents.opened} / ${c.incidents.resolved} / ${c.incidents.openAtEnd}</td>
  <td class="num">${e(formatDuration(c.incidents.mttrSeconds))}</td>
  <td class="num">${Math.round(c.canary.microvmSeconds).toLocaleString('en-US')}<br><span class="muted">${e(formatUsd(c.canary.costUsd))}</span></td>
</tr>`;
  });
  return `<table>
<thead><tr><th>connector</th><th>account / region</th><th>state</th><th class="num">availability</th><th class="num">time to ACTIVE</th><th class="num">incidents opened / resolved / open</th><th class="num">MTTR</th><th class="num">MicroVM-s / cost</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function latencyTable(connectors: ConnectorReport[]): string {
  const rows = connectors.flatMap((c) =>
    c.latency.map(
      (t) => `<tr>
  <td>${e(c.connectorName ?? c.connectorId)}</td>
  <td><code>${e(t.targetId)}</code> <span class="muted">${e(t.kind)} ${e(t.target)}</span></td>
  <td>${e(t.expect)}</td>
  <td class="num ${t.met === t.probes ? 'good' : 'bad'}">${t.met}/${t.probes}</td>
  <td class="num">${e(formatLatency(t.p50Ms))}</td>
  <td class="num">${e(formatLatency(t.p95Ms))}</td>
</tr>`,
    ),
  );
  if (rows.length === 0) return '<p class="empty">No canary probe in this window.</p>';
  return `<table>
<thead><tr><th>connector</th><th>target</th><th>expect</th><th class="num">met</th><th class="num">p50</th><th class="num">p95</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function incidentsTable(incidents: IncidentReport[], connectors: ConnectorReport[]): string {
  if (incidents.length === 0) return '<p class="empty">No incident was open in this window.</p>';
  const names = new Map(connectors.map((c) => [c.connectorId, c.connectorName ?? c.connectorId]));
  const rows = incidents.map((i) => {
    const causes = i.causes.length
      ? `<ul class="causes">${i.causes
          .map(
            (c) =>
              `<li><code>${e(c.eventName)}</code> ${e(formatTime(c.at))} by <strong>${e(c.actor)}</strong><br><span class="muted">${e(c.detail)}</span></li>`,
          )
          .join('')}</ul>`
      : '<span class="muted">no recorded change</span>';
    return `<tr>
  <td><span class="sev sev-${e(i.severity)}">${e(i.severity)}</span></td>
  <td><strong>${e(i.rule)}</strong>${i.silenced ? ' <span class="silenced">silenced</span>' : ''}<br>${e(i.summary)}<br><span class="muted">${e(i.connectorIds.map((id) => names.get(id) ?? id).join(', '))}</span></td>
  <td class="time">${e(formatTime(i.openedAt))}</td>
  <td class="time">${i.resolvedAt ? `${e(formatTime(i.resolvedAt))}<br><span class="muted">after ${e(formatDuration(i.durationSeconds))}</span>` : '<span class="open">open</span>'}</td>
  <td>${causes}</td>
</tr>`;
  });
  return `<table>
<thead><tr><th>severity</th><th>incident</th><th>opened</th><th>resolved</th><th>caused by</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function healthTable(health: Report['health']): string {
  const row = (name: string, h: HealthCount) =>
    `<tr><td>${e(name)}</td><td class="num">${e(formatCount(h.count))}</td><td class="muted">${e(h.source)}</td></tr>`;
  return `<table class="health">
<thead><tr><th>count</th><th class="num">value</th><th>source</th></tr></thead>
<tbody>
${row('events received', health.eventsReceived)}
${row('repaired by reconcile', health.repaired)}
${row('quarantined', health.quarantined)}
${row('dead-lettered', health.deadLettered)}
${(health.deadLetterQueues ?? []).map((q) => row(`dead-letter queue ${q.name}`, q)).join('\n')}
</tbody>
</table>`;
}

const STYLE = `
:root { color-scheme: light; --ink: #101828; --muted: #667085; --line: #eaecf0; --bg: #f7f8fa; --good: #067647; --warn: #b54708; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #101828; color: #fff; padding: 24px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
header .window { margin: 4px 0 0; color: #d0d5dd; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 8px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; border-top: 4px solid #d0d5dd; }
.card.good { border-top-color: #12b76a; } .card.warn { border-top-color: #f79009; } .card.bad { border-top-color: #f04438; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 26px; font-weight: 650; margin: 2px 0; }
.card .note { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-top: 20px; }
figure.chart.wide { grid-column: 1 / -1; }
@media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; overflow: hidden; }
figure.chart figcaption { display: flex; flex-direction: column; margin-bottom: 8px; }
figure.chart figcaption span { color: var(--muted); font-size: 12px; }
figure.chart .svg svg { max-width: 100%; height: auto; display: block; }
.empty { color: var(--muted); font-style: italic; margin: 8px 0; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
th, td { text-align: left; vertical-align: top; padding: 8px 12px; border-bottom: 1px solid var(--line); }
th { background: #f9fafb; color: #475467; font-size: 12px; font-weight: 600; }
tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; }
td.good { color: var(--good); } td.warn { color: var(--warn); } td.bad { color: var(--bad); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f4f7; padding: 1px 4px; border-radius: 4px; }
.muted { color: var(--muted); font-size: 12px; }
.state { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; background: #f2f4f7; color: #344054; }
.state-active { background: #ecfdf3; color: var(--good); } .state-failed, .state-delete_failed { background: #fef3f2; color: var(--bad); }
.state-pending, .state-deleting { background: #fffaeb; color: var(--warn); }
.sev { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; color: #fff; background: #667085; }
.sev-critical { background: #b42318; } .sev-high { background: #dc6803; } .sev-warning { background: #eaaa08; color: #101828; }
.silenced { font-size: 11px; padding: 1px 6px; border-radius: 4px; background: #f2f4f7; color: #475467; }
.open { color: var(--bad); font-weight: 600; }
ul.causes { margin: 0; padding-left: 16px; }
footer { max-width: 1240px; margin: 0 auto; padding: 8px 32px 32px; color: var(--muted); font-size: 12px; }
`;
