/**
 * What the lab edge accepts: a body-size cap per route and the error each wire protocol answers when a body
 * is over it (docs/lab.md#limits). The caps keep the edge's memory bounded (a body is buffered before it is
 * routed) and keep DynamoDB Local from ever seeing a body it would refuse mid-stream.
 */
import { randomUUID } from 'node:crypto';
import { ec2Error } from './emulators/ec2-wire.js';
import type { LabResponse } from './emulators/http.js';
import { s3Error } from './emulators/s3.js';
import { element, xmlDocument } from './emulators/xml.js';

/** The edge's route names (lab/edge.ts EdgeRoutes keys). */
export type EdgeRouteName =
  | 'dynamodbEndpoint'
  | 'cloudtrail'
  | 'eventbridge'
  | 'ec2'
  | 'sns'
  | 'lambdaCore'
  | 'lambdaFunctions'
  | 'microvms'
  | 'microvmProxy'
  | 'slack'
  | 'ssm'
  | 'sqs'
  | 's3'
  | 'sts';

const MiB = 1024 * 1024;

/**
 * Largest request body per route, in bytes. DynamoDB: 16 MB, the request size limit of DynamoDB
 * (BatchWriteItem / TransactWriteItems; DynamoDB Developer Guide, "Quotas in Amazon DynamoDB"), which DynamoDB
 * Local enforces by answering 413. MicroVM endpoint: 6 MB, as for a Lambda function's synchronous payload.
 * The other APIs take small documents: 1 MiB is far above anything they accept (SNS messages are at most
 * 256 KB) and is a lab choice, not an AWS fact.
 */
export const BODY_LIMITS: Readonly<Record<EdgeRouteName, number>> = Object.freeze({
  dynamodbEndpoint: 16 * MiB,
  microvmProxy: 6 * MiB,
  cloudtrail: MiB,
  eventbridge: MiB,
  ec2: MiB,
  sns: MiB,
  lambdaCore: MiB,
  lambdaFunctions: MiB,
  microvms: MiB,
  slack: MiB,
  // SSM parameters are at most 8 KB (advanced tier); SQS messages at most 256 KiB (lab choice: 1 MiB).
  ssm: MiB,
  sqs: MiB,
  // Report pages with inline SVG charts are a few hundred KB (lab choice: 16 MiB; S3 takes 5 GB per PUT).
  s3: 16 * MiB,
  // STS AssumeRole takes a form of a few KB (policies up to 2,048 characters): 64 KiB is a lab choice.
  sts: 64 * 1024,
});

/** Limit for requests no route claims (they are answered 400 anyway; the body is never needed). */
export const UNROUTED_BODY_LIMIT = 64 * 1024;

/**
 * The 413 answer of `route`'s wire protocol: awsJson (DynamoDB, CloudTrail, EventBridge) and restJson1 (Lambda Core,
 * MicroVMs) as a typed JSON error with X-Amzn-ErrorType, EC2 and SNS query protocols as their XML error
 * documents, plain text for the Slack webhook and the MicroVM endpoint.
 */
export function bodyTooLargeResponse(route: EdgeRouteName | undefined, limit: number): LabResponse {
  const message = `Request body exceeds the maximum of ${limit} bytes`;
  const requestId = randomUUID();
  const close = { connection: 'close', 'x-amzn-requestid': requestId };
  switch (route) {
    case 'dynamodbEndpoint':
    case 'cloudtrail':
    case 'eventbridge':
      return {
        status: 413,
        headers: {
          'content-type': route === 'dynamodbEndpoint' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'RequestEntityTooLargeException',
          ...close,
        },
        body: JSON.stringify({ __type: 'RequestEntityTooLargeException', message }),
      };
    case 'lambdaCore':
    case 'lambdaFunctions':
    case 'microvms':
      return {
        status: 413,
        headers: {
          'content-type': 'application/json',
          'x-amzn-errortype': 'RequestEntityTooLargeException',
          ...close,
        },
        body: JSON.stringify({ message }),
      };
    case 'ec2': {
      const error = ec2Error('RequestEntityTooLarge', message, requestId);
      return { ...error, status: 413, headers: { ...error.headers, ...close } };
    }
    case 'sns':
    case 'sts':
      return {
        status: 413,
        headers: { 'content-type': 'text/xml', ...close },
        body: xmlDocument(
          element(
            'ErrorResponse',
            [
              element('Error', [
                element('Type', 'Sender'),
                element('Code', 'RequestEntityTooLarge'),
                element('Message', message),
              ]),
              element('RequestId', requestId),
            ],
            {
              xmlns:
                route === 'sns'
                  ? 'http://sns.amazonaws.com/doc/2010-03-31/'
                  : 'https://sts.amazonaws.com/doc/2011-06-15/',
            },
          ),
        ),
      };
    case 's3': {
      const error = s3Error(400, 'EntityTooLarge', message);
      return { ...error, headers: { ...error.headers, ...close } };
    }
    default:
      return {
        status: 413,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...close },
        body: `request_too_large: ${message}`,
      };
  }
}
