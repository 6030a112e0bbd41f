/**
 * Contract: the official @aws-sdk/client-lambda-microvms against the lab's MicroVMs emulator, and plain
 * node:http requests with proxy tokens against the MicroVM endpoint proxy — the field notes' experiments,
 * replayed on the lab network world (background 000).
 */
import { request as httpRequest } from 'node:http';
import {
  ConflictException,
  CreateMicrovmAuthTokenCommand,
  GetMicrovmCommand,
  GetMicrovmImageCommand,
  InternalServerException,
  LambdaMicrovmsClient,
  ListMicrovmImagesCommand,
  ListMicrovmsCommand,
  paginateListMicrovms,
  ResourceNotFoundException,
  ResumeMicrovmCommand,
  RunMicrovmCommand,
  SuspendMicrovmCommand,
  TerminateMicrovmCommand,
  ValidationException,
} from '@aws-sdk/client-lambda-microvms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createMicrovmProxy } from '../../../lab/emulators/microvm-proxy.js';
import { createMicrovmsEmulator } from '../../../lab/emulators/microvms.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import { ComputeWorld } from '../../../lab/world/compute.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const OPERATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/NetworkConnectorOperatorRole`;
const INTERNET_EGRESS = `arn:aws:lambda:${REGION}:aws:network-connector:aws-network-connector:INTERNET_EGRESS`;
const START_MS = 5_000;
const developer: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'developer' };

let world: ReturnType<typeof buildWorld>;
let api: ServedEmulator;
let proxy: ServedEmulator;
let sdk: LambdaMicrovmsClient;

function buildWorld() {
  const clock = new VirtualClock('2026-06-24T01:00:00Z');
  const records: CloudTrailRecord[] = [];
  const ctx = { clock, trail: { emit: (r: CloudTrailRecord) => records.push(r) }, account: ACCOUNT, region: REGION };
  const network = NetworkWorld.fromSpec(articleNetworkSpec(), ctx);
  const compute = new ComputeWorld(ctx, network, { microvmStartDelayMs: START_MS, deletionDelayMs: 60_000 });
  const image = compute.microvms.registerImage({ name: 'egress-test-app-v3', appKind: 'egress-test-app' });
  return { clock, records, network, compute, image };
}

/** Never let a missing endpoint fall back to a real AWS host. */
function loopbackEndpoint(url: string | undefined): string {
  if (!url || !/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`not a loopback endpoint: ${url}`);
  return url;
}

beforeAll(async () => {
  api = await serveEmulator((req) => createMicrovmsEmulator(world.compute, { callerFor: () => developer })(req));
  proxy = await serveEmulator((req) => createMicrovmProxy(world.compute, world.network)(req));
  sdk = new LambdaMicrovmsClient({
    region: REGION,
    endpoint: loopbackEndpoint(api.endpoint),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sdk?.destroy();
  await Promise.all([api?.close(), proxy?.close()]);
});

beforeEach(() => {
  world = buildWorld();
});

async function activeConnector(name: string, subnet: string, securityGroup: string) {
  const connector = world.compute.connectors.create(
    {
      Name: name,
      Configuration: {
        VpcEgressConfiguration: {
          SubnetIds: [world.network.idOf('subnet', subnet)],
          SecurityGroupIds: [world.network.idOf('security-group', securityGroup)],
        },
      },
      OperatorRole: OPERATOR_ROLE,
    },
    developer,
  );
  await world.clock.advanceBy(world.compute.options.activationDelayMs);
  expect(world.compute.connectors.get(connector.Id).State).toBe('ACTIVE');
  return connector;
}

/** The article's connector ARNs end in the connector name. */
function arnByName(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:network-connector:${name}`;
}

async function runningVm(egressNetworkConnectors?: string[]) {
  const vm = await sdk.send(
    new RunMicrovmCommand({
      imageIdentifier: world.image.imageArn,
      ...(egressNetworkConnectors ? { egressNetworkConnectors } : {}),
    }),
  );
  await world.clock.advanceBy(START_MS);
  const token = await sdk.send(
    new CreateMicrovmAuthTokenCommand({
      microvmIdentifier: vm.microvmId,
      expirationInMinutes: 60,
      allowedPorts: [{ port: 8080 }],
    }),
  );
  return { id: vm.microvmId!, endpoint: vm.endpoint!, token: token.authToken?.['X-aws-proxy-auth'] ?? '' };
}

interface ProxyReply {
  status: number;
  json: Record<string, unknown>;
}

