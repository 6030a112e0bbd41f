import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { openFindings, playScenarioForTest } from '../support/play-scenario.js';

describe('e2e: a bad day', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('bad-day');
  }, 240_000);

  it('plays every step: the lab network behaves as the scenario says (breach, NAT loss, SG revoke)', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });

  it('raises eni-create-failed for the connector whose subnet ran out of addresses', () => {
    expect(openFindings(result, 'eni-create-failed')).toEqual([{ connector: 'batch-egress', severity: 'high' }]);
    const failed = result.findings.find((f) => f.rule === 'eni-create-failed');
    expect(failed?.summary).toMatch(/InsufficientFreeAddressesInSubnet/);
  });

  it('raises a high network-path-changed on the connectors whose security group lost its egress rule', () => {
    const revoked = result.findings.filter((f) => f.rule === 'network-path-changed' && f.summary.includes('revoked'));
    const names = new Map(result.connectors.map((c) => [c.id, c.name]));
    expect(revoked.map((f) => [names.get(f.connectorId), f.severity, f.status]).sort()).toEqual([
      ['orders-egress', 'high', 'open'],
      ['stuck-egress', 'high', 'open'],
    ]);
  });

  it('verifies every route and NAT link with the facts reconcile collected: nothing is left unverified', () => {
    expect(result.findings.filter((f) => /unverified/.test(f.summary))).toEqual([]);
    const routeOrNat = result.findings.filter(
      (f) => f.rule === 'network-path-changed' && /route 0\.0\.0\.0\/0|NAT gateway/.test(f.summary),
    );
    expect(routeOrNat.length).toBeGreaterThan(0);
    expect(routeOrNat.every((f) => f.severity !== 'info' && f.connectorId !== '*')).toBe(true);
  });

  it('calls the default route into the isolated subnet an isolation-breach candidate, only where that table serves', () => {
    const names = new Map(result.connectors.map((c) => [c.id, c.name]));
    const breach = result.findings.filter((f) => f.summary.startsWith('isolation-breach candidate'));
    expect(breach.map((f) => [names.get(f.connectorId), f.severity]).sort()).toEqual([
      ['batch-egress', 'critical'],
      ['isolated-egress', 'critical'],
    ]);
  });

  it('reconcile raises connector-stuck-pending for stuck-egress and connector-failed with the reason for batch-egress', () => {
    expect(openFindings(result, 'connector-stuck-pending')).toEqual([{ connector: 'stuck-egress', severity: 'high' }]);
    expect(openFindings(result, 'connector-failed')).toEqual([{ connector: 'batch-egress', severity: 'high' }]);
    const failed = result.findings.find((f) => f.rule === 'connector-failed');
    expect(failed?.summary).toMatch(/SubnetOutOfIPAddresses/);
    const states = Object.fromEntries(result.connectors.map((c) => [c.name, c.state]));
    expect(states).toMatchObject({ 'orders-egress': 'ACTIVE', 'stuck-egress': 'PENDING', 'batch-egress': 'FAILED' });
  });

  it('meets the expect block', () => {
    expect(result.expectations.filter((e) => !e.met)).toEqual([]);
  });
});
