import { describe, expect, it } from 'vitest';
import { buildReportModel, DEFAULT_RATES, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import { failingTargets, openDriftIncidents, reportSlackMessage } from '../../../shared/domain/report-slack.js';
import * as f from '../../support/report-fixtures.js';

const report = buildReportModel({
  generatedAt: f.UNTIL,
  period: 'weekly',
  window: { since: f.SINCE, until: f.UNTIL },
  rates: withMicrovmSecondPrice(DEFAULT_RATES),
  connectors: f.connectors(),
  findings: f.findings(),
  incidents: [],
  canaryRuns: f.canaryRuns(),
  health: f.health(),
});

describe('reportSlackMessage (Block Kit)', () => {
  const message = reportSlackMessage(report, 'https://reports.example/weekly/latest.html');
  const text = JSON.stringify(message.blocks);

  it('starts with a header naming the period, and has a notification fallback text', () => {
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'egress-watch weekly canary report', emoji: true },
    });
    expect(message.text).toContain('availability 92.9 %');
  });

  it('summarizes totals, each connector, the incidents with who caused them, and the monitor health', () => {
    expect(text).toContain('92.9 % of 56 canary runs');
    expect(text).toContain('*nat-egress-connector* `ACTIVE` · availability 85.7 % (24/28)');
    expect(text).toContain('ACTIVE in 4 min 30 s');
    expect(text).toContain('by role/NetworkTeam/bob');
    expect(text).toContain('n/a dead-lettered');
    expect(text).toContain('<https://reports.example/weekly/latest.html|Full report with charts>');
  });

  it('names the connectors, the open drift and the top failing targets', () => {
    expect(text).toContain('*Connectors*\\n2');
    expect(text).toContain('*Open drift*\\n0 canary incident(s) open');
    // NAT's database target timed out in runs 8–11: 4 of 28 probes missed; nothing else missed.
    expect(failingTargets(report)).toEqual([
      {
        connectorId: f.NAT,
        connectorName: 'nat-egress-connector',
        targetId: 'database',
        target: '10.0.2.15:5432',
        probes: 28,
        failed: 4,
      },
    ]);
    expect(text).toContain(
      '*Top failing targets*\\n• `database` (10.0.2.15:5432) on *nat-egress-connector*: 4 of 28 probes missed',
    );
    expect(message.text).toBe(
      'egress-watch weekly canary report: 2 connector(s), availability 92.9 %, 2 incident(s) opened, 1 open, 0 drift open',
    );
  });

  it('counts a canary incident open at the end as drift, and a resolved one or an event rule not', () => {
    const base = report.incidents[0]!;
    const withDrift = {
      ...report,
      incidents: [
        { ...base, incidentId: 'i-drift-open', rule: 'reachability-drift', resolvedAt: null },
        { ...base, incidentId: 'i-drift-closed', rule: 'egress-ip-drift', resolvedAt: '2026-06-26T00:00:00.000Z' },
        { ...base, incidentId: 'i-breach', rule: 'isolation-breach', resolvedAt: f.UNTIL },
        { ...base, incidentId: 'i-event', rule: 'network-path-changed', resolvedAt: null },
      ],
    };
    expect(openDriftIncidents(withDrift).map((i) => i.incidentId)).toEqual(['i-drift-open', 'i-breach']);
    expect(JSON.stringify(reportSlackMessage(withDrift).blocks)).toContain('*Open drift*\\n2 canary incident(s) open');
  });

  it('has no failing-targets section when every probe met its expectation', () => {
    const clean = {
      ...report,
      connectors: report.connectors.map((c) => ({ ...c, latency: c.latency.map((t) => ({ ...t, met: t.probes })) })),
    };
    expect(failingTargets(clean)).toEqual([]);
    expect(JSON.stringify(reportSlackMessage(clean).blocks)).not.toContain('Top failing targets');
  });

  it('escapes Slack control characters in text from the store', () => {
    expect(text).toContain('RunMicrovm named two egress connectors &lt;and failed&gt;');
    expect(text).not.toContain('<and failed>');
  });

  it('stays within Block Kit limits with a large fleet', () => {
    const many = {
      ...report,
      connectors: Array.from({ length: 200 }, (_, i) => ({ ...report.connectors[0]!, connectorId: `nc-${i}` })),
      incidents: Array.from({ length: 200 }, () => report.incidents[0]!),
    };
    const big = reportSlackMessage(many);
    expect(big.blocks.length).toBeLessThanOrEqual(50);
    for (const block of big.blocks) {
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      }
    }
    expect(JSON.stringify(big.blocks)).toContain('…and 185 more in the full report');
  });
});
