import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { checkPathChanges } from '../../../shared/app/check-path-change.js';
import { REPROBE_MIN_SPACING_MS } from '../../../shared/app/run-canaries.js';
import { pathChangeTriggersFromStream } from '../../../shared/aws/finding-stream.js';
import type {
  CanaryMicrovm,
  CanaryState,
  LiveConnector,
  PathChangeTrigger,
  PathExplainer,
} from '../../../shared/canary-ports.js';
import type { CanaryRun, PathExplanation } from '../../../shared/domain/canary.js';
import { parseExpectations, planConnectors } from '../../../shared/domain/expectations.js';
import {
  flipOf,
  type PathChangeCheck,
  parseReprobeRequest,
  ReprobeRequestError,
} from '../../../shared/domain/path-change.js';
import { silentLogger } from '../../../shared/ports.js';

const ARN = (name: string) => `arn:aws:lambda:ap-northeast-1:111122223333:network-connector:${name}`;
const live = (id: string, name: string, state = 'ACTIVE'): LiveConnector => ({
  id,
  name,
  arn: ARN(name),
  state,
  tags: {},
});

const DOC = parseExpectations({
  echoUrl: 'http://198.51.100.20/',
  defaults: { interval: '5m', failuresToOpen: 2, successesToResolve: 2 },
  connectors: [
    {
      select: { name: 'app' },
      egressIps: ['203.0.113.10'],
      targets: [
        { id: 'db', tcp: '10.20.2.50:5432', expect: 'reachable' },
        {
          id: 'db-dns',
          dns: 'ip-10-20-2-50.ap-northeast-1.compute.internal',
          address: '10.20.2.50',
          expect: 'reachable',
        },
      ],
    },
    { select: { name: 'batch' }, isolated: true, targets: [] },
  ],
});
const [APP] = planConnectors(DOC, [live('nc-app', 'app')]);

const NACL_90 = {
  component: 'network-acl',
  id: 'acl-1 rule #90',
  direction: 'return-outbound',
  detail: 'rule #90 denies the reply',
};
const SG = { component: 'security-group', id: 'sg-db', direction: 'inbound', detail: 'no ingress rule allows tcp/443' };

describe('flipOf: what a path change does to one expectation', () => {
  const expectation = (id: string) => APP!.expectations.find((e) => e.targetId === id)!;
  const app = { id: 'nc-app', name: 'app' };

  it('flips an expected-reachable target the analyzer now predicts blocked, with every blocker', () => {
    const flip = flipOf(app, expectation('db'), { verdict: 'blocked', blockers: [NACL_90, SG] });
    expect(flip).toMatchObject({
      targetId: 'db',
      expected: 'reachable',
      predicted: 'blocked',
      blockers: [NACL_90, SG],
    });
    expect(flip?.detail).toContain('network-acl acl-1 rule #90');
  });

  it('does not flip what still holds, nor what the analyzer cannot decide', () => {
    expect(flipOf(app, expectation('db'), { verdict: 'reachable', blockers: [] })).toBeNull();
    expect(flipOf(app, expectation('db'), { verdict: 'unknown', blockers: [] })).toBeNull();
  });

  it('flips the egress-IP expectation when the path leaves through a NAT gateway with another EIP', () => {
    const seen: PathExplanation = { verdict: 'reachable', blockers: [], egressPublicIps: ['203.0.113.77'] };
    expect(flipOf(app, expectation('egress-ip'), seen)).toMatchObject({
      predicted: 'reachable',
      predictedEgressIps: ['203.0.113.77'],
      detail: 'app: the internet would now see 203.0.113.77, not 203.0.113.10',
    });
    expect(flipOf(app, expectation('egress-ip'), { ...seen, egressPublicIps: ['203.0.113.10'] })).toBeNull();
  });

  it('judges a DNS expectation on resolution only (a port blocked behind the name is not a DNS flip)', () => {
    const resolvedButPortBlocked: PathExplanation = {
      verdict: 'blocked',
      blockers: [SG],
      hops: [{ component: 'dns', id: 'vpc-1', detail: 'name → 10.20.2.50' }],
    };
    expect(flipOf(app, expectation('db-dns'), resolvedButPortBlocked)).toBeNull();
    const dnsOff = { component: 'dns', id: 'vpc-1', direction: 'none', detail: 'enableDnsSupport=false' };
    expect(flipOf(app, expectation('db-dns'), { verdict: 'blocked', blockers: [dnsOff, SG] })).toMatchObject({
      predicted: 'blocked',
      blockers: [dnsOff],
    });
  });
});

