import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e: classic Lambda Hyperplane ENIs next to a connector', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('hyperplane');
  });

  it('keeps Hyperplane ENIs apart and never attributes them to the connector', () => {
    expect(result.steps.filter((s) => !s.outcome.ok)).toEqual([]);
    expect(result.hyperplaneEnis.map((e) => e.functionName)).toEqual(['orders-api', 'orders-api']);
    const [connector] = result.connectors;
    expect(result.connectors).toHaveLength(1);
    const hyperplaneIds = new Set(result.hyperplaneEnis.map((e) => e.id));
    expect(connector?.enis.some((e) => hyperplaneIds.has(e.id))).toBe(false);
    expect(connector?.enis.map((e) => e.purpose).sort()).toEqual(['production', 'validation']);
    // Events raise nothing; reconcile only notes that the connector's one subnet puts it in one AZ.
    expect(result.findings.filter((f) => f.source !== 'reconcile')).toEqual([]);
    expect(result.findings.map((f) => f.rule)).toEqual(['single-az-connector']);
  });
});