/** An HTTP request to the endpoint proxy on loopback, addressed to the MicroVM by Host header. */
function viaEndpoint(endpointHost: string, path: string, headers: Record<string, string> = {}): Promise<ProxyReply> {
  const { port } = new URL(loopbackEndpoint(proxy.endpoint));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(port), path, method: 'GET', headers: { host: endpointHost, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function fetchFrom(vm: { endpoint: string; token: string }, url: string): Promise<ProxyReply> {
  return viaEndpoint(vm.endpoint, `/fetch?url=${encodeURIComponent(url)}`, { 'x-aws-proxy-auth': vm.token });
}

describe('MicroVMs contract: API through the official SDK', () => {
  it('runs a MicroVM (PENDING → RUNNING), reads it back with Dates, and records RunMicrovm as a data event', async () => {
    await activeConnector('nat-egress-connector', 'nat-subnet-1a', 'connector-sg');
    const run = await sdk.send(
      new RunMicrovmCommand({
        imageIdentifier: world.image.imageArn,
        egressNetworkConnectors: [arnByName('nat-egress-connector')],
        idlePolicy: { maxIdleDurationSeconds: 600, suspendedDurationSeconds: 3600, autoResumeEnabled: true },
      }),
    );
    expect(run).toMatchObject({
      state: 'PENDING',
      imageArn: world.image.imageArn,
      imageVersion: '1',
      maximumDurationInSeconds: 28_800,
      egressNetworkConnectors: [arnByName('nat-egress-connector')],
    });
    expect(run.endpoint).toBe(`${run.microvmId}.lambda-microvm.${REGION}.on.aws`);
    expect(run.startedAt).toEqual(world.clock.now());

    await world.clock.advanceBy(START_MS);
    const got = await sdk.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }));
    expect(got).toMatchObject({ microvmId: run.microvmId, state: 'RUNNING', idlePolicy: { autoResumeEnabled: true } });

    const [record] = world.records.filter((r) => r.eventName === 'RunMicrovm');
    expect(record).toMatchObject({
      eventSource: 'lambda.amazonaws.com',
      eventCategory: 'Data',
      managementEvent: false,
      userIdentity: { userName: 'developer' },
      requestParameters: { egressNetworkConnectors: [arnByName('nat-egress-connector')] },
      responseElements: { microvmId: run.microvmId },
    });
  });

  it('suspends, resumes and terminates; TerminateMicrovm is a data event too', async () => {
    const { id } = await runningVm();
    const state = async () => (await sdk.send(new GetMicrovmCommand({ microvmIdentifier: id }))).state;
    await sdk.send(new SuspendMicrovmCommand({ microvmIdentifier: id }));
    await world.clock.advanceBy(1_000);
    expect(await state()).toBe('SUSPENDED');
    await sdk.send(new ResumeMicrovmCommand({ microvmIdentifier: id }));
    await world.clock.advanceBy(1_000);
    expect(await state()).toBe('RUNNING');
    await sdk.send(new TerminateMicrovmCommand({ microvmIdentifier: id }));
    await sdk.send(new TerminateMicrovmCommand({ microvmIdentifier: id }));
    await world.clock.advanceBy(1_000);
    const terminated = await sdk.send(new GetMicrovmCommand({ microvmIdentifier: id }));
    expect(terminated).toMatchObject({ state: 'TERMINATED', terminatedAt: world.clock.now() });
    expect(world.records.filter((r) => r.eventName === 'TerminateMicrovm')).toHaveLength(2);
  });

  it('lists 60 MicroVMs across pages with the SDK paginator and filters by image', async () => {
    const other = world.compute.microvms.registerImage({ name: 'other-app', appKind: 'egress-test-app' });
    const started: string[] = [];
    for (let i = 0; i < 60; i++) {
      const imageIdentifier = i % 10 === 0 ? other.imageArn : world.image.imageArn;
      started.push((await sdk.send(new RunMicrovmCommand({ imageIdentifier }))).microvmId!);
    }
    const firstPage = await sdk.send(new ListMicrovmsCommand({}));
    expect(firstPage.items).toHaveLength(50);
    expect(firstPage.nextToken).toEqual(expect.any(String));
    expect(Object.keys(firstPage.items?.[0] ?? {}).sort()).toEqual([
      'imageArn',
      'imageVersion',
      'microvmId',
      'startedAt',
      'state',
    ]);

    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListMicrovms({ client: sdk, pageSize: 25 }, {})) {
      pages += 1;
      for (const item of page.items ?? []) listed.push(item.microvmId!);
    }
    expect(listed).toEqual(started);
    expect(pages).toBe(3);

    const ofOther = await sdk.send(new ListMicrovmsCommand({ imageIdentifier: other.imageArn }));
    expect(ofOther.items).toHaveLength(6);

    const images = await sdk.send(new ListMicrovmImagesCommand({}));
    expect(images.items?.map((i) => i.name)).toEqual(['egress-test-app-v3', 'other-app']);
    const image = await sdk.send(new GetMicrovmImageCommand({ imageIdentifier: world.image.imageArn }));
    expect(image).toMatchObject({ name: 'egress-test-app-v3', state: 'CREATED', createdAt: expect.any(Date) });
  });

  it('fails RunMicrovm with two VPC egress connectors: 500 InternalServerException, CloudTrail InternalFailure', async () => {
    await activeConnector('nat-egress-connector', 'nat-subnet-1a', 'connector-sg');
    await activeConnector('isolated-egress-connector', 'isolated-subnet-1a', 'connector-isolated-sg');
    const error = await sdk
      .send(
        new RunMicrovmCommand({
          imageIdentifier: world.image.imageArn,
          egressNetworkConnectors: [arnByName('nat-egress-connector'), arnByName('isolated-egress-connector')],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerException);
    expect((error as InternalServerException).$metadata.httpStatusCode).toBe(500);
    expect(world.records.filter((r) => r.eventName === 'RunMicrovm')).toEqual([
      expect.objectContaining({ errorCode: 'InternalFailure', responseElements: null }),
    ]);
    expect((await sdk.send(new ListMicrovmsCommand({}))).items).toEqual([]);
  });

  it('maps the other errors to the SDK exception classes', async () => {
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => e,
      );
    const pending = world.compute.connectors.create(
      {
        Name: 'still-pending',
        Configuration: { VpcEgressConfiguration: { SubnetIds: [world.network.idOf('subnet', 'nat-subnet-1a')] } },
        OperatorRole: OPERATOR_ROLE,
      },
      developer,
    );
    expect(await failure(sdk.send(new GetMicrovmCommand({ microvmIdentifier: 'mvm-missing' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(
      await failure(sdk.send(new RunMicrovmCommand({ imageIdentifier: `${world.image.imageArn}-missing` }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', resourceType: 'MicrovmImage' });
    expect(
      await failure(
        sdk.send(
          new RunMicrovmCommand({ imageIdentifier: world.image.imageArn, egressNetworkConnectors: [pending.Arn] }),
        ),
      ),
    ).toBeInstanceOf(ValidationException);
    const { microvmId } = await sdk.send(new RunMicrovmCommand({ imageIdentifier: world.image.imageArn }));
    expect(await failure(sdk.send(new SuspendMicrovmCommand({ microvmIdentifier: microvmId })))).toBeInstanceOf(
      ConflictException,
    );
    expect(
      await failure(
        sdk.send(
          new CreateMicrovmAuthTokenCommand({
            microvmIdentifier: microvmId,
            expirationInMinutes: 61,
            allowedPorts: [{ allPorts: {} }],
          }),
        ),
      ),
    ).toBeInstanceOf(ValidationException);
    expect(await failure(sdk.send(new ListMicrovmsCommand({ nextToken: 'bm9wZQ' })))).toBeInstanceOf(
      ValidationException,
    );
  });
});

describe('MicroVMs contract: the endpoint proxy and the egress test app', () => {
  it('reaches the VPC target and the internet through the NAT-routed connector (egress IP = NAT EIP)', async () => {
    await activeConnector('nat-egress-connector', 'nat-subnet-1a', 'connector-sg');
    const vm = await runningVm([arnByName('nat-egress-connector')]);
    const target = await fetchFrom(vm, 'http://10.0.0.126');
    expect(target.status).toBe(200);
    expect(target.json.status).toBe(200);
    expect(JSON.parse(target.json.body as string)).toMatchObject({ source: 'vpc-target' });
    const checkip = await fetchFrom(vm, 'http://checkip.amazonaws.com');
    expect(checkip).toMatchObject({ status: 200, json: { status: 200 } });
    expect((checkip.json.body as string).trim()).toBe('203.0.113.25');
  });

  it('reaches only the VPC through the isolated connector; the internet times out', async () => {
    await activeConnector('isolated-egress-connector', 'isolated-subnet-1a', 'connector-isolated-sg');
    const vm = await runningVm([arnByName('isolated-egress-connector')]);
    expect((await fetchFrom(vm, 'http://10.0.0.126')).status).toBe(200);
    // Cross-subnet through the VPC local route, and by the target's private DNS name.
    expect((await fetchFrom(vm, 'http://ip-10-0-0-126.ap-northeast-1.compute.internal')).status).toBe(200);
    expect(await fetchFrom(vm, 'http://checkip.amazonaws.com')).toEqual({ status: 504, json: { error: 'timeout' } });
  });

  it('uses an AWS-owned address with INTERNET_EGRESS and cannot reach private addresses', async () => {
    const vm = await runningVm([INTERNET_EGRESS]);
    const checkip = await fetchFrom(vm, 'http://checkip.amazonaws.com');
    expect(checkip.status).toBe(200);
    expect((checkip.json.body as string).trim()).toMatch(/^52\.94\./);
    expect((await fetchFrom(vm, 'http://10.0.0.126')).status).toBe(504);
  });

  it('keeps the MicroVM RUNNING with working ingress but timed-out egress after its connector is deleted', async () => {
    const connector = await activeConnector('nat-egress-connector', 'nat-subnet-1a', 'connector-sg');
    const vm = await runningVm([arnByName('nat-egress-connector')]);
    world.compute.connectors.delete(connector.Id, developer);
    await world.clock.advanceBy(60_000);
    expect((await sdk.send(new GetMicrovmCommand({ microvmIdentifier: vm.id }))).state).toBe('RUNNING');
    expect(await viaEndpoint(vm.endpoint, '/', { 'x-aws-proxy-auth': vm.token })).toMatchObject({
      status: 200,
      json: { status: 'ok' },
    });
    expect(await fetchFrom(vm, 'http://10.0.0.126')).toEqual({ status: 504, json: { error: 'timeout' } });
  });

  it('admits only a valid, unexpired token for this VM and an allowed port; also via the /.lab path form', async () => {
    const vm = await runningVm();
    const other = await runningVm();
    expect((await viaEndpoint(vm.endpoint, '/')).status).toBe(403);
    expect((await viaEndpoint(vm.endpoint, '/', { 'x-aws-proxy-auth': other.token })).status).toBe(403);
    expect(
      (await viaEndpoint(vm.endpoint, '/', { 'x-aws-proxy-auth': vm.token, 'x-aws-proxy-port': '9090' })).status,
    ).toBe(403);
    expect(
      (await viaEndpoint(vm.endpoint, '/', { 'x-aws-proxy-auth': vm.token, 'x-aws-proxy-port': 'http' })).status,
    ).toBe(400);
    expect((await viaEndpoint('127.0.0.1', `/.lab/microvms/${vm.id}/`, { 'x-aws-proxy-auth': vm.token })).status).toBe(
      200,
    );
    expect(await fetchFrom(vm, 'not a url')).toMatchObject({ status: 400 });
    expect((await viaEndpoint(vm.endpoint, '/nowhere', { 'x-aws-proxy-auth': vm.token })).status).toBe(404);
    await world.clock.advanceBy(60 * 60_000);
    expect(await viaEndpoint(vm.endpoint, '/', { 'x-aws-proxy-auth': vm.token })).toMatchObject({
      status: 403,
      json: { message: 'Authentication token expired' },
    });
  });

  it('wakes a SUSPENDED MicroVM with autoResume on inbound traffic', async () => {
    const run = await sdk.send(
      new RunMicrovmCommand({
        imageIdentifier: world.image.imageArn,
        idlePolicy: { maxIdleDurationSeconds: 60, suspendedDurationSeconds: 3600, autoResumeEnabled: true },
      }),
    );
    const { authToken } = await sdk.send(
      new CreateMicrovmAuthTokenCommand({
        microvmIdentifier: run.microvmId,
        expirationInMinutes: 30,
        allowedPorts: [{ range: { startPort: 8000, endPort: 8100 } }],
      }),
    );
    await world.clock.advanceBy(START_MS + 60_000 + 1_000);
    expect((await sdk.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }))).state).toBe('SUSPENDED');
    const reply = await viaEndpoint(run.endpoint!, '/', { 'x-aws-proxy-auth': authToken?.['X-aws-proxy-auth'] ?? '' });
    expect(reply.status).toBe(200);
    expect((await sdk.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }))).state).toBe('RUNNING');
  });
});
