/**
 * The deployed handlers as Lambda runs them: `handler` built from the environment and wrapped in the
 * Powertools middleware. The DynamoDB client is mocked (aws-sdk-client-mock), so no network; what is checked
 * is what CloudWatch would receive on stdout: the EMF metrics document flushed by the middleware (cold start
 * once, the per-function counts) and log lines carrying the Lambda context and the CloudTrail eventID as
 * correlation id.
 */
import type { Context, DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadFixture } from '../../support/fixtures.js';

type DocumentModule = typeof import('@aws-sdk/lib-dynamodb');
// biome-ignore lint/suspicious/noExplicitAny: the stub's input/output types are the client's, checked by the SDK.
let ddb: AwsStub<any, any, any>;
let doc: DocumentModule;

function context(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Every JSON document written to the console or stdout while `run` ran. */
async function captureOutput(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const collect = (...args: unknown[]) => {
    chunks.push(args.map(String).join(' '));
  };
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(collect),
    vi.spyOn(console, 'info').mockImplementation(collect),
    vi.spyOn(console, 'warn').mockImplementation(collect),
    vi.spyOn(console, 'error').mockImplementation(collect),
    vi.spyOn(console, 'debug').mockImplementation(collect),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks.flatMap((chunk) => {
    try {
      return [JSON.parse(chunk) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

function metricNames(document: Record<string, unknown>): string[] {
  const aws = document._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
  return (aws?.CloudWatchMetrics ?? []).flatMap((m) => m.Metrics.map((metric) => metric.Name));
}

beforeEach(async () => {
  // A fresh module graph per test, so each handler starts cold; the SDK is mocked in that same graph.
  vi.resetModules();
  doc = await import('@aws-sdk/lib-dynamodb');
  // The store talks through the document client: stub that one.
  ddb = mockClient(doc.DynamoDBDocumentClient);
  // Lambda sets this; Powertools only reports ColdStart for on-demand environments.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  vi.stubEnv('EGRESS_WATCH_TABLE', 'egress-watch-test');
  vi.stubEnv('EGRESS_WATCH_ALLOWED_ACCOUNTS', '111122223333');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});

afterEach(() => {
  ddb.restore();
  vi.unstubAllEnvs();
});

describe('ingest handler (deployed form)', () => {
  it('flushes ColdStart once and the event counts each invocation, through the middleware', async () => {
    ddb.on(doc.PutCommand).resolves({});
    const { handler } = await import('../../../functions/ingest.js');
    const event = loadFixture('lambda', 'create-network-connector') as EventBridgeEvent<string, unknown>;

    const first = await captureOutput(() => handler(event, context('egress-watch-dev-ingest')));
    const second = await captureOutput(() => handler(event, context('egress-watch-dev-ingest')));

    const firstMetrics = first.flatMap(metricNames);
    const secondMetrics = second.flatMap(metricNames);
    expect(firstMetrics).toContain('ColdStart');
    expect(firstMetrics).toContain('eventsStored');
    expect(secondMetrics).not.toContain('ColdStart');
    expect(secondMetrics).toContain('eventsStored');
    expect(ddb.commandCalls(doc.PutCommand)).toHaveLength(2);
  });

  it('logs a rejected event with the Lambda context and its eventID as correlation id', async () => {
    ddb.on(doc.PutCommand).resolves({});
    const { handler } = await import('../../../functions/ingest.js');
    const event = loadFixture('lambda', 'create-network-connector') as EventBridgeEvent<
      string,
      { eventID: string; recipientAccountId: string }
    >;
    const foreign = structuredClone(event);
    foreign.account = '999999999999';
    foreign.detail.recipientAccountId = '999999999999';
    foreign.detail.eventID = 'foreign-event-0001';

    const rejected = await captureOutput(() => handler(foreign, context('egress-watch-dev-ingest')));

    expect(rejected.flatMap(metricNames)).toContain('eventsRejected');
    const warning = rejected.find((line) => line.message === 'event rejected');
    expect(warning).toMatchObject({
      correlation_id: 'foreign-event-0001',
      function_name: 'egress-watch-dev-ingest',
      level: 'WARN',
    });
    expect(warning?.function_request_id).toEqual(expect.any(String));
    // The quarantine write is the only store request.
    expect(ddb.commandCalls(doc.PutCommand)).toHaveLength(1);
  });
});

describe('project handler (deployed form)', () => {
  it('reports a failed projection as a batch item failure and flushes projectionFailed', async () => {
    const { handler } = await import('../../../functions/project.js');
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventName: 'INSERT',
          dynamodb: {
            Keys: { pk: { S: 'LOG#111122223333#us-east-1' }, sk: { S: 'EVT#2026-06-24T01:00:00.000Z#e1' } },
            SequenceNumber: '100',
            ApproximateCreationDateTime: 1_782_262_800,
          },
        },
      ],
    };
    // Every DynamoDB call fails: the projection cannot read the log.
    ddb.onAnyCommand().rejects(new Error('service unavailable'));

    let result: unknown;
    const output = await captureOutput(async () => {
      result = await handler(event, context('egress-watch-dev-project'));
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    expect(output.flatMap(metricNames)).toEqual(expect.arrayContaining(['ColdStart', 'projectionFailed']));
    expect(output.find((line) => line.message === 'projection failed')).toMatchObject({
      function_name: 'egress-watch-dev-project',
      level: 'ERROR',
    });
  });
});
