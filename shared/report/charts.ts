/**
 * The report's charts: Vega-Lite specifications compiled to Vega and rendered server-side to SVG strings
 * with `vega.View#toSVG` (renderer 'none': no DOM, no canvas, no network). The SVG is inlined in the HTML
 * page, so the page needs nothing else to be read. Charts with no data are not drawn (the page says why).
 */

import { type LoggerInterface, parse, Error as VegaLogError, View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { availabilityBucketMs } from '../domain/report.js';
import type { Report } from '../domain/report-schema.js';

/** One rendered chart: a stable id, a title, and the SVG markup (or null with the reason it has no data). */
export interface RenderedChart {
  id: string;
  title: string;
  /** Spans the page's width (long labels or a time axis). */
  wide: boolean;
  description: string;
  svg: string | null;
  emptyReason: string | null;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Plot widths in px: two narrow charts sit side by side, a wide one spans the page (see ./html.ts). */
const NARROW = 360;
const WIDE = 960;
const SEVERITY_COLORS = {
  domain: ['critical', 'high', 'warning', 'info'],
  range: ['#b42318', '#dc6803', '#eaaa08', '#667085'],
};

const CONFIG: TopLevelSpec['config'] = {
  font: FONT,
  background: '#ffffff',
  view: { stroke: null },
  axis: {
    labelColor: '#475467',
    titleColor: '#344054',
    gridColor: '#eaecf0',
    domainColor: '#d0d5dd',
    tickColor: '#d0d5dd',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 600,
  },
  legend: {
    labelColor: '#475467',
    titleColor: '#344054',
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'bottom',
    labelLimit: 320,
  },
  range: { category: ['#2e90fa', '#12b76a', '#9e77ed', '#f79009', '#ee46bc', '#15b79e', '#6172f3', '#f04438'] },
};

/** Vega-Lite's logger interface, dropping warnings and below; errors still throw from compile(). */
const quietLogger: LoggerInterface = {
  level: ((...level: number[]) => (level.length === 0 ? VegaLogError : quietLogger)) as LoggerInterface['level'],
  error: (...messages: readonly unknown[]) => {
    throw new Error(`Vega-Lite: ${messages.map(String).join(' ')}`);
  },
  warn: () => quietLogger,
  info: () => quietLogger,
  debug: () => quietLogger,
};

/** Compiles a Vega-Lite spec and renders it to an SVG string. Throws when the spec does not compile. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Vega-Lite's warnings (e.g. an explicit time domain merged with the data's) would go to the console.
  const { spec: vegaSpec } = compile(
    { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } },
    { logger: quietLogger },
  );
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: VegaLogError });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const label = (c: Report['connectors'][number]) => c.connectorName ?? c.connectorId;

/** Every chart of the report, rendered. */
export async function renderReportCharts(report: Report): Promise<RenderedChart[]> {
  const charts: {
    id: string;
    title: string;
    wide: boolean;
    description: string;
    spec: TopLevelSpec | null;
    empty: string;
  }[] = [
    {
      id: 'availability',
      wide: false,
      title: 'Availability by connector',
      description: 'Share of canary runs in which every probe met its expectation.',
      spec: availabilitySpec(report),
      empty: 'No canary runs in this window.',
    },
    {
      id: 'canary-cost',
      wide: false,
      title: 'Canary MicroVM time and cost',
      description: `MicroVM-seconds per connector at ${report.rates.usdPerMicrovmSecond.toPrecision(3)} USD per MicroVM-second.`,
      spec: costSpec(report),
      empty: 'No canary MicroVM time in this window.',
    },
    {
      id: 'availability-over-time',
      wide: true,
      title: 'Availability over time',
      description: `Per ${bucketName(report)}: runs meeting expectations / runs.`,
      spec: availabilityOverTimeSpec(report),
      empty: 'No canary runs in this window.',
    },
    {
      id: 'latency',
      wide: true,
      title: 'Probe latency per target',
      description: 'p50 and p95 of probes that measured a latency (nearest rank).',
      spec: latencySpec(report),
      empty: 'No probe measured a latency in this window.',
    },
    {
      id: 'incidents',
      wide: true,
      title: 'Incidents',
      description: 'When each incident was open, by severity (open ones run to the end of the window).',
      spec: incidentsSpec(report),
      empty: 'No incident was open in this window.',
    },
  ];
  const rendered: RenderedChart[] = [];
  for (const c of charts) {
    rendered.push({
      id: c.id,
      title: c.title,
      wide: c.wide,
      description: c.description,
      svg: c.spec ? await renderVegaLiteSvg(c.spec) : null,
      emptyReason: c.spec ? null : c.empty,
    });
  }
  return rendered;
}

function bucketName(report: Report): string {
  const seconds = availabilityBucketMs(Date.parse(report.window.until) - Date.parse(report.window.since)) / 1000;
  return seconds === 86_400 ? 'day' : seconds === 3600 ? 'hour' : `${seconds / 60} minutes`;
}

function availabilitySpec(report: Report): TopLevelSpec | null {
  const values = report.connectors
    .filter((c) => c.availability.runs > 0)
    .map((c) => ({ connector: label(c), availability: c.availability.ratio, runs: c.availability.runs }));
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: NARROW,
    height: { step: 28 },
    data: { values },
    encoding: {
      y: { field: 'connector', type: 'nominal', title: null, sort: 'ascending', axis: { labelLimit: 320 } },
      x: {
        field: 'availability',
        type: 'quantitative',
        title: 'availability',
        scale: { domain: [0, 1] },
        axis: { format: '.0%' },
      },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3, height: { band: 0.7 } },
        encoding: {
          color: {
            condition: [
              { test: 'datum.availability >= 0.99', value: '#12b76a' },
              { test: 'datum.availability >= 0.95', value: '#f79009' },
            ],
            value: '#f04438',
          },
        },
      },
      {
        mark: { type: 'text', align: 'right', dx: -6, color: 'white', fontWeight: 600 },
        encoding: { text: { field: 'availability', type: 'quantitative', format: '.1%' } },
      },
    ],
  };
}

