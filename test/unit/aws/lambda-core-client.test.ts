import { describe, expect, it } from 'vitest';
import {
  LambdaCoreClient,
  type LambdaCoreClientOptions,
  LambdaCoreError,
} from '../../../shared/aws/lambda-core-client.js';

interface SentRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that records what it was asked and answers from a script, one reply per call. */
function scriptedFetch(replies: Reply[]): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetchStub = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    const lowerHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    sent.push({ url: new URL(String(input)), method: init?.method ?? 'GET', headers: lowerHeaders, body });
    const reply = replies.shift();
    if (!reply) throw new Error('unexpected extra request');
    if (reply instanceof Error) throw reply;
    const text =
      reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(text, { status: reply.status, headers: reply.headers ?? {} });
  };
  return { fetch: fetchStub as typeof fetch, sent };
}

const sleeps: number[] = [];

function clientWith(replies: Reply[], options: Partial<LambdaCoreClientOptions> = {}) {
  const { fetch, sent } = scriptedFetch(replies);
  sleeps.length = 0;
  const client = new LambdaCoreClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    env: { AWS_MAX_ATTEMPTS: '3' },
    ...options,
  });
  return { client, sent };
}

const connector = {
  Arn: 'arn:aws:lambda:us-east-1:111122223333:network-connector:nc-1',
  Name: 'nat-egress-connector',
  Id: 'nc-1',
  State: 'PENDING',
  Configuration: { VpcEgressConfiguration: { SubnetIds: ['subnet-0aaa'], SecurityGroupIds: ['sg-0bbb'] } },
};