describe('parseReprobeRequest: the canary function payload { connectorIds, reason }', () => {
  it('accepts ids and a reason, without duplicates', () => {
    expect(parseReprobeRequest({ connectorIds: ['nc-1', 'nc-1', 'nc-2'], reason: 'manual' })).toEqual({
      connectorIds: ['nc-1', 'nc-2'],
      reason: 'manual',
    });
  });

  it('names every problem with its path', () => {
    const error = (() => {
      try {
        parseReprobeRequest({ connectorIds: [], reason: '', extra: 1 });
      } catch (e) {
        return e as ReprobeRequestError;
      }
    })();
    expect(error).toBeInstanceOf(ReprobeRequestError);
    expect(error?.problems.join('\n')).toMatch(/connectorIds: /);
    expect(error?.problems.join('\n')).toMatch(/reason: /);
    expect(error?.problems.join('\n')).toMatch(/extra/);
  });
});

/** In-memory canary world: running VMs answer probes from a table of what each connector reaches. */
class World {
  connectors = [live('nc-app', 'app'), live('nc-batch', 'batch'), live('nc-other', 'other')];
  states = new Map<string, CanaryState>();
  runs: CanaryRun[] = [];
  attached = new Map<string, PathChangeCheck>();
  stale = new Set<string>();
  calls: string[] = [];
  now = Date.parse('2026-07-15T09:17:02Z');
  predictions: Record<string, PathExplanation> = {};

  state(connectorId: string, lastRunAt: string | null): void {
    const c = this.connectors.find((x) => x.id === connectorId)!;
    this.states.set(connectorId, {
      connectorId,
      connectorName: c.name,
      connectorArn: c.arn,
      tags: {},
      microvmId: `mvm-${connectorId}`,
      microvmStartedAt: '2026-07-15T09:00:00Z',
      warming: false,
      lastRunAt,
      streaks: {},
    });
  }

  explainer: PathExplainer = {
    explain: async (input) =>
      this.predictions[`${input.connectorId} ${input.destination}`] ?? { verdict: 'reachable', blockers: [] },
  };

  deps() {
    const vm = (id: string): CanaryMicrovm => ({ microvmId: id, state: 'SUSPENDED', endpoint: 'e', startedAt: '' });
    return {
      expectations: DOC,
      directory: { listConnectors: async () => this.connectors },
      microvms: {
        run: async () => {
          throw new Error('no new VM expected');
        },
        get: async (id: string) => vm(id),
        suspend: async (id: string) => void this.calls.push(`suspend ${id}`),
        terminate: async (id: string) => void this.calls.push(`terminate ${id}`),
        findRunningOnConnector: async () => undefined,
        authToken: async (id: string) => `t-${id}`,
      },
      agent: {
        probe: async (_e: string, microvmId: string, _t: string, probes: { id: string; kind: string }[]) => {
          this.calls.push(`probe ${microvmId}`);
          return {
            status: 200,
            body: {
              probes: probes.map((p) => ({
                id: p.id,
                kind: p.kind,
                reached: p.kind !== 'egress-ip' || microvmId !== 'mvm-nc-batch',
                latencyMs: 2,
                errorClass: null,
                resolvedAddress: p.kind === 'dns' ? '10.20.2.50' : null,
                status: null,
                observedIp: p.kind === 'egress-ip' ? '203.0.113.10' : null,
              })),
            },
          };
        },
      },
      store: {
        listStates: async () => [...this.states.values()],
        saveState: async (s: CanaryState) => void this.states.set(s.connectorId, s),
        deleteState: async (id: string) => void this.states.delete(id),
        putRun: async (run: CanaryRun) => void this.runs.push(run),
        loadFinding: async () => undefined,
        putFinding: async () => undefined,
      },
      clock: { now: () => new Date(this.now) },
      pacer: { sleep: async () => undefined, nowMs: () => 0 },
      logger: silentLogger,
      imageArn: 'arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-watch-canary',
      region: 'ap-northeast-1',
      explainer: this.explainer,
      pathChanges: {
        attachCheck: async (t: PathChangeTrigger, check: PathChangeCheck) => {
          if (this.stale.has(t.fingerprint)) return false;
          this.attached.set(t.fingerprint, check);
          return true;
        },
      },
    };
  }
}

const trigger = (fingerprint: string, connectorId: string, summary = 'route changed'): PathChangeTrigger => ({
  fingerprint,
  connectorId,
  account: '111122223333',
  region: 'ap-northeast-1',
  summary,
  version: `{"v":"${fingerprint}"}`,
});