function availabilityOverTimeSpec(report: Report): TopLevelSpec | null {
  const values = report.connectors.flatMap((c) =>
    c.availability.buckets
      .filter((b) => b.runs > 0)
      .map((b) => ({ connector: label(c), start: b.start, availability: b.met / b.runs, runs: b.runs })),
  );
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDE,
    height: 200,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 2, interpolate: 'linear' },
    encoding: {
      x: {
        field: 'start',
        type: 'temporal',
        title: null,
        axis:
          bucketName(report) !== 'day'
            ? { format: '%H:%M', labelAngle: 0 }
            : { format: '%b %d', labelAngle: 0, tickCount: { interval: 'day', step: 1 } },
      },
      y: {
        field: 'availability',
        type: 'quantitative',
        title: 'availability',
        scale: { domain: [0, 1] },
        axis: { format: '.0%' },
      },
      color: { field: 'connector', type: 'nominal', title: 'connector' },
    },
  };
}

function latencySpec(report: Report): TopLevelSpec | null {
  const values = report.connectors.flatMap((c) =>
    c.latency.flatMap((t) =>
      (
        [
          ['p50', t.p50Ms],
          ['p95', t.p95Ms],
        ] as const
      )
        .filter(([, v]) => v !== null)
        .map(([percentile, ms]) => ({ target: `${label(c)} → ${t.targetId}`, percentile, ms })),
    ),
  );
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDE,
    height: { step: 14 },
    data: { values },
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      y: { field: 'target', type: 'nominal', title: null, axis: { labelLimit: 420 } },
      yOffset: { field: 'percentile', type: 'nominal' },
      x: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
      color: {
        field: 'percentile',
        type: 'nominal',
        title: null,
        scale: { domain: ['p50', 'p95'], range: ['#84caff', '#1570ef'] },
      },
    },
  };
}

function incidentsSpec(report: Report): TopLevelSpec | null {
  const names = new Map(report.connectors.map((c) => [c.connectorId, label(c)]));
  const until = report.window.until;
  const since = report.window.since;
  const values = report.incidents.map((i) => ({
    incident:
      `${i.rule} · ${i.connectorIds.map((id) => names.get(id) ?? id).join(', ')}${i.silenced ? ' (silenced)' : ''}`.slice(
        0,
        90,
      ),
    start: i.openedAt < since ? since : i.openedAt,
    end: i.resolvedAt ?? until,
    severity: i.severity,
    state: i.resolvedAt ? 'resolved' : 'open',
  }));
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDE,
    height: { step: 24 },
    data: { values },
    mark: { type: 'bar', cornerRadius: 3, height: { band: 0.6 }, minBandSize: 3 } as never,
    encoding: {
      y: { field: 'incident', type: 'nominal', title: null, sort: { field: 'start' }, axis: { labelLimit: 420 } },
      x: {
        field: 'start',
        type: 'temporal',
        title: null,
        scale: { domain: [Date.parse(since), Date.parse(until)] },
        axis: { labelAngle: 0 },
      },
      x2: { field: 'end' },
      color: { field: 'severity', type: 'nominal', title: 'severity', scale: SEVERITY_COLORS },
      opacity: { condition: { test: "datum.state === 'open'", value: 1 }, value: 0.75 },
    },
  };
}

function costSpec(report: Report): TopLevelSpec | null {
  const values = report.connectors
    .filter((c) => c.canary.microvmSeconds > 0)
    .map((c) => ({ connector: label(c), seconds: c.canary.microvmSeconds, cost: c.canary.costUsd }));
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: NARROW,
    height: { step: 28 },
    data: { values },
    encoding: {
      y: { field: 'connector', type: 'nominal', title: null, axis: { labelLimit: 320 } },
      x: { field: 'seconds', type: 'quantitative', title: 'MicroVM-seconds' },
    },
    layer: [
      { mark: { type: 'bar', color: '#9e77ed', cornerRadiusEnd: 3, height: { band: 0.7 } } },
      {
        mark: { type: 'text', align: 'left', dx: 4, color: '#344054' },
        encoding: { text: { field: 'cost', type: 'quantitative', format: '$.4f' } },
      },
    ],
  };
}
