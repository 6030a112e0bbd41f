/**
 * fast-check arbitraries for ingest fuzzing: real-shaped fixtures from events/ (single events and the article
 * scenario) mixed with mutations — sizes (huge strings), depths (nesting past the limit), types (any JSON value
 * where a field goes), Unicode (lone surrogates, astral characters), duplicates and conflicting eventIDs,
 * envelope/source/region mismatches, unparseable text — and an in-memory EventLog with DynamoDB's
 * conditional-put semantics for the pure path. Used by the unit fuzz test and its DynamoDB Local sample.
 */
import fc from 'fast-check';
import { UnparseableEvent } from '../../shared/app/ingest-events.js';
import type { NormalizedEvent } from '../../shared/domain/model.js';
import type { AppendOutcome, EventLog, QuarantineEntry, Scope } from '../../shared/ports.js';
import { listFixtures, loadFixture, loadScenario } from './fixtures.js';

type Json = Record<string, unknown>;
type Envelope = Json & { detail: Json };

const templates: Envelope[] = [
  ...listFixtures().map((f) => loadFixture(f.source, f.variant) as Envelope),
  ...(loadScenario('article-connector-lifecycle') as Envelope[]),
].filter((e) => (e as { account?: string }).account === '111122223333');

/** The account every template comes from (the allow-list of the fuzz tests). */
export const FUZZ_ALLOWED = new Set(['111122223333']);

type Mutation = (event: Envelope) => void;

const detailFields = ['eventID', 'eventTime', 'eventName', 'eventSource', 'awsRegion', 'readOnly', 'errorMessage'];
const anyField = fc.constantFrom(...detailFields, 'requestParameters', 'responseElements', 'userIdentity');

function nested(levels: number): unknown {
  let value: unknown = { ipProtocol: 'tcp', fromPort: 443, toPort: 443 };
  for (let i = 0; i < levels; i++) value = { items: value };
  return value;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // sizes
  fc
    .record({
      field: fc.constantFrom('errorMessage', 'eventID', 'awsRegion', 'userAgent'),
      size: fc.constantFrom(40, 2_000, 300_000),
    })
    .map(({ field, size }) => (e: Envelope) => {
      // 140,000 × 'ä' is 280,000 bytes: over the 256 KB event limit.
      e.detail[field] = `${String(e.detail[field] ?? '')}${'ä'.repeat(size)}`;
    }),
  // depths
  // (11,000 levels: test/unit/domain/poison-events.test.ts.)
  fc.constantFrom(3, 30, 33, 500, 2_000).map((levels) => (e: Envelope) => {
    const current = e.detail.requestParameters;
    const req = (typeof current === 'object' && current !== null ? current : {}) as Json;
    req.ipPermissions = nested(levels);
    e.detail.requestParameters = req;
  }),
  // types
  fc.record({ field: anyField, value: fc.jsonValue({ maxDepth: 3 }) }).map(({ field, value }) => (e: Envelope) => {
    e.detail[field] = value;
  }),
  fc.jsonValue({ maxDepth: 2 }).map((value) => (e: Envelope) => {
    (e as Json).detail = value;
  }),
  // Unicode
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((id) => (e: Envelope) => {
    e.detail.eventID = id;
  }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((text) => (e: Envelope) => {
    e.detail.eventID = `${String(e.detail.eventID)}-${text}`;
  }),
  fc.constantFrom('\ud800', '\udfff', '😀', '\u0000').map((c) => (e: Envelope) => {
    e.detail.errorMessage = `bad ${c} text`;
  }),
  // envelope
  fc.constantFrom('my.app', 'aws.s3', '').map((source) => (e: Envelope) => {
    e.source = source;
  }),
  fc.constantFrom('eu-west-1', 'us-east-1x').map((region) => (e: Envelope) => {
    e.region = region;
  }),
  fc
    .constantFrom('9999-12-31T23:59:59-23:59', '1969-12-31T23:59:59Z', '2026-06-24T09:00:00+02:00')
    .map((time) => (e: Envelope) => {
      e.detail.eventTime = time;
    }),
  fc.constantFrom('constructor', '__proto__', 'toString').map((name) => (e: Envelope) => {
    e.detail.requestParameters = {
      ...((e.detail.requestParameters as Json) ?? {}),
      ipPermissions: { items: [{ ipProtocol: name }] },
    };
  }),
  fc.constantFrom('false', 'true', 'yes').map((value) => (e: Envelope) => {
    e.detail.readOnly = value;
  }),
);

/** One input: a fixture (fresh eventID unless `keepId`), with 0–2 mutations, or unparseable text. */
export const fuzzInput: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        template: fc.nat({ max: templates.length - 1 }),
        id: fc.uuid(),
        mutations: fc.array(mutation, { maxLength: 2 }),
        mutate: fc.boolean(),
      })
      .map(({ template, id, mutations, mutate }) => {
        const event = structuredClone(templates[template]) as Envelope;
        event.detail.eventID = id;
        // A mutation that replaced `detail` leaves nothing for the next one to change.
        if (mutate) for (const m of mutations) if (isEnvelope(event)) m(event);
        return event;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 40 }).map((text) => new UnparseableEvent(`{"detail": ${text}`, 'line 1: cut')),
  },
);

