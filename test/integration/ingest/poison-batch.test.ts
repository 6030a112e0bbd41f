/**
 * Poison events in one batch with good ones, through DynamoDB Local: the batch never stops, every input is
 * counted once (received = stored + duplicates + ignored + rejected), each poison event is quarantined with
 * its reason within DynamoDB's item limit, and the good events are stored as if the poison were absent.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type IngestReport, ingestEvents, UnparseableEvent } from '../../../shared/app/ingest-events.js';
import { utf8Bytes } from '../../../shared/domain/input-limits.js';
import type { NormalizedEvent } from '../../../shared/domain/model.js';
import { ItemRefusedError } from '../../../shared/ports.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { loadFixture, loadScenario } from '../../support/fixtures.js';

const ALLOWED = new Set(['111122223333']);
const clock = { now: () => new Date('2026-06-24T02:00:00Z') };
const SCOPE = { account: '111122223333', region: 'ap-northeast-1' };

type Envelope = Record<string, unknown> & {
  detail: Record<string, unknown> & { requestParameters: Record<string, unknown> };
};

function mutated(change: (event: Envelope) => void): Envelope {
  const event = structuredClone(loadFixture('ec2', 'authorize-security-group-egress-cidr')) as Envelope;
  event.detail.eventID = randomUUID();
  change(event);
  return event;
}

function nestedItems(levels: number): unknown {
  let value: unknown = { ipProtocol: 'tcp' };
  for (let i = 0; i < levels; i++) value = { items: value };
  return value;
}

function expectBalanced(report: IngestReport): void {
  const c = report.counts;
  expect(c.stored + c.duplicates + c.ignored + c.rejected).toBe(c.received);
  expect([report.stored.length, report.duplicates.length, report.ignored.length, report.rejected.length]).toEqual([
    c.stored,
    c.duplicates,
    c.ignored,
    c.rejected,
  ]);
}

describe('poison events in a batch on DynamoDB Local', () => {
  it('quarantines every poison event with its limit and stores the good ones, in one run', async () => {
    const { store } = await createTestStore();
    const good = loadScenario('article-connector-lifecycle');
    const poison = [
      mutated((e) => {
        e.detail.eventID = `long-${'x'.repeat(1_200)}`;
      }),
      mutated((e) => {
        e.detail.awsRegion = `us-${'east-'.repeat(800)}1`;
      }),
      mutated((e) => {
        e.detail.requestParameters.ipPermissions = nestedItems(11_000);
      }),
      mutated((e) => {
        e.detail.errorMessage = 'x'.repeat(1_000_000);
      }),
      mutated((e) => {
        e.detail.errorMessage = 'ü€😀'.repeat(60_000); // ~540 KB of non-ASCII
      }),
      mutated((e) => {
        e.detail.eventID = 'sur-\ud800';
      }),
      mutated((e) => {
        e.detail.eventID = 'sur-\ud801';
      }),
    ];
    const batch = [...poison.slice(0, 3), ...good, ...poison.slice(3)];

    const report = await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock, concurrency: 4 }, batch);

    expectBalanced(report);
    expect(report.counts).toEqual({
      received: batch.length,
      stored: good.length,
      duplicates: 0,
      ignored: 0,
      rejected: 7,
    });
    expect(report.rejected.map((r) => r.error.match(/\(limit (\w+)\)$/)?.[1] ?? r.error).sort()).toEqual(
      ['depth', 'eventBytes', 'eventBytes', 'eventIdBytes', 'regionBytes']
        .concat([
          'detail.eventID: string is not well-formed Unicode (lone surrogate at index 4)',
          'detail.eventID: string is not well-formed Unicode (lone surrogate at index 4)',
        ])
        .sort(),
    );
    expect((await store.loadEvents(SCOPE)).map((e) => e.eventId).sort()).toEqual(
      good.map((e) => (e as Envelope).detail.eventID as string).sort(),
    );

    const quarantined = await store.listQuarantine('2026-06-24');
    expect(quarantined).toHaveLength(7);
    for (const entry of quarantined) {
      expect(utf8Bytes(entry.raw)).toBeLessThanOrEqual(300_000 + 64);
      expect(entry.raw).not.toContain('[object Object]');
    }
    const nonAscii = quarantined.find((q) => q.raw.includes('😀'));
    expect(nonAscii?.raw).toMatch(/…\[\d+ bytes, cut to 300000\]$/);
    const nested = quarantined.find((q) => q.error.includes('(limit depth)'));
    expect(nested?.raw).toContain('"…[nested deeper than 32 levels]"');
  });

  it('five identical bad inputs are five rejections and five quarantine entries', async () => {
    const { store } = await createTestStore();
    const bad = Array.from({ length: 5 }, () => new UnparseableEvent('{"version": "0", "detail": {', 'line 1: cut'));

    const report = await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock, concurrency: 2 }, bad);

    expectBalanced(report);
    expect(report.rejected).toHaveLength(5);
    expect(await store.listQuarantine('2026-06-24')).toHaveLength(5);
  });

  it('the event log refuses an item DynamoDB cannot key (a 2,000-byte eventID): ItemRefusedError, not a fault', async () => {
    const { store } = await createTestStore();
    const event = {
      kind: 'eni.deleted',
      eniId: 'eni-1',
      eventId: 'x'.repeat(2_000),
      eventTime: '2026-06-24T00:00:00.000Z',
      eventName: 'DeleteNetworkInterface',
      eventSource: 'ec2.amazonaws.com',
      account: '111122223333',
      region: 'us-east-1',
      actor: { type: 'IAMUser', arn: null, name: 'a', sessionName: null, invokedBy: null, accountId: null },
      errorCode: null,
      errorMessage: null,
    } as NormalizedEvent;

    await expect(store.appendEvent(event)).rejects.toBeInstanceOf(ItemRefusedError);
  });
});
