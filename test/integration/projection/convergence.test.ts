// Issue 7.1 and 7.3 on DynamoDB Local: a projection interrupted by faults converges on a rerun, and one
// eventID with two contents gives the same state in either order, recorded as a conflict and quarantined.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { replayEvents } from '../../../cli/replay.js';
import { ingestEvents } from '../../../shared/app/ingest-events.js';
import { projectBatch } from '../../../shared/app/project-incremental.js';
import { projectScopes } from '../../../shared/app/project-scopes.js';
import { DynamoDbStore } from '../../../shared/aws/dynamodb-store.js';
import { eventKey } from '../../../shared/domain/event-identity.js';
import type { NormalizedEvent } from '../../../shared/domain/model.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { ACCOUNT, normalizeAll } from '../../support/event-builders.js';
import { loadScenario } from '../../support/fixtures.js';

const SCOPE = { account: ACCOUNT, region: 'ap-northeast-1' };
const ALLOWED = new Set([ACCOUNT]);
const clock = { now: () => new Date('2026-06-24T12:00:00Z') };
const WRITES = new Set(['PutItemCommand', 'BatchWriteItemCommand', 'DeleteItemCommand', 'UpdateItemCommand']);

/** A second client on the same table whose writes fail with a 5xx from the `failFrom`-th write on. */
function faultyStore(endpoint: string, tableName: string, failFrom: number): DynamoDbStore & { writes: () => number } {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  let writes = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(context.commandName ?? '') && ++writes >= failFrom) {
        const error = new Error('We encountered an internal error. Please try again.');
        error.name = 'InternalServerError';
        Object.assign(error, { $metadata: { httpStatusCode: 500 }, $fault: 'server' });
        throw error;
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return Object.assign(new DynamoDbStore({ client, tableName }), { writes: () => writes });
}

const OPTIONS = { leaseMs: 300, leaseWaitMs: 2_000 };

describe('projection convergence (issue 7.1)', () => {
  const events = loadScenario('article-connector-lifecycle');

  it('a rerun after writes fail from the 4th onwards ends with the full set of findings', async () => {
    const reference = await createTestStore();
    await ingestEvents({ log: reference.store, allowedAccounts: ALLOWED, clock }, events);
    const counting = faultyStore(reference.endpoint, reference.tableName, Number.POSITIVE_INFINITY);
    await projectScopes({ store: counting }, [SCOPE]);
    const expected = await reference.store.listFindings(SCOPE);
    expect(expected.length).toBeGreaterThan(1);
    const total = counting.writes();

    for (const failFrom of [4, Math.floor(total / 2), total - 1]) {
      const { store, endpoint, tableName } = await createTestStore();
      await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock }, events);
      const faulty = faultyStore(endpoint, tableName, failFrom);
      await expect(projectScopes({ store: faulty, options: OPTIONS }, [SCOPE])).rejects.toThrow(/internal error/);
      if (failFrom === 4) expect((await store.listFindings(SCOPE)).length).toBeLessThan(expected.length);

      await projectScopes({ store, options: OPTIONS }, [SCOPE]);

      expect(await store.listFindings(SCOPE)).toEqual(expected);
      expect(await store.listConnectors(SCOPE)).toEqual(await reference.store.listConnectors(SCOPE));
    }
  });

  it('a stream batch retried after a fault repairs what the interrupted run left behind', async () => {
    const reference = await createTestStore();
    await ingestEvents({ log: reference.store, allowedAccounts: ALLOWED, clock }, events);
    await projectScopes({ store: reference.store }, [SCOPE]);

    const { store, endpoint, tableName } = await createTestStore();
    const normalized = normalizeAll(events);
    const half = Math.floor(normalized.length / 2);
    const keysOf = async (batch: NormalizedEvent[]) => {
      for (const e of batch) await store.appendEvent(e);
      return batch.map((e) => eventKey(e));
    };
    await projectBatch({ store, options: OPTIONS }, SCOPE, await keysOf(normalized.slice(0, half)));
    const second = await keysOf(normalized.slice(half));
    const faulty = faultyStore(endpoint, tableName, 10);
    await expect(projectBatch({ store: faulty, options: OPTIONS }, SCOPE, second)).rejects.toThrow();

    await projectBatch({ store, options: OPTIONS }, SCOPE, second);

    expect(await store.listFindings(SCOPE)).toEqual(await reference.store.listFindings(SCOPE));
    expect(await store.listConnectors(SCOPE)).toEqual(await reference.store.listConnectors(SCOPE));
  });
});

