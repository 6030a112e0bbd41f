/**
 * zod schemas for what ingest accepts: the EventBridge envelope (Powertools' schema) carrying a CloudTrail
 * record. Only the fields egress-watch relies on are required; everything else is tolerated.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp string' });

export const UserIdentitySchema = z.looseObject({
  type: z.string().optional(),
  arn: z.string().optional(),
  principalId: z.string().optional(),
  accountId: z.string().optional(),
  invokedBy: z.string().optional(),
  userName: z.string().optional(),
  sessionContext: z
    .looseObject({
      sessionIssuer: z
        .looseObject({ arn: z.string().optional(), userName: z.string().optional(), type: z.string().optional() })
        .optional(),
    })
    .optional(),
});

export const CloudTrailRecordSchema = z.looseObject({
  eventID: z.string().min(1, 'eventID must not be empty'),
  eventTime: isoTime,
  eventName: z.string().min(1),
  eventSource: z.string().min(1),
  awsRegion: z.string().min(1),
  recipientAccountId: z.string().optional(),
  userIdentity: UserIdentitySchema,
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  readOnly: z.boolean().optional(),
  eventCategory: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  responseElements: z.record(z.string(), z.unknown()).nullable().optional(),
});

export const CloudTrailEnvelopeSchema = EventBridgeSchema.extend({
  detail: CloudTrailRecordSchema,
});

export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;
export type CloudTrailEnvelope = z.infer<typeof CloudTrailEnvelopeSchema>;

/** "detail.eventTime: expected an ISO-8601 timestamp string" — one line per problem, paths included. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(event)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
