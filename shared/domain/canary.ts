/**
 * Canary runs and the findings they raise (docs/canaries.md). A run is what the probe agent inside a canary
 * MicroVM saw for every target of one connector, judged against the expectations; the run is stored as
 * `CANARY#<connectorId>` / `RUN#<startedAt>` (TTL) and read by the canary report. Findings follow streaks:
 * a target whose verdict differs from its expectation `failuresToOpen` runs in a row opens
 * `reachability-drift`, `successesToResolve` good runs resolve it. Pure: no I/O.
 */

import type { ProbeExpectation } from './expectations.js';
import { fingerprintOf } from './fingerprint.js';
import type { Evidence, Finding } from './model.js';
import type { RULES } from './rules.js';

export type ProbeKind = 'tcp' | 'http' | 'dns' | 'egress-ip';
export type ErrorClass = 'timeout' | 'refused' | 'dns' | 'tls' | 'http-status';

/** One probe of a stored run (the report's contract: field names and meanings only grow). */
export interface CanaryProbe {
  targetId: string;
  kind: ProbeKind;
  /** URL, host:port or DNS name. */
  target: string;
  expect: 'reachable' | 'blocked';
  verdict: 'reachable' | 'blocked';
  /** Verdict equals expectation and every extra check (status, body, DNS answer, egress IP) holds. */
  met: boolean;
  /** Connect/response time in ms; null when nothing answered. */
  latencyMs: number | null;
  errorClass: ErrorClass | null;
  resolvedAddress: string | null;
  /** egress-ip probes: the address the echo service saw. */
  observedIp?: string | null;
  /** Why `met` is false, in one line (empty when met). */
  detail?: string;
}

/** One canary run of one connector (stored with a TTL; the canary report reads these). */
export interface CanaryRun {
  connectorId: string;
  connectorName: string;
  account: string;
  region: string;
  /** ISO-8601. */
  startedAt: string;
  durationMs: number;
  /** MicroVM-seconds this run cost (billed running time attributable to it). */
  microvmSeconds: number;
  /** Every probe met its expectation (false for a run that could not probe). */
  met: boolean;
  probes: CanaryProbe[];
  /** `canary`: egress-watch's own MicroVM; `agent`: a user's MicroVM running the embedded agent. */
  mode?: 'canary' | 'agent';
  microvmId?: string | null;
  /** Set when the run could not probe (monitoring-blind), e.g. "RunMicrovm failed: AccessDeniedException". */
  blindReason?: string | null;
  /**
   * Set on a targeted re-probe (not the schedule): why it ran, e.g. "network-path-changed <fingerprint>:
   * route 0.0.0.0/0 in rtb-… now → nat-…" (docs/canaries.md#path-changes).
   */
  reprobe?: string;
}

/** What the probe agent answers for one probe (`POST /probe`, see canary-agent/agent.ts). */
export interface AgentProbeResult {
  id: string;
  kind: ProbeKind;
  /** The connection (or lookup) succeeded. */
  reached: boolean;
  latencyMs: number | null;
  errorClass: ErrorClass | null;
  resolvedAddress: string | null;
  status?: number | null;
  /** First bytes of the body (HTTP) or the trimmed echo answer (egress-ip). */
  body?: string | null;
  observedIp?: string | null;
  error?: string | null;
}

/** Judges one agent result against its expectation. A missing result counts as blocked/timeout. */
export function judgeProbe(expectation: ProbeExpectation, result: AgentProbeResult | undefined): CanaryProbe {
  const base = {
    targetId: expectation.targetId,
    kind: expectation.kind,
    target: expectation.target,
    expect: expectation.expect,
  };
  if (!result) {
    return {
      ...base,
      verdict: 'blocked',
      met: expectation.expect === 'blocked',
      latencyMs: null,
      errorClass: 'timeout',
      resolvedAddress: null,
      detail: 'the agent returned no result for this probe',
    };
  }
  const verdict = result.reached ? 'reachable' : 'blocked';
  const problems: string[] = [];
  if (verdict !== expectation.expect) {
    problems.push(
      expectation.expect === 'reachable'
        ? `expected reachable, got ${result.errorClass ?? 'no answer'}`
        : 'expected blocked, but it answered',
    );
  } else if (verdict === 'reachable') {
    if (result.errorClass === 'http-status') problems.push(result.error ?? `unexpected HTTP status ${result.status}`);
    if (result.error && result.errorClass === null) problems.push(result.error);
    if (expectation.address && result.resolvedAddress !== expectation.address) {
      problems.push(`${expectation.target} resolved to ${result.resolvedAddress}, expected ${expectation.address}`);
    }
    if (expectation.cidr && !(result.resolvedAddress && inCidr(result.resolvedAddress, expectation.cidr))) {
      problems.push(`${expectation.target} resolved to ${result.resolvedAddress}, outside ${expectation.cidr}`);
    }
  }
  const probe: CanaryProbe = {
    ...base,
    verdict,
    met: problems.length === 0,
    latencyMs: result.latencyMs,
    errorClass: result.errorClass,
    resolvedAddress: result.resolvedAddress,
    ...(expectation.kind === 'egress-ip' ? { observedIp: result.observedIp ?? null } : {}),
  };
  if (problems.length > 0) probe.detail = problems.join('; ');
  return probe;
}

