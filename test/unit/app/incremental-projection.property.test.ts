// The incremental projection (docs/projection.md) must end in the state of one fold of the whole event set,
// whatever the batches, their order, duplicates, late events, conflicting variants of one eventID and
// concurrent projectors. The use case runs here on an in-memory store with DynamoDB's semantics; the
// integration property test runs a smaller number of cases on DynamoDB Local.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectBatch } from '../../../shared/app/project-incremental.js';
import { deriveLifecycle } from '../../../shared/domain/connector-lifecycle.js';
import type { NormalizedEvent } from '../../../shared/domain/model.js';
import { NO_NETWORK_FACTS } from '../../../shared/domain/model.js';
import { ACCOUNT, REGION } from '../../support/event-builders.js';
import { eventSet, GENERATED_FACTS } from '../../support/event-sets.js';
import { MemoryStore } from '../../support/memory-store.js';

const SCOPE = { account: ACCOUNT, region: REGION };
const NUM_RUNS = 1000;

/** A delivery plan: every event at least once plus duplicates and conflicting variants, cut into batches. */
export interface Plan {
  deliveries: NormalizedEvent[];
  /** Batch sizes, in delivery order. */
  cuts: number[];
  /** For each batch, whether it is projected concurrently with the next one. */
  together: boolean[];
  withFacts: boolean;
}

/** Variant of an event under the same eventID: other content at the same time, or at another time. */
function variant(event: NormalizedEvent, shiftMinutes: number): NormalizedEvent {
  const copy = structuredClone(event);
  if (shiftMinutes === 0) copy.errorMessage = `variant of ${event.eventId}`;
  else copy.eventTime = new Date(Date.parse(event.eventTime) + shiftMinutes * 60_000).toISOString();
  return copy;
}

export function plans(options: { minutes: number; maxOps: number }): fc.Arbitrary<Plan> {
  return eventSet(options).chain((events) =>
    fc
      .record({
        extra: fc.array(fc.nat({ max: events.length - 1 }), { maxLength: events.length }),
        variants: fc.array(fc.tuple(fc.nat({ max: events.length - 1 }), fc.integer({ min: -180, max: 180 })), {
          maxLength: 3,
        }),
        seed: fc.integer(),
        cuts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 40 }),
        together: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        withFacts: fc.boolean(),
      })
      .map(({ extra, variants, seed, cuts, together, withFacts }) => {
        const all = [
          ...events,
          ...extra.map((i) => structuredClone(events[i] as NormalizedEvent)),
          ...variants.map(([i, shift]) => variant(events[i] as NormalizedEvent, shift)),
        ];
        return { deliveries: shuffle(all, seed), cuts, together, withFacts };
      }),
  );
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Batches in delivery order; consecutive batches marked `together` are projected concurrently. */
export function batchesOf(plan: Plan): NormalizedEvent[][][] {
  const batches: NormalizedEvent[][] = [];
  let cursor = 0;
  for (let i = 0; cursor < plan.deliveries.length; i++) {
    const size = plan.cuts[i % plan.cuts.length] as number;
    batches.push(plan.deliveries.slice(cursor, cursor + size));
    cursor += size;
  }
  const groups: NormalizedEvent[][][] = [];
  batches.forEach((batch, i) => {
    const last = groups[groups.length - 1];
    if (last && plan.together[(i - 1) % plan.together.length]) last.push(batch);
    else groups.push([batch]);
  });
  return groups;
}

const yieldOnce = () => new Promise<void>((r) => setImmediate(r));

describe('incremental projection', () => {
  it(`ends in the state of one fold of the whole set for ${NUM_RUNS} random interleavings`, async () => {
    let differences = 0;
    await fc.assert(
      fc.asyncProperty(plans({ minutes: 600, maxOps: 25 }), async (plan) => {
        const store = new MemoryStore();
        store.facts = plan.withFacts ? GENERATED_FACTS : NO_NETWORK_FACTS;
        let owner = 0;
        for (const group of batchesOf(plan)) {
          const keyed: string[][] = [];
          for (const batch of group) {
            const keys: string[] = [];
            for (const event of batch) {
              const { outcome, key } = await store.appendWithKey(structuredClone(event));
              if (outcome === 'stored') keys.push(key);
            }
            keyed.push(keys);
          }
          await Promise.all(
            keyed.map((keys) => projectBatch({ store, owner: `p${owner++}`, sleep: yieldOnce }, SCOPE, keys)),
          );
        }
        const expected = deriveLifecycle(plan.deliveries, store.facts);
        const actual = {
          connectors: await store.listConnectors(SCOPE),
          findings: await store.listFindings(SCOPE),
          hyperplaneEnis: await store.listHyperplaneEnis(SCOPE),
          conflicts: await store.listConflicts(SCOPE),
        };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) differences++;
        expect(actual).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
    expect(differences).toBe(0);
  }, 600_000);
});
