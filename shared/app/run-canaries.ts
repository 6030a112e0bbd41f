/**
 * One canary tick (docs/canaries.md): for every ACTIVE connector the expectations select, keep one canary
 * MicroVM attached to it, run all of its targets in one agent request, judge them, store the run and open or
 * resolve findings. Cost control: the canary VM is suspended right after its run and auto-resumes on the next
 * request (no ResumeMicrovm call at all), it is recycled before the 8-hour lifetime, canaries of connectors
 * that are gone or not ACTIVE are terminated, connectors are spread over the interval by a per-connector
 * phase, and RunMicrovm/SuspendMicrovm calls are paced under their account rates (5/s and 2/s).
 */
import type {
  AgentClient,
  CanaryMicrovms,
  CanaryState,
  CanaryStore,
  ConnectorDirectory,
  LiveConnector,
  Pacer,
  PathExplainer,
} from '../canary-ports.js';
import { MicrovmApiError } from '../canary-ports.js';
import {
  type AgentProbeResult,
  advanceStreak,
  applyTransition,
  type CanaryProbe,
  type CanaryRule,
  type CanaryRun,
  canaryFingerprint,
  egressIpDrift,
  judgeProbe,
  NO_STREAK,
  type PathExplanation,
} from '../domain/canary.js';
import { type ConnectorPlan, type ExpectationsDocument, planConnectors } from '../domain/expectations.js';
import { fingerprintOf } from '../domain/fingerprint.js';
import { destinationOfTarget, type ReprobeRequest } from '../domain/path-change.js';
import { RULES } from '../domain/rules.js';
import type { Clock, Logger } from '../ports.js';

/** Lambda MicroVMs API reference, RunMicrovm: maximumDurationInSeconds ≤ 28,800. */
export const MICROVM_MAX_LIFETIME_SECONDS = 28_800;
/** Lambda DG, Quotas, "Lambda MicroVMs": gettingstarted-limits.html (per account/Region): RunMicrovm 5/s, SuspendMicrovm 2/s. */
const RUN_SPACING_MS = 200;
const SUSPEND_SPACING_MS = 500;
const AGENT_PORT = 8080;
const RUN_TTL_DAYS = 30;
/** A fresh VM that has not answered after this many ticks is a monitoring-blind canary. */
const MAX_WARMING_TICKS = 3;
/**
 * A targeted re-probe skips a connector probed less than this long ago (ms): a burst of path changes (one
 * stream batch each) probes it once, not once per change (docs/canaries.md#path-changes).
 */
export const REPROBE_MIN_SPACING_MS = 15_000;

export interface RunCanariesDeps {
  expectations: ExpectationsDocument;
  directory: ConnectorDirectory;
  microvms: CanaryMicrovms;
  agent: AgentClient;
  store: CanaryStore;
  clock: Clock;
  pacer: Pacer;
  logger: Logger;
  imageArn: string;
  /** Region of the connectors (the account comes from each connector ARN). */
  region: string;
  explainer?: PathExplainer;
  /** Most connectors started or probed per tick; the rest wait for the next tick (default 50). */
  maxConnectorsPerTick?: number;
  /**
   * A targeted re-probe: only these connectors, now (their interval phase ignored, REPROBE_MIN_SPACING_MS
   * respected); their runs carry `reprobe`: `reasons[connectorId]`, else `reason`. Other connectors'
   * canaries are left alone.
   */
  only?: ReprobeRequest & { reasons?: Readonly<Record<string, string>> };
}

export interface CanaryTickResult {
  runs: CanaryRun[];
  started: string[];
  stopped: { connectorId: string; reason: string }[];
  findings: { change: 'opened' | 'resolved'; rule: string; connectorId: string; summary: string }[];
  /** Re-probes only: requested connectors not probed now, with the reason. */
  skipped: { connectorId: string; reason: string }[];
}

interface Judged {
  run: CanaryRun;
  plan: ConnectorPlan;
}

