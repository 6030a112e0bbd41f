// The incremental projection (docs/projection.md) must end in the state of one fold of the whole event set,
// whatever the batches, their order, duplicates, late events, conflicting variants of one eventID and
// concurrent projectors. The use case runs here on an in-memory store with DynamoDB's semantics; the
// integration property test runs a smaller number of cases on DynamoDB Local.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectBatch } from '../../../shared/app/project-incremental.js';
import { deriveLifecycle } from '../../../shared/domain/connector-lifecycle.js';
import { NO_NETWORK_FACTS } from '../../../shared/domain/model.js';
import { batchesOf, plans } from '../../support/delivery-plans.js';
import { ACCOUNT, REGION } from '../../support/event-builders.js';
import { GENERATED_FACTS } from '../../support/event-sets.js';
import { MemoryStore } from '../../support/memory-store.js';

const SCOPE = { account: ACCOUNT, region: REGION };
const NUM_RUNS = 1000;

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
