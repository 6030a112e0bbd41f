import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { playScenarioForTest } from '../support/play-scenario.js';

/** What the monitor ends up believing, without the per-run random ids (connector, MicroVM) and times. */
function finalMaps(result: ScenarioResult) {
  const names = new Map(result.connectors.map((c) => [c.id, c.name ?? c.id]));
  const connectors = Object.fromEntries(
    result.connectors.map((c) => [
      c.name,
      { state: c.state, subnetIds: c.subnetIds, securityGroupIds: c.securityGroupIds },
    ]),
  );
  const enis = Object.fromEntries(
    result.connectors.flatMap((c) =>
      c.enis.map((e) => [e.id, { connector: c.name, subnetId: e.subnetId, deleted: e.deletedAt !== null }]),
    ),
  );
  const microvms = new Map<string, { connectors: string[]; terminated: boolean }>();
  for (const c of result.connectors) {
    for (const m of c.microvms) {
      const entry = microvms.get(m.id) ?? { connectors: [], terminated: m.terminatedAt !== null };
      entry.connectors.push(names.get(c.id) ?? c.id);
      entry.connectors.sort();
      microvms.set(m.id, entry);
    }
  }
  const microvmShapes = [...microvms.values()].map((m) => JSON.stringify(m)).sort();
  return { connectors, enis, microvms: microvmShapes };
}

describe('e2e: the article scenario with 30% of the events lost ends in the same state as a loss-free run', () => {
  let clean: ScenarioResult;
  let lossy: ScenarioResult;
  beforeAll(async () => {
    clean = await playScenarioForTest('article', { lossRate: 0 });
    // The handler modules read their table name once per process: load them afresh for the second lab.
    vi.resetModules();
    lossy = await playScenarioForTest('article', { lossRate: 0.3 });
  }, 300_000);

  it('loses events on the way (the run is really lossy) and plays every step', () => {
    expect(lossy.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(lossy.lab.errors()).toEqual([]);
    expect(lossy.lab.bus.deliveryLog().filter((d) => d.outcome === 'lost').length).toBeGreaterThan(0);
  });

  it('has the same connectors, ENIs and MicroVM maps as the loss-free run', () => {
    expect(finalMaps(lossy)).toEqual(finalMaps(clean));
  });

  it('raises missed-event findings that name what was repaired, from which source and how late', () => {
    const missed = lossy.findings.filter((f) => f.rule === 'missed-event');
    expect(missed.length).toBeGreaterThan(0);
    const text = missed.flatMap((f) => [f.summary, ...f.evidence.map((e) => e.detail)]).join('\n');
    expect(text).toMatch(/repaired from (CloudTrail )?LookupEvents/);
    expect(text).toMatch(/(ec2|lambda)\.amazonaws\.com, \d+ min late/);
    expect(clean.findings.filter((f) => f.rule === 'missed-event')).toEqual([]);
  });
});
