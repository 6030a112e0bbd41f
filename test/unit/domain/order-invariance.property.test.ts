// docs/architecture.md#state-model: the final state of any permutation/duplication of an event set is the state of the sorted,
// deduplicated set. These properties check it for the article scenario and for generated event sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLifecycle, type LifecycleResult, SCOPE_OWNER } from '../../../shared/domain/connector-lifecycle.js';
import type { NormalizedEvent } from '../../../shared/domain/model.js';
import { NO_NETWORK_FACTS } from '../../../shared/domain/model.js';
import { RULE_IDS } from '../../../shared/domain/rules.js';
import { normalizeAll } from '../../support/event-builders.js';
import { eventSet, GENERATED_FACTS as FACTS } from '../../support/event-sets.js';
import { loadScenario } from '../../support/fixtures.js';

const NUM_RUNS = 100;

/** The reference the reducer must agree with, written here independently of canonicalOrder. */
function sortedUnique(events: readonly NormalizedEvent[]): NormalizedEvent[] {
  const byId = new Map<string, NormalizedEvent>();
  for (const event of events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  return [...byId.values()].sort(
    (a, b) => a.eventTime.localeCompare(b.eventTime) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
}

/** Index lists that deliver every event at least once, some twice or more, in any order. */
function deliveries(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: Math.max(0, length - 1) }), { maxLength: length }).chain((extra) => {
    const all = [...Array.from({ length }, (_, i) => i), ...(length > 0 ? extra : [])];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
  });
}

/** Each delivery is its own copy, as events arriving twice from EventBridge would be. */
function deliver(events: readonly NormalizedEvent[], order: readonly number[]): NormalizedEvent[] {
  return order.map((i) => structuredClone(events[i] as NormalizedEvent));
}

describe('order and duplication invariance of deriveLifecycle', () => {
  const scenario = normalizeAll(loadScenario('article-connector-lifecycle'));

  it('the article scenario gives the sorted, deduplicated result for any delivery order with duplicates', () => {
    const expected = deriveLifecycle(sortedUnique(scenario));

    fc.assert(
      fc.property(deliveries(scenario.length), (order) => {
        expect(deriveLifecycle(deliver(scenario, order))).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the reference result for the scenario is the chronological one (the file is in time order)', () => {
    expect(deriveLifecycle(sortedUnique(scenario))).toEqual(deriveLifecycle(scenario));
  });

  it('deriving does not mutate the events it is given', () => {
    const events = deliver(scenario, [...scenario.keys()]);
    const before = structuredClone(events);

    deriveLifecycle(events);

    expect(events).toEqual(before);
  });

  it('generated event sets over 1–3 connectors give the same result for any delivery order with duplicates', () => {
    fc.assert(
      fc.property(
        eventSet().chain((events) => fc.tuple(fc.constant(events), deliveries(events.length), fc.boolean())),
        ([events, order, withFacts]) => {
          const facts = withFacts ? FACTS : NO_NETWORK_FACTS;
          const expected = deriveLifecycle(sortedUnique(events), facts);

          const actual = deriveLifecycle(deliver(events, order), facts);

          expect(actual).toEqual(expected);
          expectCoherent(actual);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

/** Sanity of any result: known rule ids, unique fingerprints, findings about connectors that exist (or the scope). */
function expectCoherent(result: LifecycleResult): void {
  const ids = new Set([...result.connectors.map((c) => c.id), SCOPE_OWNER]);
  const fingerprints = result.findings.map((f) => f.fingerprint);
  expect(new Set(fingerprints).size).toBe(fingerprints.length);
  for (const finding of result.findings) {
    expect(RULE_IDS).toContain(finding.rule);
    expect(ids.has(finding.connectorId)).toBe(true);
    expect(finding.resolvedAt === null).toBe(finding.status === 'open');
  }
}
