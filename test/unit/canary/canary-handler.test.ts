import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type CanaryFunctionDeps, type CanaryTickDeps, makeHandler } from '../../../functions/canary.js';
import type { CanaryState, LiveConnector } from '../../../shared/canary-ports.js';
import type { CanaryRun } from '../../../shared/domain/canary.js';
import { parseExpectations } from '../../../shared/domain/expectations.js';
import { ReprobeRequestError } from '../../../shared/domain/path-change.js';
import { parseTargets } from '../../../shared/domain/targets.js';
import { noFunctionMetrics } from '../../../shared/observability.js';
import { silentLogger } from '../../../shared/ports.js';

const ARN = (name: string) => `arn:aws:lambda:ap-northeast-1:111122223333:network-connector:${name}`;
const CONNECTORS: LiveConnector[] = ['a', 'b'].map((n) => ({
  id: `nc-${n}`,
  name: n,
  arn: ARN(n),
  state: 'ACTIVE',
  tags: {},
}));
const DOC = parseExpectations({
  defaults: { interval: '5m' },
  connectors: [{ select: { tags: {} }, targets: [{ tcp: '10.0.0.1:443', expect: 'reachable' }] }],
});
const ctx = {} as Context;

function deps(options: { failConnectors?: boolean } = {}) {
  const runs: CanaryRun[] = [];
  const states = new Map<string, CanaryState>(
    CONNECTORS.map((c) => [
      c.id,
      {
        connectorId: c.id,
        connectorName: c.name,
        connectorArn: c.arn,
        tags: {},
        microvmId: `mvm-${c.id}`,
        microvmStartedAt: '2026-07-15T09:00:00Z',
        warming: false,
        lastRunAt: '2026-07-15T08:50:00Z',
        streaks: {},
      },
    ]),
  );
  const tick: CanaryTickDeps = {
    directory: {
      listConnectors: async () => {
        if (options.failConnectors) throw new Error('ListNetworkConnectors throttled');
        return CONNECTORS;
      },
    },
    microvms: {
      run: async () => {
        throw new Error('unexpected RunMicrovm');
      },
      get: async (id) => ({ microvmId: id, state: 'SUSPENDED', endpoint: 'e', startedAt: '' }),
      suspend: async () => undefined,
      terminate: async () => undefined,
      findRunningOnConnector: async () => undefined,
      authToken: async () => 't',
    },
    agent: {
      probe: async (_e, _m, _t, probes) => ({
        status: 200,
        body: {
          probes: probes.map((p) => ({
            id: p.id,
            kind: p.kind,
            reached: true,
            latencyMs: 1,
            errorClass: null,
            resolvedAddress: null,
            status: null,
          })),
        },
      }),
    },
    store: {
      listStates: async () => [...states.values()],
      saveState: async (s) => void states.set(s.connectorId, s),
      deleteState: async (id) => void states.delete(id),
      putRun: async (run) => void runs.push(run),
      loadFinding: async () => undefined,
      putFinding: async () => undefined,
    },
    clock: { now: () => new Date('2026-07-15T09:02:30Z') },
    pacer: { sleep: async () => undefined, nowMs: () => 0 },
    logger: silentLogger,
    imageArn: 'arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-watch-canary',
    region: 'ap-northeast-1',
  };
  const d: CanaryFunctionDeps = {
    expectations: () => DOC,
    tickFor: () => ({ deps: tick, release: () => undefined }),
    pathChanges: { attachCheck: async () => true },
    targets: null,
    region: 'ap-northeast-1',
    logger: silentLogger,
    metrics: noFunctionMetrics,
  };
  return { d, runs };
}

const pathChanged = (connectorId: string) => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: '42',
    Keys: marshall({ pk: 'FINDING#fp', sk: 'META' }),
    NewImage: marshall({
      pk: 'FINDING#fp',
      sk: 'META',
      rule: 'network-path-changed',
      status: 'open',
      connectorId,
      body: JSON.stringify({
        rule: 'network-path-changed',
        severity: 'warning',
        status: 'open',
        connectorId,
        account: '111122223333',
        region: 'ap-northeast-1',
        fingerprint: 'fp',
        firstSeen: '2026-07-15T09:01:00Z',
        summary: 'route changed',
      }),
    }),
  },
});

