/**
 * A DynamoDB Local-backed sample of the ingest fuzz batches (test/unit/app/ingest-fuzz.property.test.ts runs
 * 10,000 events on the pure path): for each batch, counts balance, nothing escapes, and a shuffled copy on
 * a fresh table stores the same log and quarantines the same inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../shared/app/ingest-events.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { FUZZ_ALLOWED, fuzzBatch, permutation } from '../../support/fuzz-events.js';

const clock = { now: () => new Date('2026-06-25T00:00:00Z') };
const SAMPLE = fc.sample(
  fuzzBatch(20).chain((batch) => fc.tuple(fc.constant(batch), permutation(batch))),
  { numRuns: 4, seed: 2026 },
);

async function ingestOnFreshTable(batch: readonly unknown[]) {
  const { store } = await createTestStore();
  const report = await ingestEvents({ log: store, allowedAccounts: FUZZ_ALLOWED, clock, concurrency: 4 }, batch);
  const keys: string[] = [];
  for (const scope of report.scopes) {
    for (const e of await store.loadEvents(scope)) keys.push(`${e.account}#${e.region}#${e.eventTime}#${e.eventId}`);
  }
  const quarantined = (await store.listQuarantine('2026-06-25')).map((q) => `${q.eventId}\u0000${q.error}`);
  return { report, keys: keys.sort(), quarantined: quarantined.sort() };
}

describe('ingest fuzz sample on DynamoDB Local', () => {
  it.each(SAMPLE.map((pair, i) => [i, pair] as const))(
    'batch %i: balanced counts, same log in any order',
    async (_, [batch, shuffled]) => {
      const first = await ingestOnFreshTable(batch);
      const second = await ingestOnFreshTable(shuffled);

      const c = first.report.counts;
      expect(c.stored + c.duplicates + c.ignored + c.rejected).toBe(batch.length);
      expect(first.report.rejected.filter((r) => r.error.startsWith('internal error'))).toEqual([]);
      expect(first.quarantined).toHaveLength(c.rejected);
      expect(second.report.counts).toEqual(c);
      expect(second.keys).toEqual(first.keys);
      expect(second.quarantined).toEqual(first.quarantined);
    },
  );
});
