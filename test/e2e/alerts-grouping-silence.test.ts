import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import type { Incident } from '../../shared/domain/incidents.js';
import { snsMessages, storedIncidents } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: a NAT gateway deleted under three connectors is ONE incident message naming all three', () => {
  let result: ScenarioResult;
  let incidents: Incident[];
  beforeAll(async () => {
    result = await playScenarioForTest('nat-three-connectors', undefined, {
      beforeClose: async (lab) => {
        incidents = await storedIncidents(lab);
      },
    });
  }, 180_000);

  it('sends one Slack message and one SNS publish, both naming the three connectors', () => {
    // Per-connector findings of the same call are grouped (change|<eventID>); a change whose link to the
    // connectors is unverified is one account-wide finding naming them. Either way: one incident, one message.
    const opened = result.findings.filter((f) => f.rule === 'network-path-changed' && f.status === 'open');
    expect(opened.length).toBeGreaterThan(0);
    // Reconcile and the canary raise their own incidents on the lab (single AZ…): look at the change's.
    const about = result.lab.slack.received.filter(
      (r) =>
        String(r.payload.text).includes('network-path') ||
        JSON.stringify(r.payload.blocks).includes('network-path-changed'),
    );
    expect(about).toHaveLength(1);
    const blocks = JSON.stringify(about[0]?.payload.blocks);
    for (const name of ['payments-egress', 'orders-egress', 'reports-egress']) expect(blocks).toContain(name);
    expect(blocks).toContain('role/NetworkTeam/bob');
    const sns = snsMessages(result.lab).filter((m) => m.attributes.rule === 'network-path-changed');
    expect(sns).toHaveLength(1);
    const told = JSON.stringify(sns[0]?.message.incident);
    for (const name of ['payments-egress', 'orders-egress', 'reports-egress']) expect(told).toContain(name);
    const changes = incidents.filter((i) => i.rule === 'network-path-changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]?.members).toHaveLength(opened.length);
  });
});
