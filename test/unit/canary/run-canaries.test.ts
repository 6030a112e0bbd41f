import { describe, expect, it } from 'vitest';
import { isDue, runCanaries } from '../../../shared/app/run-canaries.js';
import {
  type AgentClient,
  type CanaryMicrovm,
  type CanaryMicrovms,
  type CanaryState,
  type CanaryStore,
  type LiveConnector,
  MicrovmApiError,
} from '../../../shared/canary-ports.js';
import type { AgentProbeResult, CanaryFinding, CanaryRun } from '../../../shared/domain/canary.js';
import { type ProbeSpec, parseExpectations, planConnectors } from '../../../shared/domain/expectations.js';
import { silentLogger } from '../../../shared/ports.js';

const ARN = (name: string) => `arn:aws:lambda:ap-northeast-1:111122223333:network-connector:${name}`;
const connector = (i: number, state = 'ACTIVE'): LiveConnector => ({
  id: `nc-${i}`,
  name: `app-${i}`,
  arn: ARN(`app-${i}`),
  state,
  tags: {},
});

/** In-memory ports: a MicroVMs service with boot between ticks, an agent answering from a reachability table. */
class World {
  connectors: LiveConnector[] = [connector(1)];
  vms = new Map<string, CanaryMicrovm & { connectorArn: string; image: string }>();
  calls: string[] = [];
  reachable = new Set(['http://10.0.0.126/']);
  deny: Partial<Record<'run' | 'token', string>> = {};
  states = new Map<string, CanaryState>();
  runs: CanaryRun[] = [];
  findings = new Map<string, CanaryFinding>();
  sleeps: number[] = [];
  nowMs = 0;
  private seq = 0;

  microvms: CanaryMicrovms = {
    run: async (input) => {
      this.calls.push(`run ${input.connectorArn}`);
      if (this.deny.run) throw new MicrovmApiError(this.deny.run, 'denied');
      const vm = {
        microvmId: `mvm-${++this.seq}`,
        state: 'PENDING',
        endpoint: 'e',
        startedAt: this.tickIso,
        connectorArn: input.connectorArn,
        image: input.imageArn,
      };
      this.vms.set(vm.microvmId, vm);
      return vm;
    },
    get: async (id) => this.vms.get(id),
    suspend: async (id) => {
      this.calls.push(`suspend ${id}`);
      this.vms.get(id)!.state = 'SUSPENDED';
    },
    terminate: async (id) => {
      this.calls.push(`terminate ${id}`);
      const vm = this.vms.get(id);
      if (vm) vm.state = 'TERMINATED';
    },
    findRunningOnConnector: async (image, c) =>
      [...this.vms.values()].find((vm) => vm.image === image && vm.connectorArn === c.arn && vm.state === 'RUNNING'),
    authToken: async (id) => {
      if (this.deny.token) throw new MicrovmApiError(this.deny.token, 'denied');
      return `token-${id}`;
    },
  };

  agent: AgentClient = {
    probe: async (_endpoint, microvmId, _token, probes: ProbeSpec[]) => {
      const vm = this.vms.get(microvmId)!;
      if (vm.state === 'PENDING') return { status: 502, body: { message: 'MicroVM is PENDING' } };
      vm.state = 'RUNNING'; // auto-resume on traffic
      const alive = this.connectors.some((c) => c.arn === vm.connectorArn && c.state === 'ACTIVE');
      const results: AgentProbeResult[] = probes.map((p) => {
        const target = 'url' in p ? p.url : p.kind;
        const reached = alive && this.reachable.has(target);
        return {
          id: p.id,
          kind: p.kind,
          reached,
          latencyMs: reached ? 3 : null,
          errorClass: reached ? null : 'timeout',
          resolvedAddress: null,
          status: reached ? 200 : null,
          observedIp: reached ? '203.0.113.25' : null,
        };
      });
      return { status: 200, body: { probes: results } };
    },
  };

  store: CanaryStore = {
    listStates: async () => [...this.states.values()],
    saveState: async (s) => void this.states.set(s.connectorId, structuredClone(s)),
    deleteState: async (id) => void this.states.delete(id),
    putRun: async (run) => void this.runs.push(run),
    loadFinding: async (fp) => this.findings.get(fp),
    putFinding: async (f) => void this.findings.set(f.fingerprint, f),
  };

