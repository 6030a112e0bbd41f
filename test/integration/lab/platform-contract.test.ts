/**
 * Contract tests for the lab's platform emulators: the official AWS SDK clients talk to them over real
 * loopback HTTP, directly and through the edge.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { LambdaMicrovmsClient, ListMicrovmsCommand } from '@aws-sdk/client-lambda-microvms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { CallerRegistry, callerFromAuthorization, type Edge, startEdge } from '../../../lab/edge.js';
import { createCloudTrailEmulator } from '../../../lab/emulators/cloudtrail.js';
import { type Emulator, jsonResponse, type LabRequest } from '../../../lab/emulators/http.js';
import { createSlackWebhookReceiver } from '../../../lab/emulators/slack-webhook.js';
import { createSnsEmulator } from '../../../lab/emulators/sns.js';
import { buildCloudTrailRecord } from '../../../lab/trail/record.js';
import { LabTrail } from '../../../lab/trail/store.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:egress-watch-alerts`;
const credentials = { accessKeyId: 'AKIDLABTEST', secretAccessKey: 'lab-secret' };
const clientConfig = (endpoint: string) => ({ endpoint, region: REGION, credentials, maxAttempts: 1 });

const START = Date.parse('2026-06-24T00:00:00Z');
const EVENT_NAMES = ['CreateNetworkInterface', 'DeleteNetworkInterface', 'CreateRoute'] as const;

/** 120 management writes one minute apart (rotating names), plus a read-only call and a data event. */
function seededTrail(): LabTrail {
  const trail = new LabTrail();
  for (let index = 0; index < 120; index++) {
    trail.emit(
      buildCloudTrailRecord({
        time: new Date(START + index * 60_000),
        account: ACCOUNT,
        region: REGION,
        caller: { kind: 'user', account: ACCOUNT, userName: index % 2 === 0 ? 'alice' : 'bob' },
        eventSource: 'ec2.amazonaws.com',
        eventName: EVENT_NAMES[index % 3] as string,
        requestParameters: { networkInterfaceId: `eni-${index.toString(16).padStart(8, '0')}` },
        responseElements: { _return: true },
      }),
    );
  }
  const base = {
    account: ACCOUNT,
    region: REGION,
    caller: { kind: 'user', account: ACCOUNT, userName: 'alice' } as const,
  };
  trail.emit(
    buildCloudTrailRecord({
      ...base,
      time: new Date(START + 30 * 60_000),
      eventSource: 'lambda.amazonaws.com',
      eventName: 'RunMicrovm',
      requestParameters: {},
      responseElements: {},
      eventCategory: 'Data',
    }),
  );
  return trail;
}

