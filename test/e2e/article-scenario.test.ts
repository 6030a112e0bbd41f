import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { openFindings, playScenarioForTest } from '../support/play-scenario.js';

describe('e2e: the hands-on article, played on the lab with late, reordered, duplicated delivery', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('article');
  }, 120_000); // the article now also runs its canaries every virtual minute

  it('plays every step as the article observed it (probes through the MicroVM proxy included)', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });

  it('delivered duplicates and out-of-order events to the ingest handler', () => {
    const log = result.lab.bus.deliveryLog().filter((d) => d.subscriber === 'ingest' && d.outcome === 'delivered');
    const ids = log.map((d) => d.eventId);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    const times = log.map((d) => d.eventTime);
    expect(times).not.toEqual([...times].sort());
  });

  it('ends with the deleted-while-in-use and two-connector findings open and the SG change resolved', () => {
    expect(openFindings(result, 'connector-deleted-while-in-use')).toEqual([
      { connector: 'nat-egress-connector', severity: 'critical' },
    ]);
    expect(
      openFindings(result, 'microvm-multiple-egress-connectors')
        .map((f) => f.connector)
        .sort(),
    ).toEqual(['isolated-egress-connector', 'nat-egress-connector']);
    const sgChange = result.findings.filter((f) => f.rule === 'network-path-changed');
    expect(sgChange.map((f) => f.status)).toEqual(['resolved']);
    expect(result.expectations.every((e) => e.met)).toBe(true);
  });

  it('tracks both connectors to DELETED with their validation and production ENIs', () => {
    const byName = new Map(result.connectors.map((c) => [c.name, c]));
    for (const name of ['nat-egress-connector', 'isolated-egress-connector']) {
      const c = byName.get(name);
      expect(c?.state).toBe('DELETED');
      expect(c?.enis.map((e) => e.purpose).sort()).toEqual(['production', 'validation']);
      expect(c?.enis.every((e) => e.deletedAt !== null)).toBe(true);
    }
    expect(byName.get('nat-egress-connector')?.microvms.filter((m) => m.terminatedAt === null)).toHaveLength(1);
  });
});
