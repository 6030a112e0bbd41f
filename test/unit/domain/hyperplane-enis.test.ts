import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combinationKey,
  functionNameOfEniDescription,
  functionTeardown,
  hyperplaneEniReport,
  isHyperplaneEni,
  relevantLambdaFunctions,
} from '../../../shared/domain/hyperplane-enis.js';
import type {
  LambdaFunctionVpcFact,
  NetworkInterfaceFact,
  NetworkSnapshot,
} from '../../../shared/domain/network-facts.js';

const NOW = new Date('2026-07-20T12:00:00.000Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

function eni(id: string, subnetId: string, groups: string[], extra: Partial<NetworkInterfaceFact> = {}) {
  return {
    networkInterfaceId: id,
    subnetId,
    vpcId: 'vpc-1',
    availabilityZone: 'ap-northeast-1a',
    privateIpAddresses: ['10.0.0.9'],
    securityGroupIds: groups,
    interfaceType: 'lambda',
    status: 'in-use',
    description: `AWS Lambda VPC ENI-${extra.description ?? 'orders-api'}-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04`,
    ...extra,
    ...(extra.description ? { description: extra.description } : {}),
  } satisfies NetworkInterfaceFact;
}

function fn(name: string, subnetIds: string[], groups: string[], extra: Partial<LambdaFunctionVpcFact> = {}) {
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:ap-northeast-1:111122223333:function:${name}`,
    version: '$LATEST',
    subnetIds,
    securityGroupIds: groups,
    vpcId: subnetIds.length ? 'vpc-1' : undefined,
    lastModified: ago(2 * DAY),
    ...extra,
  } as LambdaFunctionVpcFact;
}

function snapshot(enis: NetworkInterfaceFact[], functions?: LambdaFunctionVpcFact[]): NetworkSnapshot {
  return {
    account: '111122223333',
    region: 'ap-northeast-1',
    capturedAt: NOW.toISOString(),
    vpcs: [],
    subnets: [],
    routeTables: [],
    securityGroups: [],
    networkAcls: [],
    natGateways: [],
    internetGateways: [],
    vpcEndpoints: [],
    prefixLists: [],
    networkInterfaces: enis,
    ...(functions ? { lambdaFunctions: functions } : {}),
  };
}

const desc = (name: string) => `AWS Lambda VPC ENI-${name}-0b9e4c1a-3d52-4f6e-8a7b-1c2d3e4f5a6b`;

describe('recognising Hyperplane ENIs', () => {
  it.each([
    [{ interfaceType: 'lambda', description: '' }, true],
    [{ interfaceType: 'interface', description: 'AWS Lambda VPC ENI-legacy' }, true],
    [{ interfaceType: 'interface', description: 'ELB app/x' }, false],
    [{ interfaceType: 'lambda', description: desc('a'), connectorId: 'nc-1' }, false],
  ])('%o → %s', (fields, expected) => {
    expect(isHyperplaneEni(fields)).toBe(expected);
  });

  it.each([
    ['AWS Lambda VPC ENI-orders-api-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04', 'orders-api'],
    ['AWS Lambda VPC ENI-orders-api', 'orders-api'],
    ['AWS Lambda VPC ENI-a-b-c-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04', 'a-b-c'],
    ['something else', null],
    [undefined, null],
  ])('description %s names %s', (description, expected) => {
    expect(functionNameOfEniDescription(description)).toBe(expected);
  });

  it('keys a combination by subnet and the security-group set, whatever the order or duplicates', () => {
    expect(combinationKey('subnet-1', ['sg-b', 'sg-a', 'sg-b'])).toBe(combinationKey('subnet-1', ['sg-a', 'sg-b']));
    expect(combinationKey('subnet-1', ['sg-a'])).not.toBe(combinationKey('subnet-1', ['sg-a', 'sg-b']));
  });
});

describe('attribution by subnet + security-group set', () => {
  it('one ENI shared by every function (and published version) with the same combination', () => {
    const report = hyperplaneEniReport(
      snapshot(
        [eni('eni-shared', 'subnet-1', ['sg-b', 'sg-a'], { description: desc('orders-api') })],
        [
          fn('orders-api', ['subnet-1', 'subnet-2'], ['sg-a', 'sg-b']),
          fn('billing', ['subnet-1'], ['sg-b', 'sg-a']),
          fn('billing', ['subnet-1'], ['sg-a', 'sg-b'], { version: '3' }),
          fn('reports', ['subnet-1'], ['sg-a']), // a different set: a different ENI
          fn('other-subnet', ['subnet-2'], ['sg-a', 'sg-b']),
        ],
      ),
      NOW,
    );
    const [entry] = report.enis;
    expect(entry?.attribution).toBe('subnet-and-security-groups');
    expect(entry?.createdFor).toBe('orders-api');
    expect(entry?.users).toEqual([
      { functionName: 'billing', versions: ['$LATEST', '3'] },
      { functionName: 'orders-api', versions: ['$LATEST'] },
    ]);
    expect(report.blockedSubnets).toEqual([
      { id: 'subnet-1', networkInterfaceIds: ['eni-shared'], heldBy: ['billing', 'orders-api'], clearsBy: null },
    ]);
    expect(report.blockedSecurityGroups.map((b) => b.id)).toEqual(['sg-a', 'sg-b']);
  });

  it('without functions, falls back to the description and says so', () => {
    const report = hyperplaneEniReport(snapshot([eni('eni-1', 'subnet-1', ['sg-a'])]), NOW);
    expect(report.functionsRead).toBe(false);
    expect(report.enis[0]?.attribution).toBe('description-only');
    expect(report.enis[0]?.users).toEqual([{ functionName: 'orders-api', versions: [] }]);
    expect(report.notes.join(' ')).toMatch(/not read/);
  });

  it('ignores connector ENIs and plain ENIs', () => {
    const report = hyperplaneEniReport(
      snapshot([
        eni('eni-conn', 'subnet-1', ['sg-a'], { connectorId: 'nc-1' }),
        eni('eni-plain', 'subnet-1', ['sg-a'], { interfaceType: 'interface', description: 'web server' }),
      ]),
      NOW,
    );
    expect(report.enis).toEqual([]);
  });

  it('property: the users of an ENI are exactly the functions configured with its subnet and group set', () => {
    const subnet = fc.constantFrom('subnet-1', 'subnet-2');
    const groups = fc.uniqueArray(fc.constantFrom('sg-a', 'sg-b', 'sg-c'), { minLength: 1, maxLength: 3 });
    const config = fc.record({
      name: fc.constantFrom('f1', 'f2', 'f3', 'f4'),
      subnets: fc.uniqueArray(subnet, { maxLength: 2 }),
      groups,
    });
    fc.assert(
      fc.property(fc.array(config, { maxLength: 8 }), subnet, groups, (configs, eniSubnet, eniGroups) => {
        // One $LATEST per name: the last config for a name wins.
        const byName = new Map(configs.map((c) => [c.name, c]));
        const functions = [...byName.values()].map((c) => fn(c.name, c.subnets, c.groups));
        const report = hyperplaneEniReport(snapshot([eni('eni-x', eniSubnet, eniGroups)], functions), NOW);
        const expected = [...byName.values()]
          .filter((c) => c.subnets.includes(eniSubnet) && [...c.groups].sort().join() === [...eniGroups].sort().join())
          .map((c) => c.name)
          .sort();
        const entry = report.enis[0];
        expect(entry?.users.map((u) => u.functionName)).toEqual(expected);
        expect(entry?.usage === 'unused').toBe(expected.length === 0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('idle ENIs and reclaim dates (14 days after the last use)', () => {
  const shared = (f: LambdaFunctionVpcFact[], e: Partial<NetworkInterfaceFact> = {}, lastInvokedAt = {}) =>
    hyperplaneEniReport(snapshot([eni('eni-1', 'subnet-1', ['sg-a'], e)], f), NOW, { lastInvokedAt }).enis[0];

  it.each([
    {
      name: 'invocations known for every user: exact, from the latest one',
      functions: [fn('a', ['subnet-1'], ['sg-a']), fn('b', ['subnet-1'], ['sg-a'])],
      invoked: { a: ago(10 * DAY), b: ago(3 * DAY) },
      usage: 'in-use',
      lastUse: { at: ago(3 * DAY), basis: 'invocation' },
      reclaimableFrom: ago(3 * DAY - 14 * DAY),
      due: false,
    },
    {
      name: 'every user last invoked 15 days ago: idle and due',
      functions: [fn('a', ['subnet-1'], ['sg-a'])],
      invoked: { a: ago(15 * DAY) },
      usage: 'idle',
      lastUse: { at: ago(15 * DAY), basis: 'invocation' },
      reclaimableFrom: ago(DAY),
      due: true,
    },
    {
      name: 'no invocations: the latest function update is a lower bound',
      functions: [
        fn('a', ['subnet-1'], ['sg-a'], { lastModified: ago(20 * DAY) }),
        fn('b', ['subnet-1'], ['sg-a'], { lastModified: ago(16 * DAY) }),
      ],
      invoked: {},
      usage: 'attached',
      lastUse: { at: ago(16 * DAY), basis: 'function-update' },
      reclaimableFrom: ago(2 * DAY),
      due: true,
    },
    {
      name: 'one user without invocation data: the whole ENI falls back to lower bounds',
      functions: [
        fn('a', ['subnet-1'], ['sg-a'], { lastModified: ago(30 * DAY) }),
        fn('b', ['subnet-1'], ['sg-a'], { lastModified: ago(30 * DAY) }),
      ],
      invoked: { a: ago(5 * DAY) },
      usage: 'attached',
      lastUse: { at: ago(5 * DAY), basis: 'function-update' },
      reclaimableFrom: ago(5 * DAY - 14 * DAY),
      due: false,
    },
    {
      name: 'every user Inactive (Idle): idle',
      functions: [
        fn('a', ['subnet-1'], ['sg-a'], { state: 'Inactive', stateReasonCode: 'Idle', lastModified: ago(40 * DAY) }),
      ],
      invoked: {},
      usage: 'idle',
      lastUse: { at: ago(40 * DAY), basis: 'function-update' },
      reclaimableFrom: ago(26 * DAY),
      due: true,
    },
  ])('$name', ({ functions, invoked, usage, lastUse, reclaimableFrom, due }) => {
    const entry = shared(functions, {}, invoked);
    expect(entry?.usage).toBe(usage);
    expect(entry?.lastUse).toEqual(lastUse);
    expect(entry?.reclaimableFrom).toBe(reclaimableFrom);
    expect(entry?.reclaimDue).toBe(due);
  });

  it('the ENI attachment time counts when it is later than every function update', () => {
    const entry = shared([fn('a', ['subnet-1'], ['sg-a'], { lastModified: ago(30 * DAY) })], {
      attachment: {
        attachmentId: 'ela-attach-1',
        instanceOwnerId: 'amazon-aws',
        status: 'attached',
        attachTime: ago(DAY),
      },
    });
    expect(entry?.lastUse).toEqual({ at: ago(DAY), basis: 'eni-attach' });
    expect(entry?.reclaimableFrom).toBe(ago(DAY - 14 * DAY));
  });

  it('a released (available) ENI has no reclaim date', () => {
    const entry = shared([fn('a', ['subnet-1'], ['sg-a'])], { status: 'available' });
    expect(entry?.usage).toBe('released');
    expect(entry?.reclaimableFrom).toBeNull();
  });

  it('property: reclaimableFrom is always the last use plus exactly 14 days', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * DAY }),
        fc.integer({ min: 0, max: 60 * DAY }),
        (invokedAgo, modifiedAgo) => {
          const entry = shared(
            [fn('a', ['subnet-1'], ['sg-a'], { lastModified: ago(modifiedAgo) })],
            {},
            { a: ago(invokedAgo) },
          );
          expect(Date.parse(entry?.reclaimableFrom ?? '') - Date.parse(entry?.lastUse.at ?? '')).toBe(14 * DAY);
          expect(entry?.reclaimDue).toBe(invokedAgo >= 14 * DAY);
        },
      ),
    );
  });
});

describe('teardown of a deleted or detached function (up to 20 minutes)', () => {
  /** One ENI created for `name`, whose VPC configuration was removed `minutesAgo`. */
  const detachedReport = (name: string, minutesAgo: number) =>
    hyperplaneEniReport(
      snapshot(
        [eni('eni-1', 'subnet-1', ['sg-a'], { description: desc(name) })],
        [fn(name, [], [], { lastModified: ago(minutesAgo * 60_000) })],
      ),
      NOW,
    );

  it('an unused ENI of a detached function: since the detach, expected within 20 minutes, subnets blocked until then', () => {
    const report = detachedReport('orders-api', 5);
    const entry = report.enis[0];
    expect(entry?.usage).toBe('unused');
    expect(entry?.attribution).toBe('none');
    expect(entry?.teardown).toEqual({ since: ago(5 * 60_000), expectedBy: ago(-15 * 60_000), overdue: false });
    expect(report.blockedSubnets).toEqual([
      { id: 'subnet-1', networkInterfaceIds: ['eni-1'], heldBy: [], clearsBy: ago(-15 * 60_000) },
    ]);
  });

  it('overdue after 20 minutes (e.g. the execution role was deleted first)', () => {
    const report = detachedReport('gone', 45);
    expect(report.enis[0]?.teardown?.overdue).toBe(true);
  });

  it('planned delete: the ENI it alone uses goes within 20 minutes; the shared one stays with its other users', () => {
    const s = snapshot(
      [
        eni('eni-own', 'subnet-2', ['sg-a'], { description: desc('orders-api') }),
        eni('eni-shared', 'subnet-1', ['sg-a'], { description: desc('billing') }),
      ],
      [fn('orders-api', ['subnet-1', 'subnet-2'], ['sg-a']), fn('billing', ['subnet-1'], ['sg-a'])],
    );
    const plan = functionTeardown(s, 'orders-api', NOW, 'delete');
    expect(plan.phase).toBe('planned');
    expect(plan.teardownMaxMinutes).toBe(20);
    expect(plan.expectedBy).toBe(ago(-20 * 60_000));
    expect(plan.enis).toEqual([
      {
        networkInterfaceId: 'eni-own',
        subnetId: 'subnet-2',
        securityGroupIds: ['sg-a'],
        keptBy: [],
        deletedByLambda: true,
        expectedGoneBy: ago(-20 * 60_000),
      },
      {
        networkInterfaceId: 'eni-shared',
        subnetId: 'subnet-1',
        securityGroupIds: ['sg-a'],
        keptBy: ['billing'],
        deletedByLambda: false,
        expectedGoneBy: null,
      },
    ]);
    expect(plan.blockedSubnets).toEqual([
      { id: 'subnet-1', networkInterfaceIds: ['eni-shared'], heldBy: ['billing'], clearsBy: null },
      { id: 'subnet-2', networkInterfaceIds: ['eni-own'], heldBy: [], clearsBy: ago(-20 * 60_000) },
    ]);
    expect(plan.blockedSecurityGroups).toEqual([
      { id: 'sg-a', networkInterfaceIds: ['eni-own', 'eni-shared'], heldBy: ['billing'], clearsBy: null },
    ]);
  });

  it("a subnet stays blocked by another function's ENI after the function's own ENI is gone", () => {
    const s = snapshot(
      [
        eni('eni-own', 'subnet-1', ['sg-a'], { description: desc('orders-api') }),
        eni('eni-other', 'subnet-1', ['sg-b'], { description: desc('billing') }),
      ],
      [fn('orders-api', ['subnet-1'], ['sg-a']), fn('billing', ['subnet-1'], ['sg-b'])],
    );
    const plan = functionTeardown(s, 'orders-api', NOW);
    expect(plan.enis.map((e) => [e.networkInterfaceId, e.deletedByLambda])).toEqual([['eni-own', true]]);
    expect(plan.blockedSubnets).toEqual([
      { id: 'subnet-1', networkInterfaceIds: ['eni-own', 'eni-other'], heldBy: ['billing'], clearsBy: null },
    ]);
    // sg-b is not one of orders-api's groups: not part of its answer.
    expect(plan.blockedSecurityGroups).toEqual([
      { id: 'sg-a', networkInterfaceIds: ['eni-own'], heldBy: [], clearsBy: ago(-20 * 60_000) },
    ]);
  });

  it('planned detach keeps the ENI while a published version still uses it', () => {
    const s = snapshot(
      [eni('eni-1', 'subnet-1', ['sg-a'])],
      [fn('orders-api', ['subnet-1'], ['sg-a']), fn('orders-api', ['subnet-1'], ['sg-a'], { version: '7' })],
    );
    const detach = functionTeardown(s, 'orders-api', NOW, 'detach');
    expect(detach.enis[0]).toMatchObject({ keptBy: ['orders-api:7'], deletedByLambda: false });
    expect(detach.expectedBy).toBeNull();
    const remove = functionTeardown(s, 'orders-api', NOW, 'delete');
    expect(remove.enis[0]).toMatchObject({ keptBy: [], deletedByLambda: true });
  });

  it('in progress for a deleted function: ENIs that name it, start unknown, said so', () => {
    const s = snapshot([eni('eni-1', 'subnet-1', ['sg-a'], { description: desc('deleted-fn') })], []);
    const t = functionTeardown(s, 'deleted-fn', NOW);
    expect(t.phase).toBe('in-progress');
    expect(t.since).toBeNull();
    expect(t.expectedBy).toBeNull();
    expect(t.enis[0]?.deletedByLambda).toBe(true);
    expect(t.blockedSubnets[0]).toMatchObject({ id: 'subnet-1', clearsBy: null });
    expect(t.notes.join(' ')).toMatch(/unknown/);
  });

  it('done when nothing of it remains; not-attached when it exists without a VPC', () => {
    expect(functionTeardown(snapshot([], []), 'ghost', NOW).phase).toBe('done');
    expect(functionTeardown(snapshot([], [fn('plain', [], [])]), 'plain', NOW).phase).toBe('not-attached');
  });
});

describe('relevantLambdaFunctions', () => {
  it('keeps VPC versions and the detached functions an ENI names, drops the rest', () => {
    const functions = [
      fn('vpc', ['subnet-1'], ['sg-a']),
      fn('detached', [], []),
      fn('plain', [], []),
      fn('detached', [], [], { version: '2' }),
    ];
    const kept = relevantLambdaFunctions(functions, [
      eni('eni-1', 'subnet-1', ['sg-a'], { description: desc('detached') }),
    ]);
    expect(kept.map((f) => `${f.functionName}:${f.version}`)).toEqual(['vpc:$LATEST', 'detached:$LATEST']);
  });
});
