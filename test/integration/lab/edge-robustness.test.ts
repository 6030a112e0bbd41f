/**
 * The lab edge under hostile clients (docs/lab.md#limits): bodies over a route's cap are answered 413 in the
 * route's protocol without being buffered, a body DynamoDB Local refuses mid-stream ends that exchange only,
 * slow and vanishing clients are timed out or dropped, and the edge keeps serving everyone else throughout.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Edge, startEdge } from '../../../lab/edge.js';
import { jsonResponse } from '../../../lab/emulators/http.js';

const MiB = 1024 * 1024;
const DYNAMODB_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20260624/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
};
const EC2_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20260624/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
};

let edge: Edge;

interface Answer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

/** Sends `size` bytes (with Content-Length, or chunked) and collects whatever comes back. */
function send(headers: Record<string, string>, size: number, chunked = false): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (!settled) {
        settled = true;
        resolve(answer);
      }
    };
    const url = new URL(edge.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: chunked ? headers : { ...headers, 'content-length': String(size) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => done({ status: res.statusCode, headers: res.headers, body }));
        res.on('error', (error) => done({ status: res.statusCode, headers: res.headers, body, error: error.message }));
      },
    );
    req.on('error', (error) => done({ status: undefined, headers: {}, body: '', error: error.message }));
    req.on('socket', (socket) => socket.on('error', () => undefined)); // a write after the edge closed: EPIPE
    const chunk = Buffer.alloc(MiB, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** The edge still answers a real SDK call through the DynamoDB route. */
async function edgeAnswers(): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: edge.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const tables = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(tables.TableNames)).toBe(true);
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  edge = await startEdge({
    routes: {
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      ec2: async () => jsonResponse(200, { ok: true }),
    },
    requestTimeoutMs: 2000,
  });
});

afterAll(async () => {
  await edge?.close();
});

describe('lab edge limits', () => {
  it('answers a DynamoDB body over 16 MiB with a 413 awsJson error, and keeps serving', async () => {
    const answer = await send(DYNAMODB_HEADERS, 17 * MiB);
    // The edge refuses it from Content-Length, before reading; the client may see the 413 or a reset.
    if (answer.status !== undefined) {
      expect(answer.status).toBe(413);
      expect(answer.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
      expect(JSON.parse(answer.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    }
    await edgeAnswers();
  });

  it('stops reading a chunked EC2 body at the cap and answers the EC2 XML error', async () => {
    const answer = await send(EC2_HEADERS, 3 * MiB, true);
    if (answer.status !== undefined) {
      expect(answer.status).toBe(413);
      expect(answer.body).toContain('<Code>RequestEntityTooLarge</Code>');
    }
    await edgeAnswers();
  });

  it('survives a body DynamoDB Local itself refuses mid-stream (early 413, then EPIPE)', async () => {
    // An edge whose cap is above DynamoDB Local's own limit forwards the body; DynamoDB Local answers 413
    // before reading it all and closes, so the edge's write fails with EPIPE: that exchange ends, nothing else.
    const lenient = await startEdge({
      routes: { dynamodbEndpoint: inject('dynamodbEndpoint') },
      bodyLimits: { dynamodbEndpoint: 64 * MiB },
    });
    const strict = edge;
    edge = lenient;
    try {
      const answer = await send(DYNAMODB_HEADERS, 24 * MiB);
      expect(answer.status === undefined ? answer.error : answer.status).toBeDefined();
      if (answer.status !== undefined) expect(answer.status).toBeGreaterThanOrEqual(400);
      await edgeAnswers();
    } finally {
      edge = strict;
      await lenient.close();
    }
    await edgeAnswers();
  });

  it('times out a slow client with 408 while serving others', async () => {
    const url = new URL(edge.url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(
      `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-amz-json-1.0\r\n` +
        `X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{`,
    );
    // One byte every 300 ms: the whole request would take 30 s; the edge allows 2 s.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 300);
    try {
      await edgeAnswers(); // others are served meanwhile
      await closed;
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    await edgeAnswers();
  });

  it('drops a client that disconnects mid-body', async () => {
    const url = new URL(edge.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(
      `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-amz-json-1.0\r\n` +
        `X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 1000000\r\n\r\n{"a":`,
    );
    socket.destroy();
    await edgeAnswers();
  });
});
