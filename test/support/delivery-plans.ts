// Delivery plans for the incremental projection's property tests: an event set delivered with duplicates,
// conflicting variants of some eventIDs, in random order, cut into batches, some projected concurrently.
import fc from 'fast-check';
import type { NormalizedEvent } from '../../shared/domain/model.js';
import { eventSet } from './event-sets.js';

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