/**
 * The canary store seen from one account/region (docs/organizations.md#targets): `listStates` returns only
 * the canaries of connectors whose ARN is in that account and region, so one target's tick never stops
 * another target's canaries as "gone". Everything else is passed through.
 */
export function scopedCanaryStore(store: CanaryStore, scope: { account: string; region: string }): CanaryStore {
  const inScope = (state: CanaryState) => {
    const [, , , region, account] = state.connectorArn.split(':');
    return region === scope.region && account === scope.account;
  };
  return {
    listStates: async () => (await store.listStates()).filter(inScope),
    saveState: (state) => store.saveState(state),
    deleteState: (connectorId) => store.deleteState(connectorId),
    putRun: (run, ttl) => store.putRun(run, ttl),
    loadFinding: (fingerprint) => store.loadFinding(fingerprint),
    putFinding: (finding) => store.putFinding(finding),
  };
}

/** Runs one tick. Never throws for one connector's failure: that becomes a monitoring-blind finding. */
export async function runCanaries(deps: RunCanariesDeps): Promise<CanaryTickResult> {
  const result: CanaryTickResult = { runs: [], started: [], stopped: [], findings: [], skipped: [] };
  const states = new Map((await deps.store.listStates()).map((s) => [s.connectorId, s]));
  if (deps.expectations.connectors.length === 0 && states.size === 0) return result;
  const withTags = deps.expectations.connectors.some((c) => c.select.tags !== undefined);
  const live = await deps.directory.listConnectors({ withTags });
  const liveById = new Map(live.map((c) => [c.id, c]));
  const only = deps.only ? new Set(deps.only.connectorIds) : null;
  const plans = planConnectors(
    deps.expectations,
    live.filter((c) => c.state === 'ACTIVE' && (only === null || only.has(c.id))),
  );
  const planned = new Set(plans.map((p) => p.connector.id));
  const pace = pacer(deps.pacer);

  // Canaries whose connector is gone, not ACTIVE or no longer selected: confirm and stop them.
  for (const state of states.values()) {
    if (planned.has(state.connectorId) || (only !== null && !only.has(state.connectorId))) continue;
    const now = liveById.get(state.connectorId);
    await stopCanary(deps, state, now, pace, result);
  }

  const nowMs = deps.clock.now().getTime();
  if (only !== null) noteUnplanned(only, planned, liveById, states, nowMs, result);
  const due = plans
    .filter((plan) =>
      only === null
        ? isDue(plan, states.get(plan.connector.id), nowMs)
        : !recentlyProbed(states.get(plan.connector.id), nowMs),
    )
    .sort(
      (a, b) =>
        Date.parse(states.get(a.connector.id)?.lastRunAt ?? '1970-01-01T00:00:00Z') -
        Date.parse(states.get(b.connector.id)?.lastRunAt ?? '1970-01-01T00:00:00Z'),
    )
    .slice(0, deps.maxConnectorsPerTick ?? 50);
  for (const plan of due) {
    try {
      await tickConnector(deps, plan, states.get(plan.connector.id), pace, result);
    } catch (error) {
      deps.logger.error('canary tick failed', { connectorId: plan.connector.id, error: (error as Error).message });
      await blind(
        deps,
        plan,
        states.get(plan.connector.id) ?? newState(plan.connector),
        `canary failed: ${(error as Error).message}`,
        null,
        result,
      );
    }
  }
  return result;
}

/** A re-probe's connectors that are not probed now, and why (result.skipped). */
function noteUnplanned(
  only: ReadonlySet<string>,
  planned: ReadonlySet<string>,
  live: ReadonlyMap<string, LiveConnector>,
  states: ReadonlyMap<string, CanaryState>,
  nowMs: number,
  result: CanaryTickResult,
): void {
  for (const connectorId of only) {
    const connector = live.get(connectorId);
    const reason = !connector
      ? 'connector no longer exists (ListNetworkConnectors)'
      : connector.state !== 'ACTIVE'
        ? `connector is ${connector.state}`
        : !planned.has(connectorId)
          ? 'not selected by the expectations'
          : recentlyProbed(states.get(connectorId), nowMs)
            ? `probed less than ${REPROBE_MIN_SPACING_MS / 1000} s ago`
            : null;
    if (reason) result.skipped.push({ connectorId, reason });
  }
}

