/**
 * Issue 7's adversarial inputs, each with the value it must give: poison events are rejected naming the
 * limit they hit (never thrown), distinct eventIDs stay distinct, and the smaller cases (eventTime range,
 * prototype keys, foreign source, region mismatch, readOnly as a string). See docs/ingest.md.
 */
import { describe, expect, it } from 'vitest';
import {
  boundedStringify,
  checkInputShape,
  clipText,
  INPUT_LIMITS,
  truncateUtf8,
  utf8Bytes,
} from '../../../shared/domain/input-limits.js';
import type { NormalizeResult, SecurityGroupChangedEvent } from '../../../shared/domain/model.js';
import { normalizeEvent } from '../../../shared/domain/normalize.js';
import { ALLOWED } from '../../support/event-builders.js';
import { loadFixture } from '../../support/fixtures.js';

type Envelope = Record<string, unknown> & {
  detail: Record<string, unknown> & { requestParameters: Record<string, unknown> };
};

const sgEgress = () => structuredClone(loadFixture('ec2', 'authorize-security-group-egress-cidr')) as Envelope;

function rejected(result: NormalizeResult): { eventId: string | null; error: string } {
  if (result.outcome !== 'rejected')
    throw new Error(`expected a rejection, got ${JSON.stringify(result).slice(0, 300)}`);
  return result;
}

/** {items: {items: … {ipProtocol: 'tcp'} …}} nested `levels` deep, built without recursion. */
function nestedItems(levels: number): unknown {
  let value: unknown = { ipProtocol: 'tcp', fromPort: 443, toPort: 443 };
  for (let i = 0; i < levels; i++) value = { items: value };
  return value;
}

describe('poison events are rejected with the limit they hit, never thrown', () => {
  it('an eventID of 1,200 characters: limit eventIdBytes, the shown eventID cut to 128 bytes', () => {
    const event = sgEgress();
    event.detail.eventID = `id-${'x'.repeat(1_200)}`;

    const result = rejected(normalizeEvent(event, ALLOWED));

    expect(result.error).toBe('detail.eventID: 1203 bytes, over the 128-byte limit (limit eventIdBytes)');
    expect(result.eventId?.startsWith('id-xxx')).toBe(true);
    expect(utf8Bytes(result.eventId ?? '')).toBeLessThan(200);
  });

  it('an awsRegion of 4 KB: limit regionBytes', () => {
    const event = sgEgress();
    event.detail.awsRegion = `us-${'east-'.repeat(800)}1`;

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toBe(
      'detail.awsRegion: 4004 bytes, over the 32-byte limit (limit regionBytes)',
    );
  });

  it('ipPermissions.items nested 11,000 levels (~113 KB, under 256 KB): limit depth, no stack overflow', () => {
    const event = sgEgress();
    // 11,000 × '{"items":…}' is 110,000 characters (JSON.stringify itself overflows the stack on it).
    event.detail.requestParameters.ipPermissions = nestedItems(11_000);

    const result = rejected(normalizeEvent(event, ALLOWED));

    expect(result.error).toMatch(
      /^detail\.requestParameters\.ipPermissions\.items\.items(\.items)*: nested deeper than 32 levels \(limit depth\)$/,
    );
    expect(result.eventId).toBe(event.detail.eventID);
  });

  it('a 1 MB errorMessage: limit eventBytes (the item would be over DynamoDB’s 400 KB)', () => {
    const event = sgEgress();
    event.detail.errorMessage = 'é'.repeat(500_000);

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toMatch(
      /^\(event\): \d{7} bytes of JSON, over the 262144-byte EventBridge event limit \(limit eventBytes\)$/,
    );
  });

  it('a 1 MB connector name: limit eventBytes', () => {
    const event = structuredClone(loadFixture('lambda', 'create-network-connector')) as Envelope;
    event.detail.requestParameters.Name = 'n'.repeat(1_000_000);

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toMatch(/\(limit eventBytes\)$/);
  });

  it('an event just under the size limit is accepted', () => {
    const event = sgEgress();
    event.detail.userAgent = 'a'.repeat(INPUT_LIMITS.eventBytes - JSON.stringify(event).length - 100);

    expect(normalizeEvent(event, ALLOWED).outcome).toBe('accepted');
  });

  it('values JSON cannot hold (bigint, function) are rejected as limit json, cycles as limit depth', () => {
    const withBigint = sgEgress();
    withBigint.detail.requestParameters.fromPort = 10n;
    expect(rejected(normalizeEvent(withBigint, ALLOWED)).error).toMatch(/a bigint is not a JSON value/);
    const cyclic = sgEgress();
    cyclic.detail.requestParameters.self = cyclic;
    expect(rejected(normalizeEvent(cyclic, ALLOWED)).error).toMatch(/\(limit depth\)$/);
  });
});