describe('conflicting contents under one eventID (issue 7.3)', () => {
  const base = normalizeAll(loadScenario('article-connector-lifecycle'));
  const create = base.find((e) => e.kind === 'connector.created') as NormalizedEvent & { kind: 'connector.created' };
  const failed: NormalizedEvent = { ...structuredClone(create), state: 'FAILED', stateReason: 'InternalFailure' };
  const later = base.find((e) => e.kind === 'connector.deleted') as NormalizedEvent;
  const collidingDelete: NormalizedEvent = { ...structuredClone(later), eventId: create.eventId };

  async function run(order: NormalizedEvent[]) {
    const { store } = await createTestStore();
    for (const e of order) {
      await store.appendEvent(e);
      await projectBatch({ store }, SCOPE, [eventKey(e)]);
    }
    return {
      store,
      state: {
        connectors: await store.listConnectors(SCOPE),
        findings: await store.listFindings(SCOPE),
        conflicts: await store.listConflicts(SCOPE),
      },
    };
  }

  it('same time, different payload: the same state in either order, one conflict, one quarantine entry', async () => {
    const rest = base.filter((e) => e.eventId !== create.eventId);
    const a = await run([create, ...rest, failed]);
    const b = await run([failed, ...rest, create]);

    expect(a.state).toEqual(b.state);
    expect(a.state.conflicts).toHaveLength(1);
    expect(a.state.conflicts[0]?.eventId).toBe(create.eventId);
    expect(a.state.conflicts[0]?.variants).toHaveLength(2);
    for (const { store } of [a, b]) {
      const day = new Date().toISOString().slice(0, 10);
      const quarantined = await store.listQuarantine(day);
      expect(quarantined.filter((q) => q.eventId === create.eventId)).toHaveLength(1);
      expect(quarantined[0]?.error).toMatch(/conflicting content for eventID .* lost to [0-9a-f]{16}/);
    }
  });

  it('a later event with a colliding id is stored and reported, never silently dropped', async () => {
    const { store } = await createTestStore();
    for (const e of [...base, collidingDelete]) await store.appendEvent(e);
    await projectScopes({ store }, [SCOPE]);

    const [conflict] = await store.listConflicts(SCOPE);
    expect(conflict?.variants.map((v) => v.eventName).sort()).toEqual(
      ['CreateNetworkConnector', 'DeleteNetworkConnector'].sort(),
    );
    expect(conflict?.variants.map((v) => v.eventTime)).toContain(collidingDelete.eventTime);
  });

  it('replay --json reports the conflict under `conflicts`, the same in either order', async () => {
    const raw = loadScenario('article-connector-lifecycle') as { detail: Record<string, unknown> }[];
    const original = raw.find((e) => e.detail.eventName === 'CreateNetworkConnector') as (typeof raw)[number];
    const altered = structuredClone(original);
    (altered.detail.responseElements as Record<string, unknown>).State = 'FAILED';
    const outputs = [];
    for (const order of [
      [...raw, altered],
      [altered, ...raw],
    ]) {
      const { store } = await createTestStore();
      outputs.push((await replayEvents(store, order, ALLOWED)).output);
    }
    expect(outputs[0]).toEqual(outputs[1]);
    expect(outputs[0]?.conflicts).toHaveLength(1);
    expect(outputs[0]?.conflicts?.[0]?.eventId).toBe(original.detail.eventID);
  });
});
