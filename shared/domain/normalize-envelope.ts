/**
 * The envelope part of normalization: the EventBridge envelope carrying a CloudTrail record, checked against
 * the allow-list, and the fields every normalized event shares (`BaseFields`). The EC2 and Lambda parts
 * (`normalize-ec2.ts`, `normalize-lambda.ts`) build on these; `normalize.ts` ties them together.
 */
import { actorOf } from './actor.js';
import { CloudTrailEnvelopeSchema, type CloudTrailRecord, describeIssues } from './event-schema.js';
import type { NormalizedEvent, NormalizeResult } from './model.js';
import { isObject, path, str } from './record-fields.js';

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
 * Validates the EventBridge envelope and its CloudTrail record, applies the account allow-list and the
 * detail-type check. Returns the checked envelope, or the final `NormalizeResult` (rejected / ignored).
 */
export function checkEnvelope(raw: unknown, options: NormalizeOptions): CheckedEnvelope | NormalizeResult {
  const guessedId = str(path(raw, 'detail', 'eventID'));
  if (!isObject(raw)) return { outcome: 'rejected', eventId: null, error: 'event is not a JSON object' };
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
  const account = record.recipientAccountId ?? envelope.account;
  for (const candidate of new Set([envelope.account, account])) {
    if (!options.allowedAccounts.has(candidate)) {
      return {
        outcome: 'rejected',
        eventId: record.eventID,
        error: `account ${candidate} is not on the allow-list (EGRESS_WATCH_ALLOWED_ACCOUNTS)`,
      };
    }
  }
  if (envelope['detail-type'] !== 'AWS API Call via CloudTrail') {
    return {
      outcome: 'ignored',
      eventId: record.eventID,
      reason: `unsupported detail-type "${envelope['detail-type']}"`,
    };
  }
  return { record, base: baseOf(record, account) };
}

function baseOf(record: CloudTrailRecord, account: string): BaseFields {
  return {
    eventId: record.eventID,
    eventTime: new Date(record.eventTime).toISOString(),
    eventName: record.eventName,
    eventSource: record.eventSource,
    account,
    region: record.awsRegion,
    actor: actorOf(record.userIdentity),
    errorCode: record.errorCode ?? null,
    errorMessage: record.errorMessage ?? null,
  };
}
