import { describe, expect, it } from 'vitest';
import { ingestEvents, UnparseableEvent } from '../../../shared/app/ingest-events.js';
import { projectScopes } from '../../../shared/app/project-scopes.js';
import { deriveLifecycle } from '../../../shared/domain/connector-lifecycle.js';
import { normalizeEvent } from '../../../shared/domain/normalize.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { loadFixture, loadScenario, readInvalidFixture } from '../../support/fixtures.js';

const ALLOWED = new Set(['111122223333']);
const clock = { now: () => new Date('2026-06-24T02:00:00Z') };
const SCOPE = { account: '111122223333', region: 'ap-northeast-1' };

/** An invalid fixture that still parses as JSON (the truncated one does not). */
function invalidEvent(name: string): unknown {
  return JSON.parse(readInvalidFixture(name));
}

function eventIdOf(raw: unknown): string {
  return (raw as { detail: { eventID: string } }).detail.eventID;
}

describe('ingest and projection on DynamoDB Local', () => {
  it('stores the article scenario with one request per event and projects the expected findings', async () => {
    const { store, requests } = await createTestStore();
    const events = loadScenario('article-connector-lifecycle');

    const report = await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock }, events);

    expect(report.stored).toHaveLength(events.length);
    expect(report.rejected).toEqual([]);
    expect(requests.total).toBe(events.length);
    expect(requests.byCommand).toEqual({ PutItemCommand: events.length });

    await projectScopes({ store }, report.scopes);
    const connectors = await store.listConnectors(SCOPE);
    const findings = await store.listFindings(SCOPE);
    const nat = connectors.find((c) => c.name === 'nat-egress-connector');
    expect(nat?.state).toBe('DELETED');
    expect(
      findings.filter((f) => f.rule === 'connector-deleted-while-in-use').map((f) => [f.connectorId, f.status]),
    ).toEqual([[nat?.id, 'open']]);
    expect(findings.filter((f) => f.rule === 'microvm-multiple-egress-connectors')).toHaveLength(2);
  });

  it('is idempotent per eventID and order-insensitive through the store', async () => {
    const events = loadScenario('article-connector-lifecycle');
    const reference = await createTestStore();
    await ingestEvents({ log: reference.store, allowedAccounts: ALLOWED, clock }, events);
    await projectScopes({ store: reference.store }, [SCOPE]);

    const shuffled = await createTestStore();
    const messy = [...events, ...events.slice(3, 9), ...events.slice(0, 2)].reverse();
    const report = await ingestEvents({ log: shuffled.store, allowedAccounts: ALLOWED, clock, concurrency: 4 }, messy);
    expect(report.duplicates).toHaveLength(8);
    // Projection after a partial batch, then after the rest: the end state is the same.
    await projectScopes({ store: shuffled.store }, [SCOPE]);
    await projectScopes({ store: shuffled.store }, [SCOPE]);

    expect(await shuffled.store.listConnectors(SCOPE)).toEqual(await reference.store.listConnectors(SCOPE));
    expect(await shuffled.store.listFindings(SCOPE)).toEqual(await reference.store.listFindings(SCOPE));
  });

  it('loses nothing with 8 concurrent ingesters and projectors on one connector', async () => {
    const { store } = await createTestStore();
    const events = loadScenario('article-connector-lifecycle');
    const lanes = Array.from({ length: 8 }, (_, lane) => events.filter((_, i) => i % 8 === lane));

    await Promise.all(
      lanes.map(async (lane) => {
        for (const event of lane) {
          await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock }, [event, event]);
          await projectScopes({ store }, [SCOPE]);
        }
      }),
    );
    await projectScopes({ store }, [SCOPE]);

    const stored = await store.loadEvents(SCOPE);
    expect(stored.map((e) => e.eventId).sort()).toEqual(events.map(eventIdOf).sort());
    const expected = deriveLifecycle(
      events.flatMap((raw) => {
        const r = normalizeEvent(raw, { allowedAccounts: ALLOWED });
        return r.outcome === 'accepted' ? [r.event] : [];
      }),
    );
    expect(await store.listConnectors(SCOPE)).toEqual(expected.connectors);
    expect(await store.listFindings(SCOPE)).toEqual(expected.findings);
  });

  it('quarantines malformed, truncated and foreign events with specific reasons while the batch goes on', async () => {
    const { store } = await createTestStore();
    const good = loadFixture('ec2', 'revoke-security-group-ingress-sg-reference');
    const batch = [
      invalidEvent('missing-event-id'),
      good,
      invalidEvent('wrong-type-event-time'),
      new UnparseableEvent(readInvalidFixture('truncated'), 'Unexpected end of JSON input'),
      invalidEvent('detail-not-object'),
      invalidEvent('unknown-account'),
    ];

    const report = await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock, concurrency: 3 }, batch);

    expect(report.stored.map((s) => s.eventId)).toEqual([eventIdOf(good)]);
    const errors = report.rejected.map((r) => r.error).sort();
    expect(errors).toHaveLength(5);
    expect(errors.some((e) => /^detail\.eventID: /.test(e))).toBe(true);
    expect(errors.some((e) => /^detail\.eventTime: expected an ISO-8601 timestamp string/.test(e))).toBe(true);
    expect(errors.some((e) => e.startsWith('invalid JSON: '))).toBe(true);
    expect(errors.some((e) => /^detail: expected a CloudTrail record object, got string/.test(e))).toBe(true);
    expect(errors.some((e) => /account 444455556666 is not on the allow-list/.test(e))).toBe(true);

    const quarantined = await store.listQuarantine('2026-06-24');
    expect(quarantined.map((q) => q.error).sort()).toEqual(errors);
    expect(quarantined.every((q) => q.raw.length > 0)).toBe(true);
  });

  it('never lets a state item computed from fewer events overwrite one computed from more', async () => {
    const { store } = await createTestStore();
    const item = { pk: 'PROJ#test', sk: 'EVT#2026-06-24T10', body: '{"n":5}', basis: 5 };
    expect(await store.putIfNotNewer(item)).toBe(true);
    expect(await store.putIfNotNewer({ ...item, body: '{"n":3}', basis: 3 })).toBe(false);
    expect(await store.putIfNotNewer({ ...item, body: '{"n":5,"retry":true}', basis: 5 })).toBe(true);
    const [stored] = await store.queryItems('PROJ#test');
    expect(stored?.body).toBe('{"n":5,"retry":true}');
  });
});