function recentlyProbed(state: CanaryState | undefined, nowMs: number): boolean {
  if (!state?.lastRunAt || state.warming) return false;
  return nowMs - Date.parse(state.lastRunAt) < REPROBE_MIN_SPACING_MS;
}

/** Once per interval per connector, at a phase derived from its id, so connectors spread over the interval. */
export function isDue(plan: ConnectorPlan, state: CanaryState | undefined, nowMs: number): boolean {
  if (!state?.lastRunAt || state.warming) return true;
  const phase = phaseOf(plan.connector.id, plan.intervalMs);
  const window = (t: number) => Math.floor((t - phase) / plan.intervalMs);
  return window(nowMs) > window(Date.parse(state.lastRunAt));
}

/** A stable offset in [0, intervalMs) from the connector id. */
export function phaseOf(connectorId: string, intervalMs: number): number {
  return Number(BigInt(`0x${fingerprintOf(connectorId)}`) % BigInt(Math.max(1, intervalMs)));
}

function newState(connector: ConnectorPlan['connector']): CanaryState {
  return {
    connectorId: connector.id,
    connectorName: connector.name,
    connectorArn: connector.arn,
    tags: connector.tags,
    microvmId: null,
    microvmStartedAt: null,
    warming: false,
    lastRunAt: null,
    streaks: {},
  };
}

type Paced = ReturnType<typeof pacer>;

function pacer(p: Pacer) {
  const last = { run: Number.NEGATIVE_INFINITY, suspend: Number.NEGATIVE_INFINITY };
  return async <T>(kind: keyof typeof last, call: () => Promise<T>): Promise<T> => {
    const spacing = kind === 'run' ? RUN_SPACING_MS : SUSPEND_SPACING_MS;
    const wait = last[kind] + spacing - p.nowMs();
    if (wait > 0) await p.sleep(wait);
    last[kind] = p.nowMs();
    return call();
  };
}

async function startVm(
  deps: RunCanariesDeps,
  plan: ConnectorPlan,
  pace: Paced,
): Promise<{ microvmId: string; startedAt: string }> {
  const at = deps.clock.now();
  const vm = await pace('run', () =>
    deps.microvms.run({
      imageArn: deps.imageArn,
      connectorArn: plan.connector.arn,
      runHookPayload: JSON.stringify({ allow: plan.allowList }),
      clientToken: `canary-${plan.connector.id}-${at.getTime()}`.slice(0, 128),
      maximumDurationInSeconds: MICROVM_MAX_LIFETIME_SECONDS,
      maxIdleDurationSeconds: 60,
      // Suspended canaries live until their run after next at most; a forgotten one ends by itself.
      suspendedDurationSeconds: Math.max(600, Math.ceil((3 * plan.intervalMs) / 1000)),
    }),
  );
  return { microvmId: vm.microvmId, startedAt: vm.startedAt || at.toISOString() };
}