/**
 * A batch of `size` inputs with duplicates (the same input delivered again) and conflicting eventIDs (a
 * different event given an eventID already in the batch).
 */
export function fuzzBatch(size: number): fc.Arbitrary<unknown[]> {
  return fc
    .record({
      inputs: fc.array(fuzzInput, { minLength: size, maxLength: size }),
      duplicates: fc.array(fc.nat({ max: size - 1 }), { maxLength: 3 }),
      conflicts: fc.array(fc.tuple(fc.nat({ max: size - 1 }), fc.nat({ max: size - 1 })), { maxLength: 2 }),
    })
    .map(({ inputs, duplicates, conflicts }) => {
      const batch = [...inputs];
      for (const [from, to] of conflicts) {
        const a = batch[from] as Envelope;
        const b = batch[to] as Envelope;
        if (from !== to && isEnvelope(a) && isEnvelope(b)) {
          // Shallow copies: a deep input (thousands of levels) is shared, never cloned.
          batch[to] = { ...b, detail: { ...b.detail, eventID: a.detail.eventID } };
        }
      }
      // The same delivery again (ingest never mutates its input, so sharing the object is a faithful copy).
      for (const i of duplicates) batch.push(batch[i]);
      return batch.slice(0, size);
    });
}

function isEnvelope(value: unknown): value is Envelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Envelope).detail === 'object' &&
    (value as Envelope).detail !== null
  );
}

/**
 * EventLog in memory with DynamoDB's semantics for the ingest path: one item per (LOG#account#region,
 * EVT#eventTime#eventId), conditional put (first write wins, a second is a duplicate), quarantine appended.
 */
export class MemoryEventLog implements EventLog {
  readonly items = new Map<string, NormalizedEvent>();
  readonly quarantined: QuarantineEntry[] = [];

  async appendEvent(event: NormalizedEvent): Promise<AppendOutcome> {
    const key = `LOG#${event.account}#${event.region}\u0000EVT#${event.eventTime}#${event.eventId}`;
    if (this.items.has(key)) return 'duplicate';
    this.items.set(key, structuredClone(event));
    return 'stored';
  }

  async quarantine(entry: QuarantineEntry): Promise<void> {
    this.quarantined.push(entry);
  }

  async loadEvents(scope: Scope): Promise<NormalizedEvent[]> {
    return [...this.items.values()].filter((e) => e.account === scope.account && e.region === scope.region);
  }
}

/** Inputs in a seeded random order (Fisher–Yates with fast-check's own random source). */
export function permutation<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}
