import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import {
  ComputeApiError,
  ComputeWorld,
  type ComputeWorldOptions,
  evaluateMicrovmEgress,
} from '../../../lab/world/compute.js';
import { FakeNetworkWorld } from '../../support/fake-network-world.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const OPERATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/NetworkConnectorOperatorRole`;
const INTERNET_EGRESS = `arn:aws:lambda:${REGION}:aws:network-connector:aws-network-connector:INTERNET_EGRESS`;
const admin: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'admin' };

function lab(options: Partial<ComputeWorldOptions> = {}) {
  const clock = new VirtualClock('2026-06-24T01:00:00Z');
  const records: CloudTrailRecord[] = [];
  const network = new FakeNetworkWorld()
    .addSubnet('subnet-0nat')
    .addSubnet('subnet-0iso')
    .addSubnet('subnet-0full', { freeIps: 1 })
    .addSecurityGroup('sg-0conn');
  const compute = new ComputeWorld(
    { clock, trail: { emit: (r) => records.push(r) }, account: ACCOUNT, region: REGION },
    network,
    options,
  );
  const image = compute.microvms.registerImage({ name: 'egress-test-app-v3', appKind: 'egress-test-app' });
  return { clock, records, network, compute, image };
}

function vpcEgress(subnetIds: string[], securityGroupIds = ['sg-0conn']) {
  return { VpcEgressConfiguration: { SubnetIds: subnetIds, SecurityGroupIds: securityGroupIds } };
}

function createConnector(world: ReturnType<typeof lab>, name: string, subnetIds = ['subnet-0nat']) {
  return world.compute.connectors.create(
    { Name: name, Configuration: vpcEgress(subnetIds), OperatorRole: OPERATOR_ROLE },
    admin,
  );
}

function apiError(action: () => unknown): ComputeApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ComputeApiError) return error;
    throw error;
  }
  throw new Error('expected a ComputeApiError');
}