  tickIso = '2026-07-01T00:00:00.000Z';

  /** Boots PENDING VMs (they boot between ticks) and runs one tick at `minute`. */
  async tick(minute: number, doc: unknown) {
    for (const vm of this.vms.values()) if (vm.state === 'PENDING') vm.state = 'RUNNING';
    this.tickIso = new Date(Date.parse('2026-07-01T00:00:00Z') + minute * 60_000).toISOString();
    return runCanaries({
      expectations: parseExpectations(doc),
      directory: { listConnectors: async () => this.connectors.map((c) => ({ ...c })) },
      microvms: this.microvms,
      agent: this.agent,
      store: this.store,
      clock: { now: () => new Date(this.tickIso) },
      pacer: {
        sleep: async (ms) => {
          this.sleeps.push(ms);
          this.nowMs += ms;
        },
        nowMs: () => this.nowMs,
      },
      logger: silentLogger,
      imageArn: 'arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-watch-canary',
      region: 'ap-northeast-1',
    });
  }

  open(rule: string) {
    return [...this.findings.values()].filter((f) => f.rule === rule && f.status === 'open');
  }
}

const DOC = {
  echoUrl: 'http://checkip.amazonaws.com/',
  defaults: { interval: '1m', failuresToOpen: 2, successesToResolve: 2 },
  connectors: [
    {
      select: { namePrefix: 'app-' },
      egressIps: ['203.0.113.25'],
      targets: [{ url: 'http://10.0.0.126/', expect: 'reachable' }],
    },
  ],
};

