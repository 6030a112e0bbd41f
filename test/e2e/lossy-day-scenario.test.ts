import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { openFindings, playScenarioForTest } from '../support/play-scenario.js';

describe('e2e: a lossy day — reconcile finds what a third of lost events hid', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('lossy-day');
  }, 300_000);

  it('plays every step and really loses events on the way', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
    const log = result.lab.bus.deliveryLog();
    expect(log.filter((d) => d.outcome === 'lost').length).toBeGreaterThan(0);
  });

  it('meets its expect block', () => {
    expect(result.expectations.filter((e) => !e.met)).toEqual([]);
  });

  it('names the stuck, the failed and the leaking connector, and the subnets short of IPs', () => {
    expect(openFindings(result, 'connector-stuck-pending')).toEqual([{ connector: 'stuck-egress', severity: 'high' }]);
    expect(openFindings(result, 'connector-failed')).toEqual([{ connector: 'batch-egress', severity: 'high' }]);
    expect(openFindings(result, 'eni-leaked-after-delete')).toEqual([
      { connector: 'temp-egress', severity: 'warning' },
    ]);
    expect(
      openFindings(result, 'subnet-ip-exhaustion')
        .map((f) => f.connector)
        .sort(),
    ).toEqual(['orders-egress', 'stuck-egress']);
    const states = Object.fromEntries(result.connectors.map((c) => [c.name, c.state]));
    expect(states).toEqual({
      'orders-egress': 'ACTIVE',
      'stuck-egress': 'PENDING',
      'temp-egress': 'DELETED',
      'batch-egress': 'FAILED',
    });
  });

  it('writes reconcile findings with source reconcile and evidence from the reconcile observations', () => {
    const fromReconcile = result.findings.filter((f) =>
      ['connector-stuck-pending', 'eni-leaked-after-delete', 'subnet-ip-exhaustion', 'missed-event'].includes(f.rule),
    );
    expect(fromReconcile.length).toBeGreaterThan(0);
    for (const f of fromReconcile) {
      expect(f.source).toBe('reconcile');
      expect(f.evidence[0]?.eventId).toMatch(/^obs-[0-9a-f]{32}$/);
    }
  });
});
