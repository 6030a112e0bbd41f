/**
 * The envelope part of normalization: the EventBridge envelope carrying a CloudTrail record, checked against
 * the allow-list, and the fields every normalized event shares (`BaseFields`). The EC2 and Lambda parts
 * (`normalize-ec2.ts`, `normalize-lambda.ts`) build on these; `normalize.ts` ties them together.
 */
import { actorOf } from './actor.js';
import { CloudTrailEnvelopeSchema, type CloudTrailRecord, describeIssues } from './event-schema.js';
import { checkFieldBytes, checkInputShape, clipText, loneSurrogateAt } from './input-limits.js';
import type { NormalizedEvent, NormalizeResult } from './model.js';
import { isObject, path } from './record-fields.js';

/** The fields every normalized event carries, before an event family adds its `kind` and own fields. */
export type BaseFields = Omit<NormalizedEvent, 'kind'> & Record<string, unknown>;

/** What an event family's normalizer returns: the event, or why it is not tracked. */
export type FamilyOutcome = NormalizedEvent | { ignore: string };

/** Options of `normalizeEvent`. */
export interface NormalizeOptions {
  /** 12-digit account ids whose events are accepted; anything else is rejected. */
  allowedAccounts: ReadonlySet<string>;
}

/** An envelope that passed validation and the allow-list: the CloudTrail record and its shared fields. */
export interface CheckedEnvelope {
  record: CloudTrailRecord;
  base: BaseFields;
}

/**
 * Validates the EventBridge envelope and its CloudTrail record: input limits first (depth, size, Unicode;
 * `input-limits.ts`), then the schema, the key fields, the envelope/record consistency, the account
 * allow-list and the detail-type. Returns the checked envelope, or the final `NormalizeResult` (rejected with
 * a reason naming the field and the limit, or ignored). Never throws on any JSON value.
 */
export function checkEnvelope(raw: unknown, options: NormalizeOptions): CheckedEnvelope | NormalizeResult {
  if (!isObject(raw)) return { outcome: 'rejected', eventId: null, error: 'event is not a JSON object' };
  const guessedId = displayEventId(path(raw, 'detail', 'eventID'));
  const shape = checkInputShape(raw);
  if (shape) return { outcome: 'rejected', eventId: guessedId, error: shape.error };
  if (!isObject(raw.detail)) {
    return {
      outcome: 'rejected',
      eventId: guessedId,
      error: `detail: expected a CloudTrail record object, got ${raw.detail === null ? 'null' : typeof raw.detail}`,
    };
  }
  const parsed = CloudTrailEnvelopeSchema.safeParse(raw);
  if (!parsed.success) return { outcome: 'rejected', eventId: guessedId, error: describeIssues(parsed.error) };
  const envelope = parsed.data;
  const record = envelope.detail;
  const reject = (error: string): NormalizeResult => ({ outcome: 'rejected', eventId: guessedId, error });
  const keys =
    checkFieldBytes('detail.eventID', record.eventID, 'eventIdBytes') ??
    checkFieldBytes('detail.eventName', record.eventName, 'nameBytes') ??
    checkFieldBytes('detail.eventSource', record.eventSource, 'nameBytes') ??
    checkFieldBytes('detail.awsRegion', record.awsRegion, 'regionBytes') ??
    checkFieldBytes('region', envelope.region, 'regionBytes');
  if (keys) return reject(keys.error);
  if (!REGION_NAME.test(record.awsRegion)) {
    return reject(`detail.awsRegion: "${record.awsRegion}" is not an AWS Region name (like us-east-1)`);
  }
  if (envelope.region !== record.awsRegion) {
    return reject(`region: envelope region ${envelope.region} does not match detail.awsRegion ${record.awsRegion}`);
  }
  const expectedSource = envelopeSourceOf(record.eventSource);
  if (envelope.source !== expectedSource) {
    return reject(
      `source: envelope source "${clipText(envelope.source, 64)}" does not match detail.eventSource ` +
        `${record.eventSource} (CloudTrail events arrive with source ${expectedSource ?? 'aws.<service>'})`,
    );
  }
  const account = record.recipientAccountId ?? envelope.account;
  for (const [field, value] of [
    ['account', envelope.account],
    ['detail.recipientAccountId', account],
  ] as const) {
    if (!ACCOUNT_ID.test(value)) return reject(`${field}: "${clipText(value, 64)}" is not a 12-digit AWS account id`);
  }
  const eventTime = utcEventTime(record.eventTime);
  if (typeof eventTime !== 'string') return reject(eventTime.error);
  for (const candidate of new Set([envelope.account, account])) {
    if (!options.allowedAccounts.has(candidate)) {
      return reject(`account ${candidate} is not on the allow-list (EGRESS_WATCH_ALLOWED_ACCOUNTS)`);
    }
  }
  if (envelope['detail-type'] !== 'AWS API Call via CloudTrail') {
    return {
      outcome: 'ignored',
      eventId: record.eventID,
      reason: `unsupported detail-type "${clipText(envelope['detail-type'], 128)}"`,
    };
  }
  return { record, base: baseOf(record, account, eventTime) };
}

/** AWS Region names: us-east-1, ap-southeast-4, us-gov-west-1, eu-isoe-west-1, cn-north-1. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
const EARLIEST_EVENT_TIME = Date.UTC(1970, 0, 1);
const LATEST_EVENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MAX_DISPLAYED_EVENT_ID_BYTES = 128;

/** The EventBridge `source` of a CloudTrail event: "ec2.amazonaws.com" → "aws.ec2". */
function envelopeSourceOf(eventSource: string): string | null {
  const service = eventSource.match(/^([a-z0-9-]+)\.amazonaws\.com$/)?.[1];
  return service ? `aws.${service}` : null;
}

/**
 * eventTime → UTC ISO-8601 with milliseconds ("2026-06-24T07:20:00.000Z"), so the log's lexical order is
 * time order. Times that are not four-digit years in UTC (before 1970 or after 9999) are refused: their ISO
 * form ("+010000-…") would sort before 1970.
 */
function utcEventTime(eventTime: string): string | { error: string } {
  const ms = Date.parse(eventTime);
  if (Number.isNaN(ms)) return { error: `detail.eventTime: "${eventTime}" is not a valid date` };
  if (ms < EARLIEST_EVENT_TIME || ms > LATEST_EVENT_TIME) {
    return {
      error:
        `detail.eventTime: ${eventTime} is ${new Date(ms).toISOString()} in UTC, outside ` +
        '1970-01-01T00:00:00Z..9999-12-31T23:59:59Z',
    };
  }
  return new Date(ms).toISOString();
}

/** The eventID as far as it can be shown: strings only, well-formed, at most 128 bytes (marked when cut). */
function displayEventId(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const wellFormed = loneSurrogateAt(value) >= 0 ? value.replace(/[\ud800-\udfff]/g, '\ufffd') : value;
  return clipText(wellFormed, MAX_DISPLAYED_EVENT_ID_BYTES);
}

function baseOf(record: CloudTrailRecord, account: string, eventTime: string): BaseFields {
  return {
    eventId: record.eventID,
    eventTime,
    eventName: record.eventName,
    eventSource: record.eventSource,
    account,
    region: record.awsRegion,
    actor: actorOf(record.userIdentity),
    errorCode: record.errorCode ?? null,
    errorMessage: record.errorMessage ?? null,
  };
}