describe('runCanaries', () => {
  it('starts one canary VM per connector, probes from the next tick on in ONE request and suspends after each run', async () => {
    const w = new World();
    w.reachable.add('http://checkip.amazonaws.com/');
    const first = await w.tick(1, DOC);
    expect(first.started).toEqual(['nc-1']);
    expect(first.runs).toEqual([]);
    await w.tick(2, DOC);
    await w.tick(3, DOC);
    expect(w.runs.map((r) => [r.met, r.probes.length, r.mode])).toEqual([
      [true, 2, 'canary'],
      [true, 2, 'canary'],
    ]);
    expect(w.runs.every((r) => r.microvmSeconds >= 1)).toBe(true);
    expect(w.calls.filter((c) => c.startsWith('run'))).toHaveLength(1);
    expect(w.calls.filter((c) => c.startsWith('suspend'))).toHaveLength(2);
  });

  it('opens reachability-drift after failuresToOpen misses and egress-ip drift, resolves after successesToResolve', async () => {
    const w = new World();
    w.reachable.add('http://checkip.amazonaws.com/');
    await w.tick(1, DOC);
    await w.tick(2, DOC);
    w.reachable.delete('http://10.0.0.126/');
    await w.tick(3, DOC);
    expect(w.open('reachability-drift')).toHaveLength(0);
    await w.tick(4, DOC);
    expect(w.open('reachability-drift').map((f) => f.targetId)).toEqual(['http:http://10.0.0.126/']);
    w.reachable.add('http://10.0.0.126/');
    await w.tick(5, DOC);
    expect(w.open('reachability-drift')).toHaveLength(1);
    await w.tick(6, DOC);
    expect(w.open('reachability-drift')).toHaveLength(0);
  });

  it('never stays silent: RunMicrovm denied or the token call denied opens monitoring-blind with the reason', async () => {
    const w = new World();
    w.deny.run = 'AccessDeniedException';
    await w.tick(1, DOC);
    expect(w.open('monitoring-blind').map((f) => f.summary)).toEqual([
      'canary for app-1 cannot run: RunMicrovm failed: AccessDeniedException: denied',
    ]);
    delete w.deny.run;
    await w.tick(2, DOC);
    w.deny.token = 'AccessDeniedException';
    await w.tick(3, DOC);
    expect(w.runs.at(-1)?.blindReason).toBe('CreateMicrovmAuthToken failed: AccessDeniedException: denied');
    delete w.deny.token;
    await w.tick(4, DOC);
    expect(w.open('monitoring-blind')).toHaveLength(0);
  });

  it('recycles the canary VM before the 8-hour MicroVM lifetime', async () => {
    const w = new World();
    await w.tick(1, DOC);
    await w.tick(2, DOC);
    const result = await w.tick(8 * 60 - 2, DOC);
    expect(result.stopped).toEqual([{ connectorId: 'nc-1', reason: 'recycled before the 8-hour lifetime' }]);
    expect(w.calls).toContain('terminate mvm-1');
    expect(result.started).toEqual(['nc-1']);
  });

  it('confirms a connector deleted under its canary with one last run (drift opens at once), then stops the canary', async () => {
    const w = new World();
    w.reachable.add('http://checkip.amazonaws.com/');
    await w.tick(1, DOC);
    await w.tick(2, DOC);
    w.connectors = [connector(1, 'DELETING')];
    const result = await w.tick(3, DOC);
    expect(result.stopped).toEqual([{ connectorId: 'nc-1', reason: 'connector is DELETING' }]);
    const drift = w.open('reachability-drift');
    expect(drift.length).toBe(2);
    expect(drift[0]?.summary).toContain('connector is DELETING, its canary MicroVM still RUNNING');
    expect(w.calls).toContain('terminate mvm-1');
    expect(w.states.size).toBe(0);
  });

  it('opens isolation-breach at once when an isolated connector reaches the internet', async () => {
    const w = new World();
    const doc = { ...DOC, connectors: [{ select: { name: 'app-1' }, isolated: true }] };
    await w.tick(1, doc);
    await w.tick(2, doc);
    expect(w.open('isolation-breach')).toHaveLength(0);
    w.reachable.add('http://checkip.amazonaws.com/');
    await w.tick(3, doc);
    expect(w.open('isolation-breach').map((f) => f.severity)).toEqual(['critical']);
  });

  it('paces RunMicrovm under 5/s when many connectors start in one tick', async () => {
    const w = new World();
    w.connectors = [connector(1), connector(2), connector(3), connector(4)];
    await w.tick(1, DOC);
    expect(w.calls.filter((c) => c.startsWith('run'))).toHaveLength(4);
    expect(w.sleeps).toHaveLength(3);
    expect(w.sleeps.every((ms) => ms >= 200)).toBe(true);
  });

  it('spreads connectors over the interval: each runs once per interval, at its own phase', () => {
    const doc = parseExpectations({ ...DOC, defaults: { interval: '5m' } });
    const plans = planConnectors(doc, [
      connector(1),
      connector(2),
      connector(3),
      connector(4),
      connector(5),
      connector(6),
    ]);
    const minutesDue = plans.map((plan) => {
      const state = { lastRunAt: '2026-07-01T00:00:00.000Z', warming: false } as CanaryState;
      const due: number[] = [];
      for (let m = 1; m <= 10; m++) {
        const now = Date.parse('2026-07-01T00:00:00Z') + m * 60_000;
        if (isDue(plan, state, now)) {
          due.push(m);
          state.lastRunAt = new Date(now).toISOString();
        }
      }
      return due;
    });
    for (const due of minutesDue) expect(due).toHaveLength(2);
    expect(new Set(minutesDue.map((d) => d[0])).size).toBeGreaterThan(1);
  });

  it('agent mode probes from a workload MicroVM that embeds the agent: no RunMicrovm, no suspend, no MicroVM cost', async () => {
    const w = new World();
    w.vms.set('mvm-work', {
      microvmId: 'mvm-work',
      state: 'RUNNING',
      endpoint: 'e',
      startedAt: '',
      connectorArn: ARN('app-1'),
      image: 'my-app',
    });
    const doc = { ...DOC, connectors: [{ ...DOC.connectors[0], agent: { image: 'my-app' } }] };
    await w.tick(1, doc);
    expect(w.runs.map((r) => [r.mode, r.microvmId, r.microvmSeconds])).toEqual([['agent', 'mvm-work', 0]]);
    expect(w.calls).toEqual([]);
    w.vms.get('mvm-work')!.state = 'TERMINATED';
    await w.tick(2, doc);
    expect(w.open('monitoring-blind').map((f) => f.summary)).toEqual([
      'canary for app-1 cannot run: no RUNNING MicroVM of image my-app uses this connector (agent mode)',
    ]);
  });
});
