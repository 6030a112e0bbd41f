/**
 * Contract: the production LambdaCoreClient against the lab's Lambda Core emulator over real loopback HTTP,
 * with the lab network world underneath and the virtual clock driving the connector state machine.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createLambdaCoreEmulator } from '../../../lab/emulators/lambda-core.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import { ComputeWorld } from '../../../lab/world/compute.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { LambdaCoreClient, LambdaCoreError } from '../../../shared/aws/lambda-core-client.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const OPERATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/NetworkConnectorOperatorRole`;
const ACTIVATION_MS = 270_000;
const deployer: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'deployer' };

let world: ReturnType<typeof buildWorld>;
let server: ServedEmulator;
let endpoint: string;
let requests: number;

function buildWorld() {
  const clock = new VirtualClock('2026-06-24T01:00:00Z');
  const records: CloudTrailRecord[] = [];
  const ctx = { clock, trail: { emit: (r: CloudTrailRecord) => records.push(r) }, account: ACCOUNT, region: REGION };
  const network = NetworkWorld.fromSpec(articleNetworkSpec(), ctx);
  const compute = new ComputeWorld(ctx, network, { updateDelayMs: 120_000, deletionDelayMs: 60_000 });
  return { clock, records, network, compute };
}

beforeAll(async () => {
  // The server dispatches to whichever world the current test built.
  server = await serveEmulator((req) => {
    requests += 1;
    return createLambdaCoreEmulator(world.compute, { callerFor: () => deployer })(req);
  });
  endpoint = loopbackEndpoint(server.endpoint);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  world = buildWorld();
  requests = 0;
});

/** Never let a missing endpoint fall back to a real AWS host. */
function loopbackEndpoint(url: string | undefined): string {
  if (!url || !/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`not a loopback endpoint: ${url}`);
  return url;
}

