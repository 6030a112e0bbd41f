/**
 * CloudTrail-via-EventBridge → NormalizedEvent. The envelope is checked by `normalize-envelope.ts`; each
 * event family is normalized by its part (`normalize-ec2.ts`, `normalize-lambda.ts`), which reads the record
 * defensively (list quirks, key casing) and says precisely why an event is ignored or rejected.
 * See docs/ingest.md.
 */
import type { CloudTrailRecord } from './event-schema.js';
import { INPUT_LIMITS, utf8Bytes } from './input-limits.js';
import type { NormalizeResult } from './model.js';
import { normalizeEc2 } from './normalize-ec2.js';
import { type BaseFields, checkEnvelope, type FamilyOutcome, type NormalizeOptions } from './normalize-envelope.js';
import { normalizeLambda } from './normalize-lambda.js';

export type { NormalizeOptions } from './normalize-envelope.js';

/**
 * One raw EventBridge event → accepted (a `NormalizedEvent`), ignored (with the reason) or rejected (with
 * the error). Never throws; inputs over the limits in `input-limits.ts` are rejected naming the limit.
 */
export function normalizeEvent(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const checked = checkEnvelope(raw, options);
  if ('outcome' in checked) return checked;
  const { record, base } = checked;
  const outcome = dispatch(record, base);
  if ('ignore' in outcome) return { outcome: 'ignored', eventId: record.eventID, reason: outcome.ignore };
  const bytes = utf8Bytes(JSON.stringify(outcome));
  if (bytes > INPUT_LIMITS.storedEventBytes) {
    return {
      outcome: 'rejected',
      eventId: record.eventID,
      error: `normalized event is ${bytes} bytes, over the ${INPUT_LIMITS.storedEventBytes}-byte stored-event limit (limit storedEventBytes)`,
    };
  }
  return { outcome: 'accepted', event: outcome };
}

function dispatch(record: CloudTrailRecord, base: BaseFields): FamilyOutcome {
  const name = record.eventName;
  if (record.eventSource === 'ec2.amazonaws.com') return normalizeEc2(name, record, base);
  if (record.eventSource === 'lambda.amazonaws.com') return normalizeLambda(name, record, base);
  return { ignore: `unsupported event source ${record.eventSource} (${name})` };
}