describe('the quarantine text is bounded by bytes and readable', () => {
  it('truncates by UTF-8 bytes, not characters, and never splits a surrogate pair', () => {
    const euros = '€'.repeat(200_000); // 600,000 bytes
    const cut = truncateUtf8(euros, 300_000);
    expect(utf8Bytes(cut)).toBe(300_000);
    expect(cut.length).toBe(100_000);

    const emoji = '😀'.repeat(10); // 4 bytes each, 2 UTF-16 units each
    expect(truncateUtf8(emoji, 10)).toBe('😀😀');
    expect(clipText(emoji, 10)).toBe('😀😀…[40 bytes, cut to 10]');
  });

  it('a deeply nested input is stored as JSON up to 32 levels, not "[object Object]"', () => {
    const text = boundedStringify({ detail: nestedItems(11_000) });

    expect(text).not.toContain('[object Object]');
    expect(text.startsWith('{"detail":{"items":{"items":')).toBe(true);
    expect(text).toContain('"…[nested deeper than 32 levels]"');
    expect(text.length).toBeLessThan(1_000);
  });
});

describe('distinct eventIDs stay distinct', () => {
  it('eventIDs with lone surrogates (sur-\\ud800, sur-\\ud801) are both rejected, naming the field', () => {
    for (const id of ['sur-\ud800', 'sur-\ud801']) {
      const event = sgEgress();
      event.detail.eventID = id;

      const result = rejected(normalizeEvent(event, ALLOWED));

      expect(result.error).toBe('detail.eventID: string is not well-formed Unicode (lone surrogate at index 4)');
      expect(result.eventId).toBe('sur-\ufffd');
    }
  });

  it('a lone surrogate anywhere (a key, a tag value) is rejected too; well-formed astral characters pass', () => {
    const inKey = sgEgress();
    inKey.detail.requestParameters['k\udc00'] = 1;
    expect(checkInputShape(inKey)?.limit).toBe('unicode');

    const astral = sgEgress();
    astral.detail.eventID = 'id-😀-1';
    const accepted = normalizeEvent(astral, ALLOWED);
    expect(accepted.outcome === 'accepted' && accepted.event.eventId).toBe('id-😀-1');
  });
});

describe('smaller cases', () => {
  it('eventTime 9999-12-31T23:59:59-23:59 is outside the range (it would sort before 1970)', () => {
    const event = sgEgress();
    event.detail.eventTime = '9999-12-31T23:59:59-23:59';

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toBe(
      'detail.eventTime: 9999-12-31T23:59:59-23:59 is +010000-01-01T23:58:59.000Z in UTC, outside ' +
        '1970-01-01T00:00:00Z..9999-12-31T23:59:59Z',
    );
  });

  it('eventTime with an offset is normalized to UTC ISO-8601 with milliseconds', () => {
    const event = sgEgress();
    event.detail.eventTime = '2026-06-24T07:10:00+02:00';

    const result = normalizeEvent(event, ALLOWED);

    expect(result.outcome === 'accepted' && result.event.eventTime).toBe('2026-06-24T05:10:00.000Z');
  });

  it('ipProtocol "constructor" is a protocol name, not Object.prototype.constructor', () => {
    const event = sgEgress();
    event.detail.requestParameters.ipPermissions = {
      items: [{ ipProtocol: 'constructor', fromPort: 1, toPort: 2, ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } }],
    };

    const result = normalizeEvent(event, ALLOWED);

    expect(result.outcome).toBe('accepted');
    const rules = (result as { event: SecurityGroupChangedEvent }).event.rules;
    expect(rules[0]).toMatchObject({ protocol: 'constructor', key: 'egress|constructor|1-2|10.0.0.0/8' });
  });

  it('a "__proto__" or "toString" key in a record is data: it neither throws nor reads the prototype', () => {
    const event = sgEgress();
    event.detail.requestParameters = JSON.parse(
      '{"__proto__": {"groupId": "sg-evil"}, "toString": "x", "ipPermissions": {"items": [{"ipProtocol": "6"}]}}',
    ) as Envelope['detail']['requestParameters'];
    event.detail.responseElements = null;

    const result = normalizeEvent(event, ALLOWED);

    // groupId only exists under "__proto__", which is data: there is no groupId, so the event is ignored.
    expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/without a groupId/) });
  });

  it('a foreign envelope source is rejected, naming the expected one', () => {
    const event = sgEgress();
    event.source = 'my.app';

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toBe(
      'source: envelope source "my.app" does not match detail.eventSource ec2.amazonaws.com ' +
        '(CloudTrail events arrive with source aws.ec2)',
    );
  });

  it('an envelope region that differs from detail.awsRegion is rejected', () => {
    const event = sgEgress();
    event.region = 'eu-west-1';

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toBe(
      'region: envelope region eu-west-1 does not match detail.awsRegion us-east-1',
    );
  });

  it('an awsRegion that is not a Region name is rejected', () => {
    const event = sgEgress();
    event.detail.awsRegion = 'us-east-1#x';
    event.region = 'us-east-1#x';

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toMatch(/is not an AWS Region name/);
  });

  it('an account that is not 12 digits is rejected before the allow-list', () => {
    const event = sgEgress();
    event.detail.recipientAccountId = '1111-2222-3333';

    expect(rejected(normalizeEvent(event, ALLOWED)).error).toBe(
      'detail.recipientAccountId: "1111-2222-3333" is not a 12-digit AWS account id',
    );
  });

  it('readOnly "false" (a string) is accepted like the boolean', () => {
    const event = sgEgress();
    event.detail.readOnly = 'false';

    expect(normalizeEvent(event, ALLOWED).outcome).toBe('accepted');
  });
});