function client(): LambdaCoreClient {
  return new LambdaCoreClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

function subnet(name: 'nat-subnet-1a' | 'isolated-subnet-1a'): string {
  return world.network.idOf('subnet', name);
}

function group(name: string): string {
  return world.network.idOf('security-group', name);
}

function natConfiguration(subnetIds = [subnet('nat-subnet-1a')], securityGroupIds = [group('connector-sg')]) {
  return {
    VpcEgressConfiguration: {
      SubnetIds: subnetIds,
      SecurityGroupIds: securityGroupIds,
      NetworkProtocol: 'IPv4',
      AssociatedComputeResourceTypes: ['MicroVm'],
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<LambdaCoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LambdaCoreError)) throw new Error(`expected a LambdaCoreError, got ${String(error)}`);
  return error;
}

function recordsNamed(eventName: string): CloudTrailRecord[] {
  return world.records.filter((r) => r.eventName === eventName);
}

describe('Lambda Core contract: connector lifecycle', () => {
  it('create → PENDING → ACTIVE → update → delete → 404, with the CloudTrail records AWS writes', async () => {
    const lambdaCore = client();
    const created = await lambdaCore.createNetworkConnector({
      Name: 'nat-egress-connector',
      Configuration: natConfiguration(),
      OperatorRole: OPERATOR_ROLE,
    });
    expect(created).toMatchObject({ Name: 'nat-egress-connector', State: 'PENDING', OperatorRole: OPERATOR_ROLE });
    expect(created.Id).toMatch(/^nc-/);

    for (const identifier of [created.Id, created.Name, created.Arn]) {
      expect((await lambdaCore.getNetworkConnector(identifier)).Id).toBe(created.Id);
    }
    await world.clock.advanceBy(ACTIVATION_MS);
    const active = await lambdaCore.getNetworkConnector(created.Arn);
    expect(active.State).toBe('ACTIVE');

    const [create] = recordsNamed('CreateNetworkConnector');
    expect(create).toMatchObject({
      eventSource: 'lambda.amazonaws.com',
      eventCategory: 'Management',
      readOnly: false,
      userIdentity: { type: 'IAMUser', userName: 'deployer' },
      requestParameters: { Name: 'nat-egress-connector', OperatorRole: OPERATOR_ROLE },
      responseElements: { Id: created.Id, Arn: created.Arn, State: 'PENDING' },
    });
    const eniCreates = recordsNamed('CreateNetworkInterface');
    expect(eniCreates).toHaveLength(2);
    expect(eniCreates.map((r) => (r.userIdentity.arn as string).split('/').pop())).toEqual([
      'request-validation-session',
      expect.stringMatching(/^\d{12}$/),
    ]);
    for (const record of eniCreates) {
      expect(record).toMatchObject({
        eventSource: 'ec2.amazonaws.com',
        userIdentity: {
          type: 'AssumedRole',
          invokedBy: 'network-connectors.lambda.amazonaws.com',
          sessionContext: { sessionIssuer: { userName: 'NetworkConnectorOperatorRole' } },
        },
      });
      expect(JSON.stringify(record.requestParameters)).toContain('aws:lambda:networkConnectorId');
      expect(record.errorCode).toBeUndefined();
    }

    const updating = await lambdaCore.updateNetworkConnector({
      Identifier: created.Id,
      Configuration: natConfiguration([subnet('nat-subnet-1a'), subnet('isolated-subnet-1a')]),
    });
    expect(updating).toMatchObject({ State: 'ACTIVE', LastUpdateStatus: 'InProgress' });
    await world.clock.advanceBy(120_000);
    expect(await lambdaCore.getNetworkConnector(created.Id)).toMatchObject({
      State: 'ACTIVE',
      LastUpdateStatus: 'Successful',
    });
    expect(recordsNamed('CreateNetworkInterface')).toHaveLength(3);

    const deleting = await lambdaCore.deleteNetworkConnector(created.Arn);
    expect(deleting.State).toBe('DELETING');
    expect((await lambdaCore.deleteNetworkConnector(created.Id)).State).toBe('DELETING');
    await world.clock.advanceBy(60_000);
    const gone = await rejection(lambdaCore.getNetworkConnector(created.Id));
    expect(gone).toMatchObject({ code: 'ResourceNotFoundException', status: 404, retryable: false });
    expect(gone.requestId).toEqual(expect.any(String));

    const eniDeletes = recordsNamed('DeleteNetworkInterface');
    expect(eniDeletes).toHaveLength(3);
    for (const record of eniDeletes) {
      expect(record.userIdentity).toMatchObject({
        type: 'AssumedRole',
        invokedBy: 'lambda.amazonaws.com',
        sessionContext: {
          sessionIssuer: {
            arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda`,
          },
        },
      });
    }
    expect(recordsNamed('UpdateNetworkConnector')).toHaveLength(1);
    expect(recordsNamed('DeleteNetworkConnector')).toHaveLength(2);
  });

  it('goes FAILED with InvalidSecurityGroup or SubnetOutOfIPAddresses when the ENI create fails', async () => {
    const lambdaCore = client();
    const badGroup = await lambdaCore.createNetworkConnector({
      Name: 'bad-group',
      Configuration: natConfiguration([subnet('nat-subnet-1a')], ['sg-0000000000000dead']),
      OperatorRole: OPERATOR_ROLE,
    });
    world.network.setAvailableIpAddressCount(subnet('isolated-subnet-1a'), 1);
    const full = await lambdaCore.createNetworkConnector({
      Name: 'full-subnet',
      Configuration: natConfiguration([subnet('isolated-subnet-1a')], [group('connector-isolated-sg')]),
      OperatorRole: OPERATOR_ROLE,
    });
    await world.clock.advanceBy(ACTIVATION_MS);
    expect(await lambdaCore.getNetworkConnector(badGroup.Id)).toMatchObject({
      State: 'FAILED',
      StateReasonCode: 'InvalidSecurityGroup',
    });
    expect(await lambdaCore.getNetworkConnector(full.Id)).toMatchObject({
      State: 'FAILED',
      StateReasonCode: 'SubnetOutOfIPAddresses',
    });
    const failedCreates = recordsNamed('CreateNetworkInterface').filter((r) => r.errorCode !== undefined);
    expect(failedCreates).toHaveLength(2);
    // A FAILED connector can be deleted; its leftover validation ENI goes with it.
    await lambdaCore.deleteNetworkConnector(full.Id);
    await world.clock.advanceBy(60_000);
    expect(recordsNamed('DeleteNetworkInterface')).toHaveLength(1);
  });
});

describe('Lambda Core contract: listing', () => {
  it('pages 120 connectors 50 at a time even when MaxItems asks for 100, and filters by State', async () => {
    const lambdaCore = client();
    world.compute.connectors.setFaults('conn-007', { stuckPending: true });
    const created: string[] = [];
    for (let i = 0; i < 120; i++) {
      const name = `conn-${String(i).padStart(3, '0')}`;
      created.push(
        (
          await lambdaCore.createNetworkConnector({
            Name: name,
            Configuration: natConfiguration(),
            OperatorRole: OPERATOR_ROLE,
          })
        ).Id,
      );
    }
    await world.clock.advanceBy(ACTIVATION_MS);

    const firstPage = await lambdaCore.listNetworkConnectors({ MaxItems: 100 });
    expect(firstPage.NetworkConnectors).toHaveLength(50);
    expect(firstPage.NextMarker).toEqual(expect.any(String));
    expect(firstPage.NetworkConnectors[0]).toMatchObject({ Type: 'VPC_EGRESS', Name: 'conn-000' });
    expect(firstPage.NetworkConnectors[0]).not.toHaveProperty('Configuration');

    requests = 0;
    const listed: string[] = [];
    for await (const summary of lambdaCore.paginateNetworkConnectors({ MaxItems: 100 })) listed.push(summary.Id);
    expect(listed).toEqual(created);
    expect(requests).toBe(3);

    const small: string[] = [];
    for await (const summary of lambdaCore.paginateNetworkConnectors({ MaxItems: 7 })) small.push(summary.Id);
    expect(small).toEqual(created);

    const pending: string[] = [];
    for await (const summary of lambdaCore.paginateNetworkConnectors({ State: 'PENDING' })) pending.push(summary.Name);
    expect(pending).toEqual(['conn-007']);
  });
});

describe('Lambda Core contract: errors', () => {
  it('answers every modelled client error with the right status, X-Amzn-ErrorType and message casing', async () => {
    const lambdaCore = client();
    const invalidName = await rejection(
      lambdaCore.createNetworkConnector({
        Name: 'no spaces allowed',
        Configuration: natConfiguration(),
        OperatorRole: OPERATOR_ROLE,
      }),
    );
    expect(invalidName).toMatchObject({ code: 'InvalidParameterValueException', status: 400 });
    expect(invalidName.message).toMatch(/Name/);

    const tooManySubnets = await rejection(
      lambdaCore.createNetworkConnector({
        Name: 'many',
        Configuration: natConfiguration(Array.from({ length: 17 }, (_, i) => `subnet-${i}`)),
        OperatorRole: OPERATOR_ROLE,
      }),
    );
    expect(tooManySubnets.code).toBe('InvalidParameterValueException');

    const { Id } = await lambdaCore.createNetworkConnector({
      Name: 'dup',
      Configuration: natConfiguration(),
      OperatorRole: OPERATOR_ROLE,
    });
    const duplicate = await rejection(
      lambdaCore.createNetworkConnector({
        Name: 'dup',
        Configuration: natConfiguration(),
        OperatorRole: OPERATOR_ROLE,
      }),
    );
    expect(duplicate).toMatchObject({ code: 'ResourceConflictException', status: 409 });
    expect(
      await rejection(lambdaCore.updateNetworkConnector({ Identifier: Id, Configuration: natConfiguration() })),
    ).toMatchObject({
      code: 'ResourceConflictException',
      status: 409,
    });
    expect(await rejection(lambdaCore.deleteNetworkConnector(Id))).toMatchObject({ code: 'ResourceConflictException' });

    const missingCalls = [
      () => lambdaCore.getNetworkConnector('nc-missing'),
      () => lambdaCore.updateNetworkConnector({ Identifier: 'nc-missing', Configuration: natConfiguration() }),
      () => lambdaCore.deleteNetworkConnector('nc-missing'),
    ];
    for (const call of missingCalls) {
      expect(await rejection(call())).toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
    }
    expect(await rejection(lambdaCore.listNetworkConnectors({ MaxItems: 101 }))).toMatchObject({
      code: 'InvalidParameterValueException',
    });
    expect(await rejection(lambdaCore.listNetworkConnectors({ State: 'SLEEPING' }))).toMatchObject({
      code: 'InvalidParameterValueException',
    });
    expect(await rejection(lambdaCore.listNetworkConnectors({ Marker: 'bm90LWEtbWFya2Vy' }))).toMatchObject({
      code: 'InvalidParameterValueException',
    });

    // Failed write calls are in CloudTrail too, with the error code and no response.
    expect(recordsNamed('CreateNetworkConnector').filter((r) => r.errorCode)).toHaveLength(3);
    expect(recordsNamed('DeleteNetworkConnector').at(-1)).toMatchObject({
      errorCode: 'ResourceNotFoundException',
      responseElements: null,
    });
  });

  it('puts the error code in the header and Message (capital) only where the model does', async () => {
    const missing = await fetch(`${endpoint}/2026-04-04/network-connectors/nc-missing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await missing.json()).toEqual({ Type: 'User', Message: 'Network connector not found: nc-missing' });

    const badJson = await fetch(`${endpoint}/2026-04-04/network-connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
    expect(await badJson.json()).toMatchObject({ Type: 'User', message: expect.any(String) });

    const unknown = await fetch(`${endpoint}/2026-04-04/network-connectors/nc-1/versions/extra`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
