import { describe, expect, it } from 'vitest';
import {
  buildReportModel,
  DEFAULT_RATES,
  type ReportInput,
  withMicrovmSecondPrice,
} from '../../../shared/domain/report.js';
import { renderReportCharts, renderVegaLiteSvg } from '../../../shared/report/charts.js';
import { escapeHtml, renderReportHtml } from '../../../shared/report/html.js';
import * as f from '../../support/report-fixtures.js';

function report(overrides: Partial<ReportInput> = {}) {
  return buildReportModel({
    generatedAt: f.UNTIL,
    period: 'weekly',
    window: { since: f.SINCE, until: f.UNTIL },
    rates: withMicrovmSecondPrice(DEFAULT_RATES),
    connectors: f.connectors(),
    findings: f.findings(),
    incidents: [],
    canaryRuns: f.canaryRuns(),
    health: f.health(),
    ...overrides,
  });
}

describe('report charts (Vega-Lite → Vega → SVG, server-side)', () => {
  it('renders every chart to SVG with marks when there is data', async () => {
    const charts = await renderReportCharts(report());
    expect(charts.map((c) => c.id)).toEqual([
      'availability',
      'canary-cost',
      'availability-over-time',
      'latency',
      'incidents',
    ]);
    for (const chart of charts) {
      expect(chart.svg, chart.id).toMatch(/^<svg[^>]*class="marks"/);
      expect(chart.svg, chart.id).toMatch(/class="mark-(rect|line|symbol|text)[^"]*"[^>]*>\s*<(path|g)/);
    }
  });

  it('draws the data: one availability bar per connector, labelled with its share', async () => {
    const [availability] = await renderReportCharts(report());
    expect(availability?.svg).toContain('nat-egress-connector');
    expect(availability?.svg).toContain('85.7%');
    expect(availability?.svg).toContain('100.0%');
  });

  it('does not draw a chart without data, and says why', async () => {
    const charts = await renderReportCharts(report({ canaryRuns: [], findings: [] }));
    expect(charts.every((c) => c.svg === null && c.emptyReason)).toBe(true);
  });

  it('fails loudly on a spec Vega-Lite cannot compile', async () => {
    await expect(renderVegaLiteSvg({ mark: 'nope', data: { values: [] } } as never)).rejects.toThrow();
  });
});

describe('report HTML page', () => {
  it('is self-contained: no script, no external resource, charts inline', async () => {
    const html = await renderReportHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<figure class="chart/g)).toHaveLength(5);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('shows the tables: connectors, latency per target, incidents with actors, health with n/a', async () => {
    const html = await renderReportHtml(report());
    expect(html).toContain('4 min 30 s');
    expect(html).toContain('<strong>role/NetworkTeam/bob</strong>');
    expect(html).toContain('<td class="num">n/a</td>');
    expect(html).toContain('No incident records in the store: one incident per finding.');
  });

  it('escapes text from the store', async () => {
    const html = await renderReportHtml(report());
    expect(html).toContain('two egress connectors &lt;and failed&gt;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
