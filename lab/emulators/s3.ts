/**
 * S3 over its REST-XML protocol, path-style (`PUT|GET|HEAD /<bucket>/<key>`), enough for the report archive:
 * PutObject and GetObject on buckets the lab created (docs/lab.md). Objects keep their body, Content-Type and
 * `x-amz-server-side-encryption`; the ETag is the body's MD5 in quotes, as S3 answers for a single-part PUT.
 * Errors are S3's XML error documents (`NoSuchBucket`, `NoSuchKey`; Amazon S3 API Reference, "Error responses").
 * Streaming uploads (`Content-Encoding: aws-chunked`) are refused with `NotImplemented`: the report puts strings.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Emulator, LabResponse } from './http.js';
import { element, xmlDocument } from './xml.js';

/** One stored object. */
export interface LabS3Object {
  body: Buffer;
  contentType: string | undefined;
  serverSideEncryption: string | undefined;
  etag: string;
  lastModified: string;
}

export type S3Emulator = Emulator & {
  /** Bucket name → key → object. */
  readonly buckets: Map<string, Map<string, LabS3Object>>;
  createBucket(name: string): void;
};

/** An S3 error document with its status (Amazon S3 API Reference, "Error responses"). */
export function s3Error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): LabResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: xmlDocument(
      element('Error', [
        element('Code', code),
        element('Message', message),
        ...Object.entries(extra).map(([k, v]) => element(k, v)),
        element('RequestId', requestId),
      ]),
    ),
  };
}

export function createS3Emulator(options: { clock?: Clock } = {}): S3Emulator {
  const buckets = new Map<string, Map<string, LabS3Object>>();
  const now = () => (options.clock?.now() ?? new Date()).toUTCString();

  const emulator: Emulator = async (req) => {
    const [, bucketName = '', ...keyParts] = req.path.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const bucket = buckets.get(decodeURIComponent(bucketName));
    if (!bucket) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucketName });
    if (key === '') return s3Error(501, 'NotImplemented', `The lab's S3 has no bucket-level ${req.method}`);
    switch (req.method) {
      case 'PUT': {
        if ((req.headers['content-encoding'] ?? '').includes('aws-chunked'))
          return s3Error(501, 'NotImplemented', "The lab's S3 does not take aws-chunked streaming uploads");
        if (req.headers['x-amz-copy-source']) return s3Error(501, 'NotImplemented', "The lab's S3 has no CopyObject");
        const etag = `"${createHash('md5').update(req.body).digest('hex')}"`;
        const sse = req.headers['x-amz-server-side-encryption'];
        bucket.set(key, {
          body: Buffer.from(req.body),
          contentType: req.headers['content-type'],
          serverSideEncryption: sse,
          etag,
          lastModified: now(),
        });
        return {
          status: 200,
          headers: { etag, 'x-amz-request-id': randomUUID(), ...(sse ? { 'x-amz-server-side-encryption': sse } : {}) },
          body: '',
        };
      }
      case 'GET':
      case 'HEAD': {
        const object = bucket.get(key);
        if (!object) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
        return {
          status: 200,
          headers: {
            etag: object.etag,
            'last-modified': object.lastModified,
            'content-type': object.contentType ?? 'binary/octet-stream',
            'content-length': String(object.body.length),
            ...(object.serverSideEncryption ? { 'x-amz-server-side-encryption': object.serverSideEncryption } : {}),
          },
          body: req.method === 'GET' ? object.body : '',
        };
      }
      default:
        return s3Error(405, 'MethodNotAllowed', `The lab's S3 does not allow ${req.method} on an object`);
    }
  };
  return Object.assign(emulator, {
    buckets,
    createBucket(name: string): void {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
  });
}