async function tickConnector(
  deps: RunCanariesDeps,
  plan: ConnectorPlan,
  previous: CanaryState | undefined,
  pace: Paced,
  result: CanaryTickResult,
): Promise<void> {
  const state: CanaryState = previous ? { ...previous, tags: plan.connector.tags } : newState(plan.connector);
  if (plan.agentImage) {
    await tickAgentMode(deps, plan, state, result);
    return;
  }
  const now = deps.clock.now();
  let vm = state.microvmId ? await deps.microvms.get(state.microvmId) : undefined;
  const ageMs = state.microvmStartedAt ? now.getTime() - Date.parse(state.microvmStartedAt) : 0;
  // Recycle before the 8-hour lifetime: the VM must outlive the next interval with a margin of one more.
  const recycle = vm !== undefined && ageMs + 2 * plan.intervalMs + 60_000 >= MICROVM_MAX_LIFETIME_SECONDS * 1000;
  if (vm && (recycle || vm.state === 'TERMINATING' || vm.state === 'TERMINATED')) {
    if (vm.state !== 'TERMINATED') await deps.microvms.terminate(vm.microvmId).catch(() => undefined);
    if (recycle) result.stopped.push({ connectorId: plan.connector.id, reason: 'recycled before the 8-hour lifetime' });
    vm = undefined;
  }
  if (!vm) {
    let started: { microvmId: string; startedAt: string };
    try {
      started = await startVm(deps, plan, pace);
    } catch (error) {
      await blind(deps, plan, state, `RunMicrovm failed: ${describe(error)}`, null, result);
      return;
    }
    result.started.push(plan.connector.id);
    await deps.store.saveState({
      ...state,
      microvmId: started.microvmId,
      microvmStartedAt: started.startedAt,
      warming: true,
      lastRunAt: now.toISOString(),
      streaks: { ...state.streaks, [warmKey(plan)]: { misses: 0, hits: 0, open: false } },
    });
    return; // a fresh VM boots between two ticks; its first run is the next tick
  }

  let token: string;
  try {
    token = await deps.microvms.authToken(vm.microvmId, AGENT_PORT, 5);
  } catch (error) {
    await blind(deps, plan, state, `CreateMicrovmAuthToken failed: ${describe(error)}`, vm.microvmId, result);
    return;
  }
  const startedAt = deps.clock.now().toISOString();
  const t0 = deps.pacer.nowMs();
  let answer: Awaited<ReturnType<AgentClient['probe']>>;
  try {
    answer = await deps.agent.probe(vm.endpoint, vm.microvmId, token, plan.probes);
  } catch (error) {
    answer = { status: 0, body: { reason: describe(error) } };
  }
  const durationMs = Math.max(0, Math.round(deps.pacer.nowMs() - t0));
  if (answer.status === 502 && state.warming) {
    // Still booting: count the tick; blind only when it never comes up.
    const key = warmKey(plan);
    const tries = (state.streaks[key]?.misses ?? 0) + 1;
    const warming = { ...state, streaks: { ...state.streaks, [key]: { misses: tries, hits: 0, open: false } } };
    if (tries >= MAX_WARMING_TICKS) {
      await blind(
        deps,
        plan,
        { ...warming, microvmId: null, warming: false },
        `canary MicroVM ${vm.microvmId} never became reachable`,
        vm.microvmId,
        result,
      );
      await deps.microvms.terminate(vm.microvmId).catch(() => undefined);
    } else {
      await deps.store.saveState(warming);
    }
    return;
  }
  if (answer.status !== 200) {
    const reason =
      (answer.body as { reason?: string; message?: string } | null)?.reason ??
      (answer.body as { message?: string } | null)?.message;
    await blind(
      deps,
      plan,
      state,
      `the probe agent answered ${answer.status || 'nothing'}${reason ? `: ${reason}` : ''}`,
      vm.microvmId,
      result,
    );
    return;
  }
  // Suspend right away: the next request auto-resumes it (idlePolicy.autoResumeEnabled).
  await pace('suspend', () => deps.microvms.suspend(vm.microvmId)).catch((error: unknown) =>
    deps.logger.warn('SuspendMicrovm failed; the idle policy will suspend it', { error: describe(error) }),
  );
  const results = new Map(((answer.body as { probes?: AgentProbeResult[] }).probes ?? []).map((r) => [r.id, r]));
  const probes: CanaryProbe[] = plan.expectations.map((e) => judgeProbe(e, results.get(e.targetId)));
  const run: CanaryRun = {
    connectorId: plan.connector.id,
    connectorName: plan.connector.name,
    account: accountOf(plan.connector.arn),
    region: deps.region,
    startedAt,
    durationMs,
    // Billed per instance-second while awake: the request (rounded up) plus the SUSPENDING transition.
    microvmSeconds: Math.ceil(durationMs / 1000) + 1,
    met: probes.every((p) => p.met),
    probes,
    mode: 'canary',
    microvmId: vm.microvmId,
    blindReason: null,
  };
  await record(
    deps,
    { run, plan },
    { ...state, microvmId: vm.microvmId, warming: false, lastRunAt: startedAt },
    result,
  );
}