describe('functions/canary: schedule, path-change stream and { connectorIds, reason }', () => {
  it('a { connectorIds, reason } invocation probes only those connectors, now, and says which it skipped', async () => {
    const { d, runs } = deps();
    const out = await makeHandler(d)({ connectorIds: ['nc-b', 'nc-gone'], reason: 'after a maintenance' }, ctx);
    expect(runs.map((r) => [r.connectorId, r.reprobe])).toEqual([['nc-b', 'after a maintenance']]);
    expect(out).toMatchObject({ runs: 1, skipped: [{ connectorId: 'nc-gone' }] });
  });

  it('rejects a malformed re-probe request with the path of each problem', async () => {
    const { d, runs } = deps();
    await expect(makeHandler(d)({ connectorIds: 'nc-a', reason: 'x' }, ctx)).rejects.toBeInstanceOf(
      ReprobeRequestError,
    );
    expect(runs).toEqual([]);
  });

  it('a path-change stream record re-probes its connector only; a failure reports the batch for a retry', async () => {
    const { d, runs } = deps();
    expect(await makeHandler(d)({ Records: [pathChanged('nc-a')] }, ctx)).toEqual({ batchItemFailures: [] });
    expect(runs.map((r) => r.connectorId)).toEqual(['nc-a']);
    const failing = deps({ failConnectors: true });
    expect(await makeHandler(failing.d)({ Records: [pathChanged('nc-a')] }, ctx)).toEqual({
      batchItemFailures: [{ itemIdentifier: '42' }],
    });
  });

  it('a scheduled event runs the usual tick (every due connector, no re-probe mark)', async () => {
    const { d, runs } = deps();
    await makeHandler(d)({ 'detail-type': 'Scheduled Event', time: '2026-07-15T09:02:30Z' }, ctx);
    expect(runs.map((r) => [r.connectorId, r.reprobe])).toEqual([
      ['nc-a', undefined],
      ['nc-b', undefined],
    ]);
  });
});

describe('functions/canary over several targets (docs/organizations.md#targets)', () => {
  const targets = parseTargets({
    concurrency: 2,
    targets: [
      { account: '111122223333', regions: ['ap-northeast-1', 'us-east-1'] },
      {
        account: '444455556666',
        regions: ['ap-northeast-1'],
        roleArn: 'arn:aws:iam::444455556666:role/egress-watch-read-only',
        canaryRoleArn: 'arn:aws:iam::444455556666:role/egress-watch-canary',
      },
      { account: '777788889999', regions: ['ap-northeast-1'], roleArn: 'arn:aws:iam::777788889999:role/r' },
    ],
  });

  it('ticks the own account/region and members with a canary role; one failing target does not stop the other', async () => {
    const { d } = deps();
    const ticked: string[] = [];
    const tickFor = d.tickFor;
    const out = await makeHandler({
      ...d,
      targets,
      tickFor: (t) => {
        ticked.push(`${t.account}/${t.region}`);
        const built = tickFor(t);
        if (t.account !== '444455556666') return built;
        const failing = {
          ...built.deps.directory,
          listConnectors: async () => Promise.reject(new Error('AccessDenied')),
        };
        return { ...built, deps: { ...built.deps, directory: failing } };
      },
    })({ 'detail-type': 'Scheduled Event' }, ctx);
    expect(ticked.sort()).toEqual(['111122223333/ap-northeast-1', '444455556666/ap-northeast-1']);
    expect(out).toMatchObject({
      runs: 2,
      failedTargets: [{ account: '444455556666', region: 'ap-northeast-1', error: 'AccessDenied' }],
    });
  });

  it('checks a path change in the account/region of its finding only', async () => {
    const { d } = deps();
    const ticked: string[] = [];
    const tickFor = d.tickFor;
    const handler = makeHandler({
      ...d,
      targets,
      tickFor: (t) => {
        ticked.push(`${t.account}/${t.region}`);
        return tickFor(t);
      },
    });
    expect(await handler({ Records: [pathChanged('nc-a')] }, ctx)).toEqual({ batchItemFailures: [] });
    expect(ticked).toEqual(['111122223333/ap-northeast-1']);
  });
});