describe('CloudTrail LookupEvents', () => {
  let server: ServedEmulator;
  let client: CloudTrailClient;
  beforeAll(async () => {
    server = await serveEmulator(createCloudTrailEmulator(seededTrail()));
    client = new CloudTrailClient(clientConfig(server.endpoint));
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('pages through all 120 management events, newest first', async () => {
    const pages: number[] = [];
    const times: number[] = [];
    const ids = new Set<string>();
    for await (const page of paginateLookupEvents({ client }, {})) {
      pages.push(page.Events?.length ?? 0);
      for (const event of page.Events ?? []) {
        times.push(event.EventTime?.getTime() ?? 0);
        ids.add(event.EventId ?? '');
      }
    }
    expect(pages).toEqual([50, 50, 20]);
    expect(ids.size).toBe(120);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(START + 119 * 60_000);
  });

  it('returns the Event history shape', async () => {
    const { Events } = await client.send(new LookupEventsCommand({ MaxResults: 1 }));
    const [event] = Events ?? [];
    expect(event).toMatchObject({
      EventName: 'CreateRoute',
      ReadOnly: 'false',
      EventSource: 'ec2.amazonaws.com',
      Username: 'bob',
      Resources: [{ ResourceType: 'AWS::EC2::NetworkInterface', ResourceName: 'eni-00000077' }],
    });
    expect(event?.AccessKeyId).toMatch(/^ASIA/);
    expect(JSON.parse(event?.CloudTrailEvent ?? '{}')).toMatchObject({
      eventID: event?.EventId,
      eventName: 'CreateRoute',
    });
  });

  it('filters by one lookup attribute and a time window', async () => {
    const byName = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteNetworkInterface' }],
      }),
    );
    expect(byName.Events).toHaveLength(40);
    expect(new Set(byName.Events?.map((event) => event.EventName))).toEqual(new Set(['DeleteNetworkInterface']));

    const byResource = await client.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'eni-0000000a' }] }),
    );
    expect(byResource.Events?.map((event) => event.EventTime?.getTime())).toEqual([START + 10 * 60_000]);

    const window = await client.send(
      new LookupEventsCommand({
        StartTime: new Date(START + 10 * 60_000),
        EndTime: new Date(START + 19 * 60_000),
        LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }],
      }),
    );
    expect(window.Events?.map((event) => (event.EventTime?.getTime() ?? 0) - START)).toEqual(
      [18, 16, 14, 12, 10].map((minute) => minute * 60_000),
    );
    expect(window.NextToken).toBeUndefined();
  });

  it('keeps data events out of Event history', async () => {
    const { Events } = await client.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunMicrovm' }] }),
    );
    expect(Events).toEqual([]);
  });

  it.each([
    [
      'two lookup attributes',
      {
        LookupAttributes: [
          { AttributeKey: 'EventName' as const, AttributeValue: 'CreateRoute' },
          { AttributeKey: 'Username' as const, AttributeValue: 'alice' },
        ],
      },
      'InvalidLookupAttributesException',
    ],
    [
      'an unknown attribute key',
      { LookupAttributes: [{ AttributeKey: 'Region' as never, AttributeValue: 'x' }] },
      'InvalidLookupAttributesException',
    ],
    ['a forged NextToken', { NextToken: 'not-a-token' }, 'InvalidNextTokenException'],
    ['MaxResults above 50', { MaxResults: 51 }, 'InvalidMaxResultsException'],
    [
      'an inverted time range',
      { StartTime: new Date(START + 1000), EndTime: new Date(START) },
      'InvalidTimeRangeException',
    ],
  ])('rejects %s', async (_name, input, errorName) => {
    const failure = await client.send(new LookupEventsCommand(input)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: errorName, $metadata: { httpStatusCode: 400 } });
  });

  it('rejects a NextToken from a different query', async () => {
    const first = await client.send(new LookupEventsCommand({ MaxResults: 5 }));
    const failure = await client
      .send(
        new LookupEventsCommand({
          NextToken: first.NextToken,
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRoute' }],
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidNextTokenException' });
  });
});

describe('SNS Publish', () => {
  const sns = createSnsEmulator({ topics: [TOPIC], clock: new VirtualClock() });
  let server: ServedEmulator;
  let client: SNSClient;
  beforeAll(async () => {
    server = await serveEmulator(sns);
    client = new SNSClient(clientConfig(server.endpoint));
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('captures a message with its attributes and returns a MessageId', async () => {
    const answer = await client.send(
      new PublishCommand({
        TopicArn: TOPIC,
        Subject: 'connector-deleted-while-in-use <critical>',
        Message: JSON.stringify({ rule: 'connector-deleted-while-in-use', status: 'open' }),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'critical' },
          count: { DataType: 'Number', StringValue: '3' },
        },
      }),
    );
    expect(answer.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sns.published.at(-1)).toEqual({
      messageId: answer.MessageId,
      topicArn: TOPIC,
      subject: 'connector-deleted-while-in-use <critical>',
      message: '{"rule":"connector-deleted-while-in-use","status":"open"}',
      messageAttributes: {
        severity: { dataType: 'String', stringValue: 'critical' },
        count: { dataType: 'Number', stringValue: '3' },
      },
      publishedAt: '2026-06-24T01:00:00.000Z',
    });
  });

  it('answers NotFound for a topic that does not exist', async () => {
    const before = sns.published.length;
    const failure = await client
      .send(new PublishCommand({ TopicArn: `${TOPIC}-missing`, Message: 'x' }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    expect((failure as Error).message).toBe('Topic does not exist');
    expect(sns.published).toHaveLength(before);
  });

  it('rejects a message attribute without a value', async () => {
    const failure = await client
      .send(new PublishCommand({ TopicArn: TOPIC, Message: 'x', MessageAttributes: { a: { DataType: 'String' } } }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });
});

describe('Slack webhook receiver', () => {
  const slack = createSlackWebhookReceiver();
  let server: ServedEmulator;
  const hook = '/services/T0LAB0001/B0LAB0002/labsecret123';
  const post = (body: string, path = hook) =>
    fetch(`${server.endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  beforeAll(async () => {
    server = await serveEmulator(slack);
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts a message and captures it', async () => {
    const response = await post(JSON.stringify({ text: 'hello', blocks: [{ type: 'section' }] }));
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
    expect(slack.messages.at(-1)).toMatchObject({
      team: 'T0LAB0001',
      channelHook: 'B0LAB0002',
      payload: { text: 'hello', blocks: [{ type: 'section' }] },
    });
  });

  it('fails the next requests on demand, with Retry-After', async () => {
    slack.failNext(2, { status: 429, retryAfterSeconds: 7 });
    for (let index = 0; index < 2; index++) {
      const limited = await post(JSON.stringify({ text: 'again' }));
      expect([limited.status, limited.headers.get('retry-after'), await limited.text()]).toEqual([
        429,
        '7',
        'rate_limited',
      ]);
    }
    const accepted = await post(JSON.stringify({ text: 'again' }));
    expect(accepted.status).toBe(200);
    expect(slack.attempts.slice(-3).map((attempt) => attempt.status)).toEqual([429, 429, 200]);
    expect(slack.attempts.every((attempt) => !attempt.path.includes('labsecret123'))).toBe(true);
  });

  it('rejects malformed JSON and unknown hooks', async () => {
    const malformed = await post('{"text": ');
    expect([malformed.status, await malformed.text()]).toEqual([400, 'invalid_payload']);
    const unknown = await post('{"text":"x"}', '/services/nope');
    expect(unknown.status).toBe(404);
  });
});

describe('lab edge', () => {
  let edge: Edge;
  let upstream: Server;
  let upstreamUrl: string;
  const upstreamSeen: Array<{ method: string; url: string; target: string; body: string }> = [];
  const seen: Record<string, LabRequest[]> = {};
  const recording =
    (name: string, answer: (req: LabRequest) => ReturnType<Emulator>): Emulator =>
    async (req) => {
      seen[name] = [...(seen[name] ?? []), req];
      return answer(req);
    };
  const sns = createSnsEmulator({ topics: [TOPIC] });
  const slack = createSlackWebhookReceiver();

  beforeAll(async () => {
    // A stand-in for DynamoDB Local: records what reaches it and answers ListTables.
    upstream = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      upstreamSeen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        target: String(req.headers['x-amz-target']),
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ TableNames: ['from-upstream'] }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    edge = await startEdge({
      port: 0,
      routes: {
        dynamodbEndpoint: upstreamUrl,
        cloudtrail: createCloudTrailEmulator(seededTrail()),
        sns,
        slack,
        ec2: recording('ec2', async () => ({
          status: 200,
          headers: { 'content-type': 'text/xml' },
          body: '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><vpcSet><item><vpcId>vpc-0lab</vpcId></item></vpcSet></DescribeVpcsResponse>',
        })),
        microvms: recording('microvms', async () => jsonResponse(200, { Microvms: [] })),
        lambdaCore: recording('lambdaCore', async () => jsonResponse(200, { NetworkConnectors: [] })),
        microvmProxy: recording('microvmProxy', async () => jsonResponse(200, { probe: 'ok' })),
      },
    });
  });
  afterAll(async () => {
    await edge.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('routes CloudTrail, SNS, EC2 and MicroVMs SDK calls to their emulators', async () => {
    const cloudtrail = new CloudTrailClient(clientConfig(edge.url));
    const snsClient = new SNSClient(clientConfig(edge.url));
    const ec2 = new EC2Client(clientConfig(edge.url));
    const microvms = new LambdaMicrovmsClient(clientConfig(edge.url));
    try {
      const trail = await cloudtrail.send(new LookupEventsCommand({ MaxResults: 3 }));
      expect(trail.Events).toHaveLength(3);
      await snsClient.send(new PublishCommand({ TopicArn: TOPIC, Message: 'via edge' }));
      expect(sns.published.map((message) => message.message)).toEqual(['via edge']);
      const vpcs = await ec2.send(new DescribeVpcsCommand({}));
      expect(vpcs.Vpcs?.map((vpc) => vpc.VpcId)).toEqual(['vpc-0lab']);
      expect(seen.ec2?.[0]?.body.toString()).toContain('Action=DescribeVpcs');
      await microvms.send(new ListMicrovmsCommand({}));
      expect(seen.microvms?.[0]?.path).toBe('/2025-09-09/microvms');
    } finally {
      for (const client of [cloudtrail, snsClient, ec2, microvms]) client.destroy();
    }
  });

  it('proxies DynamoDB calls verbatim to the configured endpoint', async () => {
    const dynamodb = new DynamoDBClient(clientConfig(edge.url));
    try {
      const tables = await dynamodb.send(new ListTablesCommand({ Limit: 5 }));
      expect(tables.TableNames).toEqual(['from-upstream']);
      expect(upstreamSeen.at(-1)).toEqual({
        method: 'POST',
        url: '/',
        target: 'DynamoDB_20120810.ListTables',
        body: '{"Limit":5}',
      });
    } finally {
      dynamodb.destroy();
    }
  });

  it('routes Lambda Core, MicroVM endpoint and Slack requests by path and host', async () => {
    const signed = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDLABTEST/20260624/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=abc`,
    });
    const core = await fetch(`${edge.url}/2026-04-04/network-connectors`, { headers: signed('lambda') });
    expect(await core.json()).toEqual({ NetworkConnectors: [] });
    expect(seen.lambdaCore?.[0]?.headers.authorization).toContain('/lambda/aws4_request');

    const tags = await fetch(`${edge.url}/2017-03-31/tags/arn`, { headers: signed('lambda') });
    expect(tags.status).toBe(200);
    expect(seen.microvms?.at(-1)?.path).toBe('/2017-03-31/tags/arn');

    const proxied = await fetch(`${edge.url}/.lab/microvms/mvm-1/health?x=1`);
    expect(await proxied.json()).toEqual({ probe: 'ok' });
    expect(seen.microvmProxy?.[0]?.query.get('x')).toBe('1');

    const slackAnswer = await fetch(`${edge.url}/services/T1/B2/secret`, { method: 'POST', body: '{"text":"hi"}' });
    expect(await slackAnswer.text()).toBe('ok');
    expect(slack.messages).toHaveLength(1);
  });

  it('routes by MicroVM endpoint host name', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(
        `${edge.url}/probe`,
        { headers: { host: 'mvm-0abc.lambda-microvm.us-east-1.on.aws' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(status).toBe(200);
    expect(seen.microvmProxy?.at(-1)?.headers.host).toBe('mvm-0abc.lambda-microvm.us-east-1.on.aws');
  });

  it('names what it did not recognise, and which route is missing', async () => {
    const unknownService = await fetch(`${edge.url}/`, {
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260624/us-east-1/kinesis/aws4_request, Signature=x',
      },
    });
    expect(unknownService.status).toBe(400);
    expect(await unknownService.json()).toEqual({ message: 'lab edge: no emulator for SigV4 service "kinesis"' });

    const unknownLambdaPath = await fetch(`${edge.url}/2099-01-01/layers`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260624/us-east-1/lambda/aws4_request' },
    });
    expect(unknownLambdaPath.status).toBe(400);

    const bare = await startEdge({ routes: {} });
    try {
      const missing = await fetch(`${bare.url}/services/T1/B2/x`, { method: 'POST', body: '{}' });
      expect(missing.status).toBe(501);
      expect(((await missing.json()) as { message: string }).message).toContain('slack route is not configured');
    } finally {
      await bare.close();
    }
  });

  it('maps access keys to lab identities', () => {
    const registry = new CallerRegistry(ACCOUNT);
    const operator = {
      kind: 'assumed-role' as const,
      account: ACCOUNT,
      roleName: 'NetworkConnectorOperatorRole',
      sessionName: 'request-validation-session',
    };
    registry.register('ASIAOPERATOR', operator);
    const request = (accessKeyId: string): LabRequest => ({
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260624/us-east-1/ec2/aws4_request` },
      body: Buffer.alloc(0),
    });
    expect(callerFromAuthorization(request('ASIAOPERATOR'), registry)).toEqual(operator);
    expect(callerFromAuthorization(request('AKIDSOMEONE'), registry)).toEqual({
      kind: 'user',
      account: ACCOUNT,
      userName: 'lab-admin',
    });
  });
});

describe('lab edge with DynamoDB Local', () => {
  it('forwards DynamoDB calls to the real DynamoDB Local', async () => {
    const edge = await startEdge({ routes: { dynamodbEndpoint: inject('dynamodbEndpoint') } });
    const dynamodb = new DynamoDBClient(clientConfig(edge.url));
    try {
      const tables = await dynamodb.send(new ListTablesCommand({}));
      expect(Array.isArray(tables.TableNames)).toBe(true);
    } finally {
      dynamodb.destroy();
      await edge.close();
    }
  });
});