/** True when the egress-ip probe answered with an address outside `egressIps` (egress-ip-drift). */
export function egressIpDrift(expectation: ProbeExpectation, probe: CanaryProbe): string | null {
  if (expectation.kind !== 'egress-ip' || !expectation.egressIps || probe.verdict !== 'reachable') return null;
  const seen = probe.observedIp ?? null;
  if (seen && expectation.egressIps.includes(seen)) return null;
  return `the internet sees ${seen ?? 'no address'}, expected ${expectation.egressIps.join(' or ')}`;
}

/** Streak of one (rule, connector, target) across runs: the state findings open and resolve from. */
export interface Streak {
  misses: number;
  hits: number;
  open: boolean;
}

export const NO_STREAK: Streak = Object.freeze({ misses: 0, hits: 0, open: false });

/**
 * Advances a streak by one observation. `bad` = the condition the rule watches holds in this run.
 * `immediate` opens on the first bad run (monitoring-blind, isolation-breach, a confirmed deletion).
 */
export function advanceStreak(
  previous: Streak,
  bad: boolean,
  thresholds: { failuresToOpen: number; successesToResolve: number },
  immediate = false,
): { streak: Streak; transition: 'opened' | 'resolved' | null } {
  if (bad) {
    const misses = previous.misses + 1;
    const opens = !previous.open && (immediate || misses >= thresholds.failuresToOpen);
    return { streak: { misses, hits: 0, open: previous.open || opens }, transition: opens ? 'opened' : null };
  }
  const hits = previous.hits + 1;
  const resolves = previous.open && hits >= thresholds.successesToResolve;
  return {
    streak: { misses: 0, hits, open: previous.open && !resolves },
    transition: resolves ? 'resolved' : null,
  };
}

/** The finding id of a canary rule on a connector target (stable across runs). */
export function canaryFingerprint(rule: string, connectorId: string, targetId: string): string {
  return fingerprintOf('canary', rule, connectorId, targetId);
}

/** A path explanation from the static analyzer (shared/domain/path-analysis.ts once it lands). */
export interface PathExplanation {
  verdict: 'reachable' | 'blocked' | 'unknown';
  blockers: { component: string; id: string; direction?: string; detail: string }[];
  hops?: unknown[];
  /** capturedAt (ISO-8601) of the network snapshot the analysis read. */
  asOf?: string;
  /** Reachable paths to the internet: the public addresses it would see (EIPs of the NAT gateway on the path). */
  egressPublicIps?: string[];
}

/** A finding written by the canary: the Finding shape plus its origin, target and explanation. */
export interface CanaryFinding extends Finding {
  source: 'canary';
  targetId: string;
  connectorName?: string;
  explanation: PathExplanation | null;
}

export type CanaryRule =
  | typeof RULES.reachabilityDrift
  | typeof RULES.egressIpDrift
  | typeof RULES.isolationBreach
  | typeof RULES.monitoringBlind;

/** Opens, re-opens or resolves a canary finding; `existing` is the stored one (or undefined). */
export function applyTransition(input: {
  existing: CanaryFinding | undefined;
  transition: 'opened' | 'resolved' | null;
  rule: CanaryRule;
  connectorId: string;
  account: string;
  region: string;
  targetId: string;
  at: string;
  summary: string;
  evidence: Evidence;
  explanation: PathExplanation | null;
  connectorName?: string;
}): CanaryFinding | undefined {
  const { existing, transition } = input;
  if (transition === null) {
    if (existing?.status !== 'open') return undefined;
    // Still open: refresh lastSeen and keep the newest evidence (bounded).
    return { ...existing, lastSeen: input.at, evidence: [...existing.evidence, input.evidence].slice(-10) };
  }
  if (transition === 'resolved') {
    if (!existing || existing.status === 'resolved') return undefined;
    return {
      ...existing,
      status: 'resolved',
      resolvedAt: input.at,
      lastSeen: input.at,
      evidence: [...existing.evidence, input.evidence].slice(-10),
    };
  }
  return {
    rule: input.rule.id,
    severity: input.rule.severity,
    status: 'open',
    connectorId: input.connectorId,
    account: input.account,
    region: input.region,
    fingerprint: canaryFingerprint(input.rule.id, input.connectorId, input.targetId),
    firstSeen: existing?.firstSeen ?? input.at,
    lastSeen: input.at,
    resolvedAt: null,
    summary: input.summary,
    evidence: [...(existing?.evidence ?? []), input.evidence].slice(-10),
    source: 'canary',
    targetId: input.targetId,
    ...(input.connectorName !== undefined ? { connectorName: input.connectorName } : {}),
    explanation: input.explanation,
  };
}

/** IPv4 address in CIDR. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base ?? '');
  if (a === null || b === null) return false;
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value >>> 0;
}