describe('LambdaCoreClient requests', () => {
  it('signs with SigV4 for service lambda and posts PascalCase JSON with a ClientToken', async () => {
    const { client, sent } = clientWith([{ status: 202, body: connector }]);
    const created = await client.createNetworkConnector({
      Name: 'nat-egress-connector',
      Configuration: { VpcEgressConfiguration: { SubnetIds: ['subnet-0aaa'], SecurityGroupIds: ['sg-0bbb'] } },
      OperatorRole: 'arn:aws:iam::111122223333:role/NetworkConnectorOperatorRole',
    });
    expect(created.State).toBe('PENDING');
    expect(created.Configuration?.VpcEgressConfiguration?.SubnetIds).toEqual(['subnet-0aaa']);
    const request = sent[0]!;
    expect(request.method).toBe('POST');
    expect(request.url.pathname).toBe('/2026-04-04/network-connectors');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({ Name: 'nat-egress-connector', OperatorRole: expect.any(String) });
    expect((request.body as { ClientToken: string }).ClientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('encodes an ARN identifier as a single path segment', async () => {
    const { client, sent } = clientWith([{ status: 200, body: connector }]);
    await client.getNetworkConnector('arn:aws:lambda:us-east-1:111122223333:network-connector:nc-1');
    expect(sent[0]!.url.pathname).toBe(
      '/2026-04-04/network-connectors/arn%3Aaws%3Alambda%3Aus-east-1%3A111122223333%3Anetwork-connector%3Anc-1',
    );
  });

  it('parses 202 bodies of update and delete, keeping unknown fields and unknown enum values', async () => {
    const { client, sent } = clientWith([
      { status: 202, body: { ...connector, State: 'ACTIVE', LastUpdateStatus: 'InProgress', Version: 2 } },
      { status: 202, body: { ...connector, State: 'RETIRING_SOMEDAY', BrandNewField: { x: 1 } } },
    ]);
    const updated = await client.updateNetworkConnector({
      Identifier: 'nc-1',
      Configuration: { VpcEgressConfiguration: { SubnetIds: ['subnet-0aaa', 'subnet-0ccc'] } },
    });
    expect(updated.LastUpdateStatus).toBe('InProgress');
    expect(sent[0]!.method).toBe('PUT');
    expect(sent[0]!.body).toMatchObject({ ClientToken: expect.any(String) });
    expect(sent[0]!.body).not.toHaveProperty('Identifier');
    const deleted = await client.deleteNetworkConnector('nc-1');
    expect(sent[1]!.method).toBe('DELETE');
    expect(sent[1]!.body).toBeUndefined();
    expect(deleted.State).toBe('RETIRING_SOMEDAY');
    expect(deleted.BrandNewField).toEqual({ x: 1 });
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_LAMBDA before AWS_ENDPOINT_URL', async () => {
    const { fetch } = scriptedFetch([]);
    const both = new LambdaCoreClient({
      region: 'eu-west-1',
      fetch,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      env: { AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1111/', AWS_ENDPOINT_URL: 'http://127.0.0.1:2222' },
    });
    expect(both.endpoint).toBe('http://127.0.0.1:1111');
    const generic = new LambdaCoreClient({
      region: 'eu-west-1',
      fetch,
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:2222' },
    });
    expect(generic.endpoint).toBe('http://127.0.0.1:2222');
    const real = new LambdaCoreClient({ region: 'eu-west-1', fetch, env: {} });
    expect(real.endpoint).toBe('https://lambda.eu-west-1.amazonaws.com');
  });
});

describe('LambdaCoreClient retries', () => {
  it('retries a 429 after the Retry-After delay and then succeeds with the same ClientToken', async () => {
    const { client, sent } = clientWith([
      { status: 429, headers: { 'retry-after': '2', 'x-amzn-errortype': 'TooManyRequestsException' }, body: {} },
      { status: 202, body: connector },
    ]);
    const created = await client.createNetworkConnector({ Name: 'n', Configuration: {} });
    expect(created.Id).toBe('nc-1');
    expect(sent).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
    expect((sent[0]!.body as { ClientToken: string }).ClientToken).toBe(
      (sent[1]!.body as { ClientToken: string }).ClientToken,
    );
  });

  it('retries 5xx and network errors with full-jitter backoff up to maxAttempts', async () => {
    const { client, sent } = clientWith([
      new TypeError('fetch failed'),
      { status: 503, body: { message: 'busy' } },
      { status: 500, body: { Message: 'still broken' }, headers: { 'x-amzn-errortype': 'ServiceException' } },
    ]);
    const error = await client.getNetworkConnector('nc-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaCoreError);
    expect(error).toMatchObject({ code: 'ServiceException', status: 500, retryable: true, message: 'still broken' });
    expect(sent).toHaveLength(3);
    // random() = 0.5 of min(maxDelay, 100·2^n)
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up on network errors with a NetworkingError', async () => {
    const { client } = clientWith([new TypeError('a'), new TypeError('b')], { maxAttempts: 2 });
    await expect(client.getNetworkConnector('nc-1')).rejects.toMatchObject({ code: 'NetworkingError', status: 0 });
  });

  it('reads the attempt budget from AWS_MAX_ATTEMPTS', async () => {
    const { client, sent } = clientWith([{ status: 503 }, { status: 200, body: connector }], {
      env: { AWS_MAX_ATTEMPTS: '1' },
    });
    await expect(client.getNetworkConnector('nc-1')).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(1);
  });

  it.each([400, 404, 409])('never retries HTTP %i', async (status) => {
    const { client, sent } = clientWith([
      { status, body: { message: 'no' } },
      { status: 202, body: connector },
    ]);
    await expect(client.deleteNetworkConnector('nc-1')).rejects.toMatchObject({ status, retryable: false });
    expect(sent).toHaveLength(1);
  });
});

describe('LambdaCoreClient errors', () => {
  it('reads the code from X-Amzn-ErrorType and a lower-case message', async () => {
    const { client } = clientWith([
      {
        status: 409,
        headers: {
          'x-amzn-errortype': 'ResourceConflictException:http://internal.amazon.com/coral/com.amazonaws.lambdacore/',
          'x-amzn-requestid': 'req-123',
        },
        body: { Type: 'User', message: 'Connector nc-1 is PENDING' },
      },
    ]);
    const error = (await client.deleteNetworkConnector('nc-1').catch((e: unknown) => e)) as LambdaCoreError;
    expect(error.code).toBe('ResourceConflictException');
    expect(error.message).toBe('Connector nc-1 is PENDING');
    expect(error.requestId).toBe('req-123');
    expect(error.retryable).toBe(false);
  });

  it('reads the code from __type and a capitalised Message', async () => {
    const { client } = clientWith([
      {
        status: 404,
        body: {
          __type: 'com.amazonaws.lambdacore#ResourceNotFoundException',
          Type: 'User',
          Message: 'not found: nc-9',
        },
      },
    ]);
    await expect(client.getNetworkConnector('nc-9')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      message: 'not found: nc-9',
      status: 404,
    });
  });

  it('survives an error body that is not JSON', async () => {
    const { client } = clientWith([{ status: 403, body: '<html>denied</html>' }]);
    await expect(client.getNetworkConnector('nc-1')).rejects.toMatchObject({ code: 'Http403', status: 403 });
  });
});

describe('LambdaCoreClient pagination', () => {
  const summary = (n: number) => ({
    Arn: `arn:aws:lambda:us-east-1:111122223333:network-connector:nc-${n}`,
    Name: `c${n}`,
    Id: `nc-${n}`,
    Type: 'VPC_EGRESS',
    State: 'ACTIVE',
  });

  it('passes State, MaxItems and Marker as query parameters', async () => {
    const { client, sent } = clientWith([{ status: 200, body: { NetworkConnectors: [summary(1)], NextMarker: 'm2' } }]);
    const page = await client.listNetworkConnectors({ State: 'ACTIVE', MaxItems: 100, Marker: 'm1' });
    expect(page).toEqual({ NetworkConnectors: [summary(1)], NextMarker: 'm2' });
    expect(Object.fromEntries(sent[0]!.url.searchParams)).toEqual({ State: 'ACTIVE', MaxItems: '100', Marker: 'm1' });
  });

  it('loops on NextMarker until it is absent', async () => {
    const { client, sent } = clientWith([
      { status: 200, body: { NetworkConnectors: [summary(1), summary(2)], NextMarker: 'p2' } },
      { status: 200, body: { NetworkConnectors: [summary(3)], NextMarker: 'p3' } },
      { status: 200, body: { NetworkConnectors: [summary(4)], NextMarker: null } },
    ]);
    const ids: string[] = [];
    for await (const item of client.paginateNetworkConnectors({ State: 'ACTIVE' })) ids.push(item.Id);
    expect(ids).toEqual(['nc-1', 'nc-2', 'nc-3', 'nc-4']);
    expect(sent.map((r) => r.url.searchParams.get('Marker'))).toEqual([null, 'p2', 'p3']);
    expect(sent.every((r) => r.url.searchParams.get('State') === 'ACTIVE')).toBe(true);
  });
});
