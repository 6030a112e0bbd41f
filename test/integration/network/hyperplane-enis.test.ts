/**
 * Hyperplane ENIs through the lab over loopback HTTP: the lab's EC2 emulator holds Lambda-created ENIs
 * (InterfaceType lambda, ela-attach attachment, requester id), its Lambda emulator serves ListFunctions /
 * GetFunctionConfiguration, and the official clients (small pages) feed the pure attribution
 * (docs/hyperplane-enis.md).
 */
import { DeleteNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createEc2Emulator } from '../../../lab/emulators/ec2.js';
import { createLambdaFunctionsEmulator } from '../../../lab/emulators/lambda-functions.js';
import type { CallerIdentity } from '../../../lab/trail/record.js';
import { LambdaFunctionWorld } from '../../../lab/world/lambda-functions.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { type HyperplaneInspection, inspectHyperplaneEnis } from '../../../shared/app/inspect-hyperplane-enis.js';
import { createEc2Client, Ec2NetworkFactsSource } from '../../../shared/aws/ec2-network-facts.js';
import { createLambdaClient, SdkLambdaFunctionSource } from '../../../shared/aws/lambda-functions.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const SCOPE = { account: ACCOUNT, region: REGION };
const credentials = { accessKeyId: 'LABTEST', secretAccessKey: 'lab' };
const lambdaRole = (role: string): CallerIdentity => ({
  kind: 'assumed-role',
  account: ACCOUNT,
  roleName: role,
  sessionName: `awslambda_${role}`,
  invokedBy: 'lambda.amazonaws.com',
});
const alice: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'alice' };

const clock = new VirtualClock('2026-07-02T08:00:00Z');
let world: NetworkWorld;
let functions: LambdaFunctionWorld;
let ec2Served: ServedEmulator;
let lambdaServed: ServedEmulator;
const eniIds: Record<string, string> = {};

function lambdaEni(key: string, role: string, name: string, subnet: string, groups: string[]): void {
  const created = world.createNetworkInterface(
    {
      subnetId: world.idOf('subnet', subnet),
      securityGroupIds: groups.map((g) => world.idOf('security-group', g)),
      tags: {},
      description: `AWS Lambda VPC ENI-${name}-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04`,
    },
    lambdaRole(role),
  );
  if (!created.ok) throw new Error(created.errorMessage);
  eniIds[key] = created.eni.networkInterfaceId;
}

function fn(name: string, subnets: string[], groups: string[], extra: Record<string, string> = {}): void {
  const subnetIds = subnets.map((s) => world.idOf('subnet', s));
  functions.put({
    functionName: name,
    subnetIds,
    securityGroupIds: groups.map((g) => world.idOf('security-group', g)),
    vpcId: subnetIds[0] ? (world.subnets.get(subnetIds[0])?.vpcId ?? null) : null,
    ...extra,
  });
}

async function inspect(functionName?: string): Promise<HyperplaneInspection> {
  const ec2 = createEc2Client({ region: REGION, endpoint: ec2Served.endpoint, credentials });
  const lambda = createLambdaClient({ region: REGION, endpoint: lambdaServed.endpoint, credentials });
  try {
    return await inspectHyperplaneEnis(
      {
        source: new Ec2NetworkFactsSource(ec2, { pageSize: 5 }),
        functions: new SdkLambdaFunctionSource(lambda, { pageSize: 2 }),
        clock,
      },
      SCOPE,
      functionName ? { functionName } : {},
    );
  } finally {
    ec2.destroy();
    lambda.destroy();
  }
}

beforeAll(async () => {
  const ctx = { clock, trail: { emit: () => {} }, account: ACCOUNT, region: REGION };
  world = NetworkWorld.fromSpec(articleNetworkSpec(), ctx);
  functions = new LambdaFunctionWorld(ctx);
  fn('orders-api', ['nat-subnet-1a'], ['connector-sg'], { lastModified: '2026-07-01T09:00:00.000Z' });
  fn('billing-worker', ['nat-subnet-1a'], ['connector-sg']);
  functions.put({
    functionName: 'orders-api',
    version: '3',
    subnetIds: [world.idOf('subnet', 'isolated-subnet-1a')],
    securityGroupIds: [world.idOf('security-group', 'connector-isolated-sg')],
    vpcId: null,
  });
  fn('legacy-sync', ['isolated-subnet-1a'], ['target-sg'], { state: 'Inactive', stateReasonCode: 'Idle' });
  fn('image-resizer', ['isolated-subnet-1a'], ['connector-sg']);
  fn('plain', [], []);
  lambdaEni('shared', 'orders-role', 'orders-api', 'nat-subnet-1a', ['connector-sg']);
  lambdaEni('version3', 'orders-role', 'orders-api', 'isolated-subnet-1a', ['connector-isolated-sg']);
  lambdaEni('idle', 'sync-role', 'legacy-sync', 'isolated-subnet-1a', ['target-sg']);
  lambdaEni('resizer', 'resizer-role', 'image-resizer', 'isolated-subnet-1a', ['connector-sg']);
  await clock.advanceTo(Date.parse('2026-07-02T08:10:00Z'));
  fn('image-resizer', [], []); // detached at 08:10
  await clock.advanceTo(Date.parse('2026-07-02T08:20:00Z'));
  ec2Served = await serveEmulator(createEc2Emulator(world, { callerFor: () => alice }));
  lambdaServed = await serveEmulator(createLambdaFunctionsEmulator(functions));
});