/** Agent mode: probe from a user's MicroVM that embeds the agent; nothing is run, suspended or paid for. */
async function tickAgentMode(
  deps: RunCanariesDeps,
  plan: ConnectorPlan,
  state: CanaryState,
  result: CanaryTickResult,
): Promise<void> {
  const image = plan.agentImage as string;
  let vm: Awaited<ReturnType<CanaryMicrovms['findRunningOnConnector']>>;
  try {
    vm = await deps.microvms.findRunningOnConnector(image, plan.connector);
  } catch (error) {
    await blind(deps, plan, state, `listing MicroVMs of ${image} failed: ${describe(error)}`, null, result, 'agent');
    return;
  }
  if (!vm) {
    await blind(
      deps,
      plan,
      state,
      `no RUNNING MicroVM of image ${image} uses this connector (agent mode)`,
      null,
      result,
      'agent',
    );
    return;
  }
  let token: string;
  try {
    token = await deps.microvms.authToken(vm.microvmId, AGENT_PORT, 5);
  } catch (error) {
    await blind(deps, plan, state, `CreateMicrovmAuthToken failed: ${describe(error)}`, vm.microvmId, result, 'agent');
    return;
  }
  const startedAt = deps.clock.now().toISOString();
  const t0 = deps.pacer.nowMs();
  const answer = await deps.agent
    .probe(vm.endpoint, vm.microvmId, token, plan.probes)
    .catch((error: unknown) => ({ status: 0, body: { reason: describe(error) } }));
  if (answer.status !== 200) {
    await blind(
      deps,
      plan,
      state,
      `the embedded agent in ${vm.microvmId} answered ${answer.status || 'nothing'}: ${reasonOf(answer.body)}`,
      vm.microvmId,
      result,
      'agent',
    );
    return;
  }
  const results = new Map(((answer.body as { probes?: AgentProbeResult[] }).probes ?? []).map((r) => [r.id, r]));
  const probes = plan.expectations.map((e) => judgeProbe(e, results.get(e.targetId)));
  const run: CanaryRun = {
    connectorId: plan.connector.id,
    connectorName: plan.connector.name,
    account: accountOf(plan.connector.arn),
    region: deps.region,
    startedAt,
    durationMs: Math.max(0, Math.round(deps.pacer.nowMs() - t0)),
    microvmSeconds: 0, // the workload's own MicroVM: no extra MicroVM time
    met: probes.every((p) => p.met),
    probes,
    mode: 'agent',
    microvmId: vm.microvmId,
    blindReason: null,
  };
  await record(deps, { run, plan }, { ...state, microvmId: null, lastRunAt: startedAt }, result);
}

function reasonOf(body: unknown): string {
  const b = body as { reason?: string; message?: string } | null;
  return b?.reason ?? b?.message ?? 'no reason given';
}

function warmKey(plan: ConnectorPlan): string {
  return `warming:${plan.connector.id}`;
}