describe('checkPathChanges: flips on the finding, a re-probe of exactly the affected connectors', () => {
  it('re-probes only the connector the finding is about and attaches the flips with their blockers', async () => {
    const w = new World();
    for (const id of ['nc-app', 'nc-batch', 'nc-other']) w.state(id, '2026-07-15T09:16:00Z');
    w.predictions['nc-app 10.20.2.50'] = { verdict: 'blocked', blockers: [NACL_90], asOf: '2026-07-15T09:17:01Z' };
    const outcome = await checkPathChanges(w.deps(), [trigger('fp-app', 'nc-app', 'route 0.0.0.0/0 now → nat-2')]);

    expect(w.calls.filter((c) => c.startsWith('probe'))).toEqual(['probe mvm-nc-app']);
    expect(w.runs.map((r) => [r.connectorId, r.reprobe])).toEqual([
      ['nc-app', 'network-path-changed: route 0.0.0.0/0 now → nat-2'],
    ]);
    // Other canaries are neither probed nor stopped by a targeted run.
    expect([...w.states.keys()].sort()).toEqual(['nc-app', 'nc-batch', 'nc-other']);
    const check = w.attached.get('fp-app');
    expect(check).toMatchObject({
      connectorId: 'nc-app',
      evaluated: 3,
      asOf: '2026-07-15T09:17:01Z',
      undecided: [],
      reprobe: { connectorIds: ['nc-app'] },
    });
    expect(check?.flips.map((f) => [f.targetId, f.expected, f.predicted, f.blockers])).toEqual([
      ['db', 'reachable', 'blocked', [NACL_90]],
    ]);
    expect(outcome.checks).toHaveLength(1);
  });

  it('respects the re-probe spacing: a connector probed seconds ago is checked but not probed again', async () => {
    const w = new World();
    w.state('nc-app', new Date(w.now - REPROBE_MIN_SPACING_MS + 1000).toISOString());
    w.state('nc-batch', '2026-07-15T09:10:00Z');
    w.predictions['nc-batch 198.51.100.20'] = { verdict: 'reachable', blockers: [] };
    await checkPathChanges(w.deps(), [trigger('fp-app', 'nc-app'), trigger('fp-batch', 'nc-batch', 'default route')]);

    expect(w.runs.map((r) => r.connectorId)).toEqual(['nc-batch']);
    expect(w.attached.get('fp-app')?.reprobe).toMatchObject({ connectorIds: [], skipped: 'probed less than 15 s ago' });
    expect(w.attached.get('fp-batch')?.flips).toMatchObject([
      { targetId: 'isolation', expected: 'blocked', predicted: 'reachable' },
    ]);
  });

  it('checks a connector no entry selects without probing it, and leaves a superseded finding to its newer version', async () => {
    const w = new World();
    w.state('nc-app', '2026-07-15T09:10:00Z');
    w.stale.add('fp-app');
    const outcome = await checkPathChanges(w.deps(), [trigger('fp-other', 'nc-other'), trigger('fp-app', 'nc-app')]);
    expect(w.attached.get('fp-other')).toMatchObject({
      evaluated: 0,
      skipped: 'connector not selected by the expectations',
      reprobe: { connectorIds: [] },
    });
    expect(w.runs.map((r) => r.connectorId)).toEqual(['nc-app']);
    expect(outcome.superseded).toBe(1);
    expect(w.attached.has('fp-app')).toBe(false);
  });
});

describe('pathChangeTriggersFromStream: the canary stream filter, checked again in code', () => {
  const record = (finding: Record<string, unknown>, extra: Record<string, unknown> = {}): DynamoDBRecord => ({
    eventName: 'MODIFY',
    dynamodb: {
      SequenceNumber: '1',
      Keys: marshall({ pk: `FINDING#${String(finding.fingerprint)}`, sk: 'META' }) as never,
      NewImage: marshall({
        pk: `FINDING#${String(finding.fingerprint)}`,
        sk: 'META',
        rule: finding.rule,
        status: finding.status,
        connectorId: finding.connectorId,
        body: JSON.stringify(finding),
        ...extra,
      }) as never,
    },
  });
  const finding = (over: Record<string, unknown> = {}) => ({
    rule: 'network-path-changed',
    severity: 'warning',
    status: 'open',
    connectorId: 'nc-app',
    account: '111122223333',
    region: 'ap-northeast-1',
    fingerprint: 'fp-1',
    firstSeen: '2026-07-15T09:15:00Z',
    summary: 'route changed',
    ...over,
  });

  it('keeps open path changes about one connector that carry no check yet', () => {
    const { triggers, rejected } = pathChangeTriggersFromStream([
      record(finding()),
      record(finding({ fingerprint: 'fp-2', status: 'resolved' })),
      record(finding({ fingerprint: 'fp-3', connectorId: '*' })),
      record(finding({ fingerprint: 'fp-4', rule: 'reachability-drift' })),
      record(finding({ fingerprint: 'fp-5' }), { pathCheck: '{}' }),
    ]);
    expect(rejected).toEqual([]);
    expect(triggers).toEqual([
      {
        fingerprint: 'fp-1',
        connectorId: 'nc-app',
        account: '111122223333',
        region: 'ap-northeast-1',
        summary: 'route changed',
        version: JSON.stringify(finding()),
      },
    ]);
  });
});

describe('checkPathChanges with canaries off', () => {
  it('writes nothing and probes nothing when the expectations list no connector', async () => {
    const w = new World();
    w.state('nc-app', '2026-07-15T09:10:00Z');
    const outcome = await checkPathChanges({ ...w.deps(), expectations: parseExpectations({ connectors: [] }) }, [
      trigger('fp-app', 'nc-app'),
    ]);
    expect(outcome).toEqual({ checks: [], reprobe: null, superseded: 0 });
    expect(w.attached.size).toBe(0);
    expect(w.calls).toEqual([]);
  });
});