afterAll(async () => {
  await ec2Served?.close();
  await lambdaServed?.close();
});

describe('Hyperplane ENIs through the lab over HTTP', () => {
  it('attributes each ENI to the functions with its subnet + security-group set', async () => {
    const { report, snapshot } = await inspect();
    expect(report.functionsRead).toBe(true);
    // `plain` has no VPC and no ENI names it: not kept in the facts.
    expect(snapshot.lambdaFunctions?.map((f) => `${f.functionName}:${f.version}`).sort()).toEqual([
      'billing-worker:$LATEST',
      'image-resizer:$LATEST',
      'legacy-sync:$LATEST',
      'orders-api:$LATEST',
      'orders-api:3',
    ]);
    const byId = new Map(report.enis.map((e) => [e.networkInterfaceId, e]));
    expect(report.enis).toHaveLength(4);
    const shared = byId.get(eniIds.shared as string);
    expect(shared?.users.map((u) => u.functionName)).toEqual(['billing-worker', 'orders-api']);
    expect(shared?.usage).toBe('attached');
    expect(shared?.requesterId).toMatch(/^AROA[0-9A-F]+:awslambda_orders-role$/);
    // The attachment (08:00) is later than orders-api's update (07-01): last use ≥ 08:00, reclaim ≥ 14 days on.
    expect(shared?.lastUse).toEqual({ at: '2026-07-02T08:00:00.000Z', basis: 'eni-attach' });
    expect(shared?.reclaimableFrom).toBe('2026-07-16T08:00:00.000Z');
    expect(byId.get(eniIds.version3 as string)?.users).toEqual([{ functionName: 'orders-api', versions: ['3'] }]);
    expect(byId.get(eniIds.idle as string)?.usage).toBe('idle');
    expect(byId.get(eniIds.resizer as string)).toMatchObject({
      usage: 'unused',
      createdFor: 'image-resizer',
      teardown: { since: '2026-07-02T08:10:00.000Z', expectedBy: '2026-07-02T08:30:00.000Z', overdue: false },
    });
    const isolated = world.idOf('subnet', 'isolated-subnet-1a');
    expect(report.blockedSubnets.find((b) => b.id === isolated)).toMatchObject({
      heldBy: ['legacy-sync', 'orders-api'],
      clearsBy: null,
    });
  });

  it("deleting orders-api: the version-3 ENI goes within 20 minutes, the shared one stays with billing-worker's", async () => {
    const { teardown } = await inspect('orders-api');
    expect(teardown?.phase).toBe('planned');
    expect(teardown?.expectedBy).toBe('2026-07-02T08:40:00.000Z');
    expect(teardown?.enis.map((e) => [e.networkInterfaceId, e.deletedByLambda, e.keptBy])).toEqual(
      expect.arrayContaining([
        [eniIds.shared, false, ['billing-worker']],
        [eniIds.version3, true, []],
      ]),
    );
    // The isolated subnet stays blocked after that: legacy-sync's and image-resizer's ENIs are in it too.
    const isolated = teardown?.blockedSubnets.find((b) => b.id === world.idOf('subnet', 'isolated-subnet-1a'));
    expect(isolated?.networkInterfaceIds).toHaveLength(3);
    expect(isolated?.heldBy).toEqual(['legacy-sync']);
  });

  it('only Lambda deletes an attached Hyperplane ENI (a user gets InvalidNetworkInterface.InUse)', async () => {
    const ec2 = new EC2Client({ region: REGION, endpoint: ec2Served.endpoint, credentials, maxAttempts: 1 });
    try {
      await expect(
        ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniIds.shared as string })),
      ).rejects.toMatchObject({ name: 'InvalidNetworkInterface.InUse' });
    } finally {
      ec2.destroy();
    }
  });
});
