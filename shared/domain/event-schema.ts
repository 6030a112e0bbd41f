/**
 * Schemas for what ingest accepts: the EventBridge envelope (fields as in "Amazon EventBridge events",
 * https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html) carrying a CloudTrail
 * record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * Only the fields egress-watch relies on are required; everything else is tolerated. Written with `zod/mini`
 * and no error-message locales, so the Lambda bundles stay small (docs/ingest.md, cold start).
 */
import * as z from 'zod/mini';

const text = z.string();
const optionalText = z.optional(z.string());
const nonEmpty = z.string().check(z.minLength(1));
const ISO_TIME_MESSAGE = 'expected an ISO-8601 timestamp string';
const isoTime = z.iso.datetime({ offset: true, error: ISO_TIME_MESSAGE });

export const UserIdentitySchema = z.looseObject({
  type: optionalText,
  arn: optionalText,
  principalId: optionalText,
  accountId: optionalText,
  invokedBy: optionalText,
  userName: optionalText,
  sessionContext: z.optional(
    z.looseObject({
      sessionIssuer: z.optional(z.looseObject({ arn: optionalText, userName: optionalText, type: optionalText })),
    }),
  ),
});

const body = z.optional(z.nullable(z.record(z.string(), z.unknown())));

export const CloudTrailRecordSchema = z.looseObject({
  eventID: nonEmpty,
  eventTime: isoTime,
  eventName: nonEmpty,
  eventSource: nonEmpty,
  awsRegion: nonEmpty,
  recipientAccountId: optionalText,
  userIdentity: UserIdentitySchema,
  errorCode: optionalText,
  errorMessage: optionalText,
  // CloudTrail writes a boolean; some exports and re-emitters write the string. Both mean the same.
  readOnly: z.optional(z.union([z.boolean(), z.enum(['true', 'false'])])),
  eventCategory: optionalText,
  requestParameters: body,
  responseElements: body,
});

/** The EventBridge envelope with a CloudTrail record as `detail`. */
export const CloudTrailEnvelopeSchema = z.looseObject({
  version: text,
  id: text,
  source: nonEmpty,
  account: text,
  time: isoTime,
  region: nonEmpty,
  resources: z.array(z.string()),
  'detail-type': text,
  detail: CloudTrailRecordSchema,
  'replay-name': optionalText,
});

export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;
export type CloudTrailEnvelope = z.infer<typeof CloudTrailEnvelopeSchema>;

/** A schema problem as zod reports it (the fields `describeIssues` reads). */
interface Issue {
  code: string;
  path: PropertyKey[];
  expected?: string;
  format?: string;
  minimum?: number | bigint;
  message: string;
}

/** zod's message when no locale is loaded; anything else is a message the schema above set. */
const GENERIC_MESSAGE = 'Invalid input';

function describeIssue(issue: Issue): string {
  if (issue.message && issue.message !== GENERIC_MESSAGE) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected ?? 'a different type'}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? ISO_TIME_MESSAGE : `expected ${issue.format} format`;
    case 'too_small':
      return issue.minimum === 1 ? 'must not be empty' : `must have at least ${String(issue.minimum)} items`;
    case 'invalid_union':
    case 'invalid_value':
      return 'unexpected value';
    default:
      return issue.message;
  }
}

/**
 * "detail.eventTime: expected an ISO-8601 timestamp string" — one clause per problem, paths included,
 * joined with "; ". Messages are built from the issue codes, so no zod locale is bundled.
 */
export function describeIssues(error: { issues: readonly Issue[] }): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(event)';
      return `${where}: ${describeIssue(issue)}`;
    })
    .join('; ');
}