/** Judges a run into streaks and findings, stores the run and the state. */
async function record(
  deps: RunCanariesDeps,
  judged: Judged,
  state: CanaryState,
  result: CanaryTickResult,
  immediate = false,
  /** Known cause of every failure in this run (a connector confirmed gone): no analysis needed. */
  cause: PathExplanation | null = null,
): Promise<void> {
  const { plan } = judged;
  const run: CanaryRun = deps.only
    ? { ...judged.run, reprobe: deps.only.reasons?.[judged.run.connectorId] ?? deps.only.reason }
    : judged.run;
  const streaks = { ...state.streaks };
  const evidence = {
    eventId: `canary-run:${run.connectorId}:${run.startedAt}`,
    eventName: 'CanaryRun',
    at: run.startedAt,
    actor: 'egress-watch canary',
    detail: run.probes.map((p) => `${p.target} ${p.verdict}${p.met ? '' : ` (expected ${p.expect})`}`).join('; '),
  };
  const observe = async (
    rule: CanaryRule,
    targetId: string,
    bad: boolean,
    summary: string,
    probe: CanaryProbe | null,
    now = immediate,
  ) => {
    const fingerprint = canaryFingerprint(rule.id, run.connectorId, targetId);
    const thresholds =
      rule.id === RULES.monitoringBlind.id
        ? { failuresToOpen: 1, successesToResolve: 1 }
        : { failuresToOpen: plan.failuresToOpen, successesToResolve: plan.successesToResolve };
    const { streak, transition } = advanceStreak(streaks[fingerprint] ?? NO_STREAK, bad, thresholds, now);
    streaks[fingerprint] = streak;
    if (transition === null && !streak.open) return;
    const existing = await deps.store.loadFinding(fingerprint);
    const explanation = bad && probe ? (cause ?? (await explain(deps, run, probe))) : null;
    const finding = applyTransition({
      existing,
      transition,
      rule,
      connectorId: run.connectorId,
      account: run.account,
      region: run.region,
      targetId,
      at: run.startedAt,
      summary,
      evidence: { ...evidence, detail: probe?.detail ? `${probe.target}: ${probe.detail}` : evidence.detail },
      // A new opening is explained afresh; a still-open finding keeps its explanation until a new one comes.
      explanation: explanation ?? (transition === null ? (existing?.explanation ?? null) : null),
      connectorName: run.connectorName,
    });
    if (!finding) return;
    await deps.store.putFinding(finding);
    if (transition)
      result.findings.push({
        change: transition,
        rule: rule.id,
        connectorId: run.connectorId,
        summary: finding.summary,
      });
  };

  await observe(
    RULES.monitoringBlind,
    'canary',
    run.blindReason != null,
    `canary for ${run.connectorName} cannot run: ${run.blindReason}`,
    null,
    true,
  );
  if (!run.blindReason) {
    for (const expectation of plan.expectations) {
      const probe = run.probes.find((p) => p.targetId === expectation.targetId);
      if (!probe) continue;
      if (expectation.kind === 'egress-ip' && plan.isolated) {
        await observe(
          RULES.isolationBreach,
          probe.targetId,
          probe.verdict === 'reachable',
          `isolated connector ${run.connectorName} reaches the internet (${probe.target} answered${probe.observedIp ? `, seen as ${probe.observedIp}` : ''})`,
          probe,
          true,
        );
        continue;
      }
      await observe(
        RULES.reachabilityDrift,
        probe.targetId,
        !probe.met,
        `${probe.target} through ${run.connectorName}: ${probe.detail ?? `expected ${probe.expect}, got ${probe.verdict}`}`,
        probe,
      );
      const drift = egressIpDrift(expectation, probe);
      if (expectation.egressIps) {
        await observe(
          RULES.egressIpDrift,
          probe.targetId,
          drift !== null,
          `${run.connectorName}: ${drift ?? 'egress IP as expected'}`,
          probe,
        );
      }
    }
  }
  await deps.store.putRun(run, Math.floor(Date.parse(run.startedAt) / 1000) + RUN_TTL_DAYS * 86_400);
  await deps.store.saveState({ ...state, streaks });
  result.runs.push(run);
}

async function explain(deps: RunCanariesDeps, run: CanaryRun, probe: CanaryProbe): Promise<PathExplanation | null> {
  if (!deps.explainer) return null;
  const { host, port } = destinationOfTarget(probe.kind, probe.target);
  try {
    return await deps.explainer.explain({
      account: run.account,
      region: run.region,
      connectorId: run.connectorId,
      destination: host,
      port,
    });
  } catch (error) {
    deps.logger.warn('path explanation failed', { error: describe(error) });
    return null;
  }
}

