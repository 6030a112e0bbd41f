/**
 * The EC2 network-facts adapter against the lab's EC2 emulator over loopback HTTP (official client,
 * paginators with small pages, throttling switched on), compared with the lab world converted directly;
 * then collected and stored on DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createEc2Emulator } from '../../../lab/emulators/ec2.js';
import { Ec2FaultSwitch } from '../../../lab/emulators/ec2-faults.js';
import type { CallerIdentity } from '../../../lab/trail/record.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { collectNetworkFacts } from '../../../shared/app/collect-network-facts.js';
import { createEc2Client, Ec2NetworkFactsSource, TokenBucket } from '../../../shared/aws/ec2-network-facts.js';
import type { NetworkSnapshot } from '../../../shared/domain/network-facts.js';
import { createTestStore } from '../../support/ddb-test-store.js';
import { labNetworkSnapshot } from '../../support/lab-network-facts.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const SCOPE = { account: ACCOUNT, region: REGION };
const operator: CallerIdentity = {
  kind: 'assumed-role',
  account: ACCOUNT,
  roleName: 'NetworkConnectorOperatorRole',
  sessionName: '123456789012',
  invokedBy: 'network-connectors.lambda.amazonaws.com',
};

let world: NetworkWorld;
let served: ServedEmulator;
const faults = new Ec2FaultSwitch();

function connectorEni(subnet: string, group: string, connectorId: string): void {
  const created = world.createNetworkInterface(
    {
      subnetId: world.idOf('subnet', subnet),
      securityGroupIds: [world.idOf('security-group', group)],
      tags: { 'aws:lambda:networkConnectorName': group, 'aws:lambda:networkConnectorId': connectorId },
      operatorPrincipal: 'network-connectors.lambda.amazonaws.com',
    },
    operator,
  );
  if (!created.ok) throw new Error(created.errorMessage);
}

/** Order-insensitive view of a snapshot (the adapter lists ENIs connector-first). */
function sorted(snapshot: Omit<NetworkSnapshot, 'account' | 'region' | 'capturedAt'>) {
  const byId = <T>(items: T[], id: (t: T) => string) => [...items].sort((a, b) => id(a).localeCompare(id(b)));
  return {
    ...snapshot,
    networkInterfaces: byId(snapshot.networkInterfaces, (e) => e.networkInterfaceId),
    securityGroups: byId(snapshot.securityGroups, (g) => g.groupId),
  };
}

beforeAll(async () => {
  world = NetworkWorld.fromSpec(articleNetworkSpec(), {
    clock: new VirtualClock('2026-06-24T01:00:00Z'),
    trail: { emit: () => {} },
    account: ACCOUNT,
    region: REGION,
  });
  connectorEni('nat-subnet-1a', 'connector-sg', 'nc-nat-1111');
  connectorEni('isolated-subnet-1a', 'connector-isolated-sg', 'nc-iso-2222');
  served = await serveEmulator(createEc2Emulator(world, { callerFor: () => operator, faults }));
});

afterAll(async () => {
  await served.close();
});

describe('EC2 network facts over HTTP', () => {
  it('collects exactly the world the lab holds, paginating in pages of 5 while every 4th describe is throttled', async () => {
    faults.throttle(4);
    const source = new Ec2NetworkFactsSource(createEc2Client({ region: REGION, endpoint: served.endpoint }), {
      pageSize: 5,
    });
    const body = await source.describeNetwork(SCOPE);
    faults.throttle(0);

    expect(faults.throttled).toBeGreaterThan(0);
    const { account: _a, region: _r, capturedAt: _c, ...expected } = labNetworkSnapshot(world);
    expect(sorted(body)).toEqual(sorted(expected));
    expect(
      body.networkInterfaces
        .filter((e) => e.connectorId)
        .map((e) => e.connectorId)
        .sort(),
    ).toEqual(['nc-iso-2222', 'nc-nat-1111']);
    // Every rule carries its sgr- id.
    expect(body.securityGroups.flatMap((g) => g.rules).every((r) => r.securityGroupRuleId.startsWith('sgr-'))).toBe(
      true,
    );
  });

  it('waits for tokens: a bucket of 2 refilled 50/s spaces the calls', async () => {
    const source = new Ec2NetworkFactsSource(createEc2Client({ region: REGION, endpoint: served.endpoint }), {
      bucket: new TokenBucket(2, 50),
    });
    const started = Date.now();
    const before = faults.describeCalls;
    await source.describeNetwork(SCOPE);
    const calls = faults.describeCalls - before;
    // (calls - 2 burst tokens) / 50 per second, at least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(((calls - 2) / 50) * 1000 - 5);
  });

  it('stores the snapshot compactly, versioned by capture time, and loads it back', async () => {
    const { store } = await createTestStore();
    const source = new Ec2NetworkFactsSource(createEc2Client({ region: REGION, endpoint: served.endpoint }));
    const later = await collectNetworkFacts(
      { source, store, clock: { now: () => new Date('2026-06-24T02:00:00Z') } },
      SCOPE,
    );
    expect(later.saved).toBe('saved');
    expect(later.gaps).toEqual([]);
    const earlier = await collectNetworkFacts(
      { source, store, clock: { now: () => new Date('2026-06-24T01:00:00Z') } },
      SCOPE,
    );
    expect(earlier.saved).toBe('stale');

    const loaded = await store.loadNetworkFacts(SCOPE);
    expect(loaded.snapshot?.capturedAt).toBe('2026-06-24T02:00:00.000Z');
    expect(loaded).toEqual(later.facts);
    const natSubnet = world.idOf('subnet', 'nat-subnet-1a');
    expect(loaded.routeTableOfSubnet[natSubnet]).toBe(world.routeTableOfSubnet(natSubnet)?.routeTableId);
    expect(loaded.networkAclOfSubnet[natSubnet]).toBe(world.networkAclOfSubnet(natSubnet)?.networkAclId);
  });
});
