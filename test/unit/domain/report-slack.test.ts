import { describe, expect, it } from 'vitest';
import { buildReportModel, DEFAULT_RATES, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import { reportSlackMessage } from '../../../shared/domain/report-slack.js';
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
