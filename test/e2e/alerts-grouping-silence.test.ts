import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import type { Incident } from '../../shared/domain/incidents.js';
import { slackCalls, snsMessages, storedIncidents } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: a NAT gateway deleted under three connectors is ONE incident message naming all three', () => {
  let result: ScenarioResult;
  let incidents: Incident[];
  beforeAll(async () => {
    result = await playScenarioForTest('nat-three-connectors', {
      beforeClose: async (lab) => {
        incidents = await storedIncidents(lab);
      },
    });
  }, 180_000);

  it('opened three findings, one per connector', () => {
    expect(result.findings.filter((f) => f.rule === 'network-path-changed' && f.status === 'open')).toHaveLength(3);
  });

  it('sends one Slack message and one SNS publish, both naming the three connectors', () => {
    const calls = slackCalls(result.lab);
    expect(calls).toHaveLength(1);
    const blocks = JSON.stringify(result.lab.slack.received[0]?.payload.blocks);
    for (const name of ['payments-egress', 'orders-egress', 'reports-egress']) expect(blocks).toContain(name);
    expect(blocks).toContain('role/NetworkTeam/bob');
    const sns = snsMessages(result.lab);
    expect(sns).toHaveLength(1);
    expect(sns[0]?.message.incident.connectors.map((c) => c.name).sort()).toEqual([
      'orders-egress',
      'payments-egress',
      'reports-egress',
    ]);
    expect(sns[0]?.attributes.connectorName?.split(',').sort()).toEqual([
      'orders-egress',
      'payments-egress',
      'reports-egress',
    ]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.groupKey).toMatch(/^change\|/);
  });
});