describe('network connectors', () => {
  it('creates PENDING, records CloudTrail, and goes ACTIVE after the activation delay with two ENIs', async () => {
    const world = lab();
    const created = createConnector(world, 'nat-egress-connector');
    expect(created).toMatchObject({ Name: 'nat-egress-connector', State: 'PENDING', OperatorRole: OPERATOR_ROLE });
    expect(created.Id).toMatch(/^nc-[0-9a-f-]{36}$/);
    expect(created.Arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:network-connector:${created.Id}`);
    expect(created.Configuration.VpcEgressConfiguration).toEqual({
      SubnetIds: ['subnet-0nat'],
      SecurityGroupIds: ['sg-0conn'],
      NetworkProtocol: 'IPv4',
      AssociatedComputeResourceTypes: ['MicroVm'],
    });
    const [record] = world.records;
    expect(record).toMatchObject({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'CreateNetworkConnector',
      eventCategory: 'Management',
      managementEvent: true,
      requestParameters: { Name: 'nat-egress-connector', OperatorRole: OPERATOR_ROLE },
      responseElements: { Id: created.Id, Arn: created.Arn, State: 'PENDING' },
    });

    await world.clock.advanceBy(269_999);
    expect(world.compute.connectors.get(created.Id).State).toBe('PENDING');
    expect(world.network.createCalls).toHaveLength(0);
    await world.clock.advanceBy(1);
    expect(world.compute.connectors.get(created.Id).State).toBe('ACTIVE');

    const [validation, production] = world.network.createCalls;
    expect(validation?.caller).toMatchObject({
      kind: 'assumed-role',
      account: ACCOUNT,
      roleName: 'NetworkConnectorOperatorRole',
      sessionName: 'request-validation-session',
      invokedBy: 'network-connectors.lambda.amazonaws.com',
    });
    expect(production?.caller).toMatchObject({
      roleName: 'NetworkConnectorOperatorRole',
      sessionName: expect.stringMatching(/^\d{12}$/),
    });
    for (const call of [validation, production]) {
      expect(call?.input).toMatchObject({
        subnetId: 'subnet-0nat',
        securityGroupIds: ['sg-0conn'],
        operatorPrincipal: 'network-connectors.lambda.amazonaws.com',
        tags: {
          'aws:lambda:networkConnectorName': 'nat-egress-connector',
          'aws:lambda:networkConnectorId': created.Id,
        },
      });
      expect(call?.result.ok).toBe(true);
    }
    expect(world.compute.connectors.enisOf(created.Id).map((e) => e.purpose)).toEqual(['validation', 'production']);
  });

  it('finds a connector by ID, name, ARN with ID, ARN with name and versioned ARN', () => {
    const world = lab();
    const { Id } = createConnector(world, 'byname');
    const arnPrefix = `arn:aws:lambda:${REGION}:${ACCOUNT}:network-connector:`;
    for (const identifier of [Id, 'byname', `${arnPrefix}${Id}`, `${arnPrefix}byname`, `${arnPrefix}${Id}:3`]) {
      expect(world.compute.connectors.get(identifier).Id).toBe(Id);
    }
    expect(
      apiError(() => world.compute.connectors.get(`arn:aws:lambda:${REGION}:999999999999:network-connector:${Id}`))
        .code,
    ).toBe('ResourceNotFoundException');
  });

  it.each([
    ['a bad name', { Name: 'has space', Configuration: vpcEgress(['subnet-0nat']), OperatorRole: OPERATOR_ROLE }],
    [
      'a 65-character name',
      { Name: 'x'.repeat(65), Configuration: vpcEgress(['subnet-0nat']), OperatorRole: OPERATOR_ROLE },
    ],
    ['no subnets', { Name: 'n', Configuration: vpcEgress([]), OperatorRole: OPERATOR_ROLE }],
    [
      '17 subnets',
      {
        Name: 'n',
        Configuration: vpcEgress(Array.from({ length: 17 }, (_, i) => `subnet-${i}`)),
        OperatorRole: OPERATOR_ROLE,
      },
    ],
    [
      '6 security groups',
      {
        Name: 'n',
        Configuration: vpcEgress(['subnet-0nat'], ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6']),
        OperatorRole: OPERATOR_ROLE,
      },
    ],
    ['no configuration', { Name: 'n', OperatorRole: OPERATOR_ROLE }],
    [
      'a bad protocol',
      {
        Name: 'n',
        Configuration: { VpcEgressConfiguration: { SubnetIds: ['subnet-0nat'], NetworkProtocol: 'IPX' } },
        OperatorRole: OPERATOR_ROLE,
      },
    ],
    [
      'a bad role',
      { Name: 'n', Configuration: vpcEgress(['subnet-0nat']), OperatorRole: 'NetworkConnectorOperatorRole' },
    ],
  ])('rejects %s with InvalidParameterValueException and records the failure', (_label, request) => {
    const world = lab();
    const error = apiError(() => world.compute.connectors.create(request, admin));
    expect(error).toMatchObject({ code: 'InvalidParameterValueException', status: 400 });
    expect(world.records[0]).toMatchObject({ errorCode: 'InvalidParameterValueException', responseElements: null });
  });

  it('rejects a duplicate name with ResourceConflictException but replays a repeated ClientToken', () => {
    const world = lab();
    const request = {
      Name: 'dup',
      Configuration: vpcEgress(['subnet-0nat']),
      OperatorRole: OPERATOR_ROLE,
      ClientToken: 't-1',
    };
    const first = world.compute.connectors.create(request, admin);
    expect(world.compute.connectors.create(request, admin).Id).toBe(first.Id);
    const error = apiError(() => world.compute.connectors.create({ ...request, ClientToken: 't-2' }, admin));
    expect(error).toMatchObject({ code: 'ResourceConflictException', status: 409 });
    expect(world.compute.connectors.list()).toHaveLength(1);
  });

  it.each([
    ['a missing subnet', ['subnet-0gone'], ['sg-0conn'], 'InvalidSubnet'],
    ['a missing security group', ['subnet-0nat'], ['sg-0gone'], 'InvalidSecurityGroup'],
    ['a subnet without free IPs for the production ENI', ['subnet-0full'], ['sg-0conn'], 'SubnetOutOfIPAddresses'],
  ])('goes FAILED for %s, after the network world saw the failed create', async (_label, subnets, groups, code) => {
    const world = lab();
    const { Id } = world.compute.connectors.create(
      { Name: 'broken', Configuration: vpcEgress(subnets, groups), OperatorRole: OPERATOR_ROLE },
      admin,
    );
    await world.clock.advanceBy(270_000);
    const connector = world.compute.connectors.get(Id);
    expect(connector).toMatchObject({ State: 'FAILED', StateReasonCode: code });
    expect(connector.StateReason).toContain('Client.');
    expect(world.network.createCalls.at(-1)?.result.ok).toBe(false);
  });

  it('honours the stuckPending and activationFailure fault switches', async () => {
    const world = lab();
    world.compute.connectors.setFaults('stuck', { stuckPending: true });
    world.compute.connectors.setFaults('denied', { activationFailure: 'InsufficientRolePermissions' });
    const stuck = createConnector(world, 'stuck');
    const denied = createConnector(world, 'denied');
    await world.clock.advanceBy(3_600_000);
    expect(world.compute.connectors.get(stuck.Id).State).toBe('PENDING');
    expect(world.compute.connectors.get(denied.Id)).toMatchObject({
      State: 'FAILED',
      StateReasonCode: 'InsufficientRolePermissions',
    });
    expect(world.network.createCalls).toHaveLength(0);
  });

  it('updates an ACTIVE connector: stays ACTIVE, InProgress then Successful, ENIs follow the subnets', async () => {
    const world = lab({ updateDelayMs: 120_000 });
    const { Id } = createConnector(world, 'upd', ['subnet-0nat']);
    expect(
      apiError(() => world.compute.connectors.update(Id, { Configuration: vpcEgress(['subnet-0iso']) }, admin)).code,
    ).toBe('ResourceConflictException');
    await world.clock.advanceBy(270_000);
    const inProgress = world.compute.connectors.update(Id, { Configuration: vpcEgress(['subnet-0iso']) }, admin);
    expect(inProgress).toMatchObject({ State: 'ACTIVE', LastUpdateStatus: 'InProgress', Version: 2 });
    expect(world.records.at(-1)).toMatchObject({
      eventName: 'UpdateNetworkConnector',
      requestParameters: { Identifier: Id },
    });
    expect(apiError(() => world.compute.connectors.update(Id, {}, admin)).code).toBe('ResourceConflictException');
    await world.clock.advanceBy(120_000);
    expect(world.compute.connectors.get(Id)).toMatchObject({ State: 'ACTIVE', LastUpdateStatus: 'Successful' });
    const production = world.compute.connectors.enisOf(Id).filter((e) => e.purpose === 'production');
    expect(production.map((e) => e.subnetId)).toEqual(['subnet-0iso']);
    expect(world.network.deleteCalls).toHaveLength(1);
    expect(world.network.deleteCalls[0]?.caller).toMatchObject({ roleName: 'AWSServiceRoleForLambda' });
  });

  it('reports a failed update with a reason code and keeps the previous configuration', async () => {
    const world = lab({ updateDelayMs: 1_000 });
    const { Id } = createConnector(world, 'upd-fail');
    await world.clock.advanceBy(270_000);
    world.compute.connectors.update(Id, { Configuration: vpcEgress(['subnet-0nat', 'subnet-0gone']) }, admin);
    await world.clock.advanceBy(1_000);
    expect(world.compute.connectors.get(Id)).toMatchObject({
      State: 'ACTIVE',
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReasonCode: 'InvalidSubnet',
      Configuration: { VpcEgressConfiguration: { SubnetIds: ['subnet-0nat'] } },
    });
  });

  it('deletes: PENDING refused, then DELETING, ENIs removed by the service-linked role, then 404', async () => {
    const world = lab({ deletionDelayMs: 30_000 });
    const { Id } = createConnector(world, 'del', ['subnet-0nat', 'subnet-0iso']);
    expect(apiError(() => world.compute.connectors.delete(Id, admin)).code).toBe('ResourceConflictException');
    await world.clock.advanceBy(270_000);
    const eniIds = world.compute.connectors.enisOf(Id).map((e) => e.networkInterfaceId);
    expect(eniIds).toHaveLength(3);
    expect(world.compute.connectors.delete(Id, admin).State).toBe('DELETING');
    expect(world.compute.connectors.delete(Id, admin).State).toBe('DELETING');
    expect(world.records.at(-1)).toMatchObject({
      eventName: 'DeleteNetworkConnector',
      responseElements: { State: 'DELETING' },
    });
    await world.clock.advanceBy(30_000);
    expect(apiError(() => world.compute.connectors.get(Id))).toMatchObject({
      code: 'ResourceNotFoundException',
      status: 404,
    });
    expect(world.network.deleteCalls.map((c) => c.networkInterfaceId).sort()).toEqual([...eniIds].sort());
    for (const call of world.network.deleteCalls) {
      expect(call.caller).toMatchObject({
        kind: 'assumed-role',
        roleName: 'AWSServiceRoleForLambda',
        rolePath: '/aws-service-role/lambda.amazonaws.com/',
        invokedBy: 'lambda.amazonaws.com',
      });
    }
  });

  it('deletes a FAILED connector and its leftover validation ENI; deleteFails leaves DELETE_FAILED', async () => {
    const world = lab({ deletionDelayMs: 1 });
    const failed = world.compute.connectors.create(
      { Name: 'f', Configuration: vpcEgress(['subnet-0full', 'subnet-0nat']), OperatorRole: OPERATOR_ROLE },
      admin,
    );
    world.compute.connectors.setFaults('sticky', { deleteFails: true });
    const sticky = createConnector(world, 'sticky');
    await world.clock.advanceBy(270_000);
    expect(world.compute.connectors.get(failed.Id).State).toBe('FAILED');
    world.compute.connectors.delete(failed.Id, admin);
    world.compute.connectors.delete(sticky.Id, admin);
    await world.clock.advanceBy(1);
    expect(world.compute.connectors.find(failed.Id)).toBeUndefined();
    expect(world.compute.connectors.get(sticky.Id).State).toBe('DELETE_FAILED');
    expect(world.compute.connectors.enisOf(sticky.Id)).toHaveLength(2);
  });
});

describe('MicroVMs', () => {
  async function activeConnectors(world: ReturnType<typeof lab>) {
    const nat = createConnector(world, 'nat-egress-connector', ['subnet-0nat']);
    const iso = createConnector(world, 'isolated-egress-connector', ['subnet-0iso']);
    await world.clock.advanceBy(270_000);
    return { nat, iso };
  }

  it('runs with a connector ARN that ends in the name, PENDING then RUNNING, as a data event', async () => {
    const world = lab();
    await activeConnectors(world);
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:network-connector:nat-egress-connector`;
    const vm = world.compute.microvms.run(
      { imageIdentifier: world.image.imageArn, egressNetworkConnectors: [arn] },
      admin,
    );
    expect(vm).toMatchObject({ state: 'PENDING', egressNetworkConnectors: [arn], imageVersion: '1' });
    expect(vm.endpoint).toBe(`${vm.microvmId}.lambda-microvm.${REGION}.on.aws`);
    expect(world.records.at(-1)).toMatchObject({
      eventName: 'RunMicrovm',
      eventCategory: 'Data',
      managementEvent: false,
      requestParameters: { egressNetworkConnectors: [arn] },
      responseElements: { microvmId: vm.microvmId, startedAt: '2026-06-24T01:04:30.000Z' },
    });
    await world.clock.advanceBy(5_000);
    expect(world.compute.microvms.get(vm.microvmId).state).toBe('RUNNING');
  });

  it('writes no data events when logMicrovmDataEvents is off', () => {
    const world = lab({ logMicrovmDataEvents: false });
    const vm = world.compute.microvms.run({ imageIdentifier: world.image.imageArn }, admin);
    world.compute.microvms.terminate(vm.microvmId, admin);
    expect(world.records).toHaveLength(0);
  });

  it('fails with InternalServerException (CloudTrail InternalFailure) for two VPC egress connectors', async () => {
    const world = lab();
    const { nat, iso } = await activeConnectors(world);
    const error = apiError(() =>
      world.compute.microvms.run(
        { imageIdentifier: world.image.imageArn, egressNetworkConnectors: [nat.Arn, iso.Arn] },
        admin,
      ),
    );
    expect(error).toMatchObject({ code: 'InternalServerException', status: 500, trailErrorCode: 'InternalFailure' });
    expect(world.records.at(-1)).toMatchObject({ eventName: 'RunMicrovm', errorCode: 'InternalFailure' });
    expect(world.compute.microvms.list()).toHaveLength(0);
  });

  it('rejects unknown images, unknown or PENDING connectors and foreign managed connectors', () => {
    const world = lab();
    const pending = createConnector(world, 'pending');
    const run = (request: Record<string, unknown>) => apiError(() => world.compute.microvms.run(request, admin));
    expect(run({ imageIdentifier: `${world.image.imageArn}-nope` }).code).toBe('ResourceNotFoundException');
    expect(run({ imageIdentifier: world.image.imageArn, egressNetworkConnectors: [pending.Arn] }).code).toBe(
      'ValidationException',
    );
    expect(
      run({
        imageIdentifier: world.image.imageArn,
        egressNetworkConnectors: [`arn:aws:lambda:${REGION}:${ACCOUNT}:network-connector:nc-missing`],
      }).code,
    ).toBe('ResourceNotFoundException');
    expect(
      run({
        imageIdentifier: world.image.imageArn,
        egressNetworkConnectors: [INTERNET_EGRESS.replace(REGION, 'eu-west-1')],
      }).code,
    ).toBe('ValidationException');
  });

  it('suspends, resumes and terminates on the clock; terminate is idempotent', async () => {
    const world = lab();
    const { microvmId } = world.compute.microvms.run({ imageIdentifier: world.image.imageArn }, admin);
    const state = () => world.compute.microvms.get(microvmId).state;
    expect(apiError(() => world.compute.microvms.suspend(microvmId)).code).toBe('ConflictException');
    await world.clock.advanceBy(5_000);
    world.compute.microvms.suspend(microvmId);
    expect(state()).toBe('SUSPENDING');
    await world.clock.advanceBy(1_000);
    expect(state()).toBe('SUSPENDED');
    world.compute.microvms.resume(microvmId);
    expect(state()).toBe('SUSPENDED');
    await world.clock.advanceBy(1_000);
    expect(state()).toBe('RUNNING');
    world.compute.microvms.terminate(microvmId, admin);
    world.compute.microvms.terminate(microvmId, admin);
    await world.clock.advanceBy(1_000);
    expect(world.compute.microvms.get(microvmId)).toMatchObject({
      state: 'TERMINATED',
      terminatedAt: world.clock.now(),
    });
  });

  it('suspends an idle VM and terminates it after the suspended duration', async () => {
    const world = lab();
    const { microvmId } = world.compute.microvms.run(
      {
        imageIdentifier: world.image.imageArn,
        idlePolicy: { maxIdleDurationSeconds: 60, suspendedDurationSeconds: 120, autoResumeEnabled: true },
      },
      admin,
    );
    await world.clock.advanceBy(5_000 + 60_000 + 1_000);
    expect(world.compute.microvms.get(microvmId).state).toBe('SUSPENDED');
    await world.clock.advanceBy(120_000 + 1_000);
    expect(world.compute.microvms.get(microvmId).state).toBe('TERMINATED');
  });

  it('issues tokens that admit only their VM, their ports and until they expire; autoResume wakes the VM', async () => {
    const world = lab();
    const run = () =>
      world.compute.microvms.run(
        {
          imageIdentifier: world.image.imageArn,
          idlePolicy: { maxIdleDurationSeconds: 600, suspendedDurationSeconds: 3600, autoResumeEnabled: true },
        },
        admin,
      ).microvmId;
    const [vmA, vmB] = [run(), run()];
    const token = world.compute.microvms.createAuthToken(vmA, {
      expirationInMinutes: 5,
      allowedPorts: [{ port: 8080 }, { range: { startPort: 9000, endPort: 9010 } }],
    }).authToken['X-aws-proxy-auth'];
    expect(token).toEqual(expect.any(String));
    const admit = world.compute.microvms.admitProxyRequest.bind(world.compute.microvms);
    expect(admit(vmA, token, 8080)).toMatchObject({ ok: false, status: 502 });
    await world.clock.advanceBy(5_000);
    expect(admit(vmA, token, 8080).ok).toBe(true);
    expect(admit(vmA, token, 9005).ok).toBe(true);
    expect(admit(vmA, token, 9011)).toMatchObject({ ok: false, status: 403 });
    expect(admit(vmB, token, 8080)).toMatchObject({ ok: false, status: 403 });
    expect(admit(vmA, 'forged', 8080)).toMatchObject({ ok: false, status: 403 });
    world.compute.microvms.suspend(vmA);
    await world.clock.advanceBy(1_000);
    expect(admit(vmA, token, 8080).ok).toBe(true);
    expect(world.compute.microvms.get(vmA).state).toBe('RUNNING');
    await world.clock.advanceBy(5 * 60_000);
    expect(admit(vmA, token, 8080)).toMatchObject({ ok: false, status: 403, message: 'Authentication token expired' });
    for (const expirationInMinutes of [0, 61, 1.5]) {
      expect(
        apiError(() =>
          world.compute.microvms.createAuthToken(vmA, { expirationInMinutes, allowedPorts: [{ allPorts: {} }] }),
        ).code,
      ).toBe('ValidationException');
    }
    expect(
      apiError(() => world.compute.microvms.createAuthToken(vmA, { expirationInMinutes: 1, allowedPorts: [] })).code,
    ).toBe('ValidationException');
  });

  it('egress follows the connector ENI and breaks (VM still RUNNING) once the connector is deleted', async () => {
    const world = lab({ deletionDelayMs: 60_000 });
    const { nat } = await activeConnectors(world);
    const { microvmId } = world.compute.microvms.run(
      { imageIdentifier: world.image.imageArn, egressNetworkConnectors: [nat.Arn] },
      admin,
    );
    await world.clock.advanceBy(5_000);
    const natEni = world.compute.connectors.enisOf(nat.Id).find((e) => e.purpose === 'production');
    expect(world.compute.microvms.egressPathOf(microvmId)).toEqual({
      kind: 'vpc',
      connectorId: nat.Id,
      source: { subnetId: 'subnet-0nat', securityGroupIds: ['sg-0conn'], privateIpAddress: natEni?.privateIpAddress },
    });
    world.compute.connectors.delete(nat.Id, admin);
    expect(world.compute.microvms.egressPathOf(microvmId).kind).toBe('broken');
    await world.clock.advanceBy(60_000);
    // A new connector with the old name must not silently repair the old VM's egress.
    createConnector(world, 'nat-egress-connector');
    await world.clock.advanceBy(270_000);
    expect(world.compute.microvms.egressPathOf(microvmId).kind).toBe('broken');
    expect(world.compute.microvms.get(microvmId).state).toBe('RUNNING');
  });

  it('uses an AWS-owned public address for INTERNET_EGRESS, outside every customer VPC', () => {
    const world = lab();
    const { microvmId } = world.compute.microvms.run(
      { imageIdentifier: world.image.imageArn, egressNetworkConnectors: [INTERNET_EGRESS] },
      admin,
    );
    const path = world.compute.microvms.egressPathOf(microvmId);
    if (path.kind !== 'internet') throw new Error(`expected internet egress, got ${path.kind}`);
    const connect = (host: string, port = 80) =>
      evaluateMicrovmEgress(path, world.network, { host, port, protocol: 'tcp' });
    expect(connect('checkip.amazonaws.com')).toMatchObject({
      reachable: true,
      observedSourceIp: path.publicIp,
      responseBody: `${path.publicIp}\n`,
    });
    expect(connect('10.0.0.126')).toMatchObject({ reachable: false, failure: 'timeout' });
    expect(connect('ip-10-0-0-126.ec2.internal')).toMatchObject({ reachable: false, failure: 'dns' });
    expect(world.network.egressCalls).toHaveLength(0);
  });

  it('lists MicroVMs oldest first and filters by image', () => {
    const world = lab();
    const other = world.compute.microvms.registerImage({ name: 'other', appKind: 'egress-test-app' });
    const first = world.compute.microvms.run({ imageIdentifier: world.image.imageArn }, admin);
    world.compute.microvms.run({ imageIdentifier: other.imageArn }, admin);
    expect(world.compute.microvms.list().map((v) => v.imageArn)).toEqual([world.image.imageArn, other.imageArn]);
    expect(world.compute.microvms.list(world.image.imageArn)).toEqual([
      {
        microvmId: first.microvmId,
        state: 'PENDING',
        imageArn: world.image.imageArn,
        imageVersion: '1',
        startedAt: first.startedAt,
      },
    ]);
  });
});