/** A run that could not probe: stored (met=false, blindReason) and a monitoring-blind finding, never silence. */
async function blind(
  deps: RunCanariesDeps,
  plan: ConnectorPlan,
  state: CanaryState,
  reason: string,
  microvmId: string | null,
  result: CanaryTickResult,
  mode: 'canary' | 'agent' = 'canary',
): Promise<void> {
  const startedAt = deps.clock.now().toISOString();
  const run: CanaryRun = {
    connectorId: plan.connector.id,
    connectorName: plan.connector.name,
    account: accountOf(plan.connector.arn),
    region: deps.region,
    startedAt,
    durationMs: 0,
    microvmSeconds: 0,
    met: false,
    probes: [],
    mode,
    microvmId,
    blindReason: reason,
  };
  await record(deps, { run, plan }, { ...state, lastRunAt: startedAt }, result);
}

/**
 * A canary whose connector left scope. If the connector is gone or not ACTIVE while our VM still runs on it,
 * the VM's egress is probed one last time: that run confirms the deletion (every probe fails) long before
 * the CloudTrail event arrives, and opens reachability-drift at once. Then the VM is terminated.
 */
async function stopCanary(
  deps: RunCanariesDeps,
  state: CanaryState,
  live: LiveConnector | undefined,
  pace: Paced,
  result: CanaryTickResult,
): Promise<void> {
  const reason = live ? `connector is ${live.state}` : 'connector no longer exists (ListNetworkConnectors)';
  const gone = live?.state !== 'ACTIVE';
  const identity = { id: state.connectorId, name: state.connectorName, arn: state.connectorArn, tags: state.tags };
  const [plan] = planConnectors(deps.expectations, [identity]);
  if (gone && plan && state.microvmId && !state.warming) {
    const vm = await deps.microvms.get(state.microvmId).catch(() => undefined);
    if (vm && vm.state !== 'TERMINATING' && vm.state !== 'TERMINATED') {
      try {
        const token = await deps.microvms.authToken(vm.microvmId, AGENT_PORT, 5);
        const answer = await deps.agent.probe(vm.endpoint, vm.microvmId, token, plan.probes);
        if (answer.status === 200) {
          const results = new Map(
            ((answer.body as { probes?: AgentProbeResult[] }).probes ?? []).map((r) => [r.id, r]),
          );
          const probes = plan.expectations.map((e) => judgeProbe(e, results.get(e.targetId)));
          const startedAt = deps.clock.now().toISOString();
          const run: CanaryRun = {
            connectorId: state.connectorId,
            connectorName: state.connectorName,
            account: accountOf(state.connectorArn),
            region: deps.region,
            startedAt,
            durationMs: 0,
            microvmSeconds: 1,
            met: probes.every((p) => p.met),
            probes: probes.map((p) =>
              p.met ? p : { ...p, detail: `${p.detail ?? 'failed'} — ${reason}, its canary MicroVM still RUNNING` },
            ),
            mode: 'canary',
            microvmId: vm.microvmId,
            blindReason: null,
          };
          const cause: PathExplanation = {
            verdict: 'blocked',
            blockers: [
              { component: 'network-connector', id: state.connectorId, direction: 'outbound', detail: reason },
            ],
          };
          await record(deps, { run, plan }, state, result, true, cause);
        }
      } catch (error) {
        deps.logger.warn('last probe of a stopped canary failed', { error: describe(error) });
      }
    }
  }
  if (state.microvmId) {
    await pace('run', () => deps.microvms.terminate(state.microvmId as string)).catch((error: unknown) => {
      if (!(error instanceof MicrovmApiError && error.code === 'ResourceNotFoundException')) throw error;
    });
  }
  await deps.store.deleteState(state.connectorId);
  result.stopped.push({
    connectorId: state.connectorId,
    reason: gone ? reason : 'no longer selected by the expectations',
  });
}

/** arn:aws:lambda:<region>:<account>:network-connector:<name> → account. */
function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function describe(error: unknown): string {
  if (error instanceof MicrovmApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
