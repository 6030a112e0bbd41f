import {
  CreateMicrovmAuthTokenCommand,
  GetMicrovmCommand,
  LambdaMicrovmsClient,
  ListMicrovmsCommand,
  RunMicrovmCommand,
} from '@aws-sdk/client-lambda-microvms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { HttpAgentClient, SdkCanaryMicrovms } from '../../../shared/aws/canary-microvms.js';
import { MicrovmApiError } from '../../../shared/canary-ports.js';

const connector = {
  id: 'nc-1',
  name: 'nat-egress-connector',
  arn: 'arn:aws:lambda:ap-northeast-1:111122223333:network-connector:nat-egress-connector',
};

describe('SdkCanaryMicrovms', () => {
  it('runs the canary on exactly one egress connector with auto-resume and the run-hook allow-list', async () => {
    const client = new LambdaMicrovmsClient({ region: 'ap-northeast-1' });
    const mock = mockClient(client);
    mock.on(RunMicrovmCommand).resolves({
      microvmId: 'mvm-1',
      state: 'PENDING',
      endpoint: 'mvm-1.lambda-microvm.ap-northeast-1.on.aws',
      startedAt: new Date('2026-07-01T00:00:00Z'),
    } as never);
    const vm = await new SdkCanaryMicrovms(client).run({
      imageArn: 'arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-watch-canary',
      connectorArn: connector.arn,
      runHookPayload: '{"allow":["10.0.0.126:80"]}',
      clientToken: 'canary-nc-1-1',
      maximumDurationInSeconds: 28_800,
      maxIdleDurationSeconds: 60,
      suspendedDurationSeconds: 600,
    });
    expect(vm).toEqual({
      microvmId: 'mvm-1',
      state: 'PENDING',
      endpoint: 'mvm-1.lambda-microvm.ap-northeast-1.on.aws',
      startedAt: '2026-07-01T00:00:00.000Z',
    });
    expect(mock.commandCalls(RunMicrovmCommand)[0]?.args[0].input).toMatchObject({
      egressNetworkConnectors: [connector.arn],
      idlePolicy: { maxIdleDurationSeconds: 60, suspendedDurationSeconds: 600, autoResumeEnabled: true },
      runHookPayload: '{"allow":["10.0.0.126:80"]}',
    });
  });

  it('maps SDK errors to MicrovmApiError with the AWS error name, and reads the X-aws-proxy-auth token', async () => {
    const client = new LambdaMicrovmsClient({ region: 'ap-northeast-1' });
    const mock = mockClient(client);
    mock
      .on(CreateMicrovmAuthTokenCommand, { microvmIdentifier: 'mvm-1' })
      .resolves({ authToken: { 'X-aws-proxy-auth': 'tok' } } as never);
    mock
      .on(CreateMicrovmAuthTokenCommand, { microvmIdentifier: 'mvm-2' })
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const adapter = new SdkCanaryMicrovms(client);
    expect(await adapter.authToken('mvm-1', 8080, 5)).toBe('tok');
    const denied = await adapter.authToken('mvm-2', 8080, 5).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(MicrovmApiError);
    expect((denied as MicrovmApiError).code).toBe('AccessDeniedException');
  });

  it('agent mode finds a RUNNING MicroVM of the image whose egress connector is the one probed', async () => {
    const client = new LambdaMicrovmsClient({ region: 'ap-northeast-1' });
    const mock = mockClient(client);
    mock.on(ListMicrovmsCommand).resolves({
      items: [
        { microvmId: 'mvm-a', state: 'RUNNING' },
        { microvmId: 'mvm-b', state: 'SUSPENDED' },
        { microvmId: 'mvm-c', state: 'RUNNING' },
      ],
    } as never);
    mock.on(GetMicrovmCommand, { microvmIdentifier: 'mvm-a' }).resolves({
      microvmId: 'mvm-a',
      state: 'RUNNING',
      egressNetworkConnectors: ['arn:aws:lambda:ap-northeast-1:111122223333:network-connector:other'],
    } as never);
    mock.on(GetMicrovmCommand, { microvmIdentifier: 'mvm-c' }).resolves({
      microvmId: 'mvm-c',
      state: 'RUNNING',
      endpoint: 'c',
      egressNetworkConnectors: [`${connector.arn}:3`],
    } as never);
    const found = await new SdkCanaryMicrovms(client).findRunningOnConnector('my-app', connector);
    expect(found?.microvmId).toBe('mvm-c');
    expect(mock.commandCalls(GetMicrovmCommand).map((c) => c.args[0].input.microvmIdentifier)).toEqual([
      'mvm-a',
      'mvm-c',
    ]);
  });
});

describe('HttpAgentClient', () => {
  it('posts the whole plan once to https://<endpoint>/probe with the proxy token and port', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response('{"probes":[]}', { status: 200 });
    }) as unknown as typeof fetch;
    const answer = await new HttpAgentClient({ fetch: fakeFetch }).probe(
      'mvm-1.lambda-microvm.ap-northeast-1.on.aws',
      'mvm-1',
      'tok',
      [{ id: 'a', kind: 'tcp', host: '10.0.0.126', port: 80, timeoutMs: 1000 }],
    );
    expect(answer).toEqual({ status: 200, body: { probes: [] } });
    expect(seen[0]?.url).toBe('https://mvm-1.lambda-microvm.ap-northeast-1.on.aws/probe');
    expect(seen[0]?.init.headers).toMatchObject({ 'X-aws-proxy-auth': 'tok', 'X-aws-proxy-port': '8080' });
    expect(JSON.parse(String(seen[0]?.init.body)).probes).toHaveLength(1);
  });
});
