/**
 * What a `network-path-changed` finding means for the user's expectations (docs/canaries.md#path-changes):
 * each expectation of an affected connector is predicted by the static path analyzer over the network as
 * it is after the change; an expectation the prediction contradicts is a **flip**. The check is attached to
 * the finding (attribute `pathCheck`) and the affected connectors are re-probed at once. Also the
 * `{ connectorIds, reason }` invocation payload of the canary function. Pure: no I/O.
 */
import { z } from 'zod';
import type { PathExplanation } from './canary.js';
import type { ProbeExpectation } from './expectations.js';

/** One expectation a path change contradicts, as the analyzer predicts it after the change. */
export interface ExpectationFlip {
  connectorId: string;
  connectorName: string;
  /** The target's id in the expectations document (`egress-ip` / `isolation` for the echo probe). */
  targetId: string;
  kind: ProbeExpectation['kind'];
  /** URL, host:port or DNS name. */
  target: string;
  expected: 'reachable' | 'blocked';
  /** The analyzer's verdict over the post-change network. */
  predicted: 'reachable' | 'blocked';
  /** egress-ip expectations: the public addresses the internet would now see (the NAT gateway's EIPs). */
  predictedEgressIps?: string[];
  /** Every blocker the analyzer names (empty when the flip is to `reachable` or about the egress address). */
  blockers: PathExplanation['blockers'];
  /** One line: what flips and why. */
  detail: string;
}

/** The check stored on a `network-path-changed` finding (attribute `pathCheck`, JSON). The shape only grows. */
export interface PathChangeCheck {
  /** ISO-8601: when the canary function evaluated the expectations. */
  checkedAt: string;
  /** capturedAt (ISO-8601) of the network snapshot the analyzer read; null when none could be read. */
  asOf: string | null;
  /** The connector the finding is about (its `connectorId`). */
  connectorId: string;
  /** How many expectations of the connector were evaluated. */
  evaluated: number;
  flips: ExpectationFlip[];
  /** Expectations the analyzer could not decide (verdict `unknown`, or no facts): target ids. */
  undecided: string[];
  /** Why nothing was evaluated (connector not selected by the expectations, not ACTIVE, …); absent otherwise. */
  skipped?: string;
  /**
   * The targeted re-probe this change triggered: the connector ids probed (empty when none), the reason the
   * runs carry, and why it was not probed now when it was not (e.g. probed seconds ago by another change).
   */
  reprobe: { connectorIds: string[]; reason: string; skipped?: string };
}

/**
 * The flip of one expectation under a prediction, or null when the prediction agrees (or is `unknown`).
 * An egress-ip expectation with `egressIps` also flips when the path stays reachable but leaves through a
 * NAT gateway none of whose addresses is expected.
 */
export function flipOf(
  connector: { id: string; name: string },
  expectation: ProbeExpectation,
  analyzed: PathExplanation,
): ExpectationFlip | null {
  const prediction = expectation.kind === 'dns' ? resolutionOnly(analyzed) : analyzed;
  if (prediction.verdict === 'unknown') return null;
  const base = {
    connectorId: connector.id,
    connectorName: connector.name,
    targetId: expectation.targetId,
    kind: expectation.kind,
    target: expectation.target,
    expected: expectation.expect,
    predicted: prediction.verdict,
  };
  if (prediction.verdict !== expectation.expect) {
    const why =
      prediction.blockers.length > 0
        ? `: blocked by ${prediction.blockers.map((b) => `${b.component} ${b.id}`).join(', ')}`
        : '';
    return {
      ...base,
      blockers: prediction.blockers,
      detail: `${expectation.target} through ${connector.name}: expected ${expectation.expect}, now predicted ${prediction.verdict}${why}`,
    };
  }
  const seen = prediction.egressPublicIps ?? [];
  const wanted = expectation.egressIps ?? [];
  if (
    expectation.kind === 'egress-ip' &&
    wanted.length > 0 &&
    seen.length > 0 &&
    !seen.some((ip) => wanted.includes(ip))
  ) {
    return {
      ...base,
      predictedEgressIps: seen,
      blockers: [],
      detail: `${connector.name}: the internet would now see ${seen.join(', ')}, not ${wanted.join(' or ')}`,
    };
  }
  return null;
}

/**
 * A DNS expectation checks that the name resolves, not that its address answers on a port: only the
 * analyzer's `dns` blockers count (e.g. enableDnsSupport=false, no such private name).
 */
export function resolutionOnly(prediction: PathExplanation): PathExplanation {
  const dns = prediction.blockers.filter((b) => b.component === 'dns');
  if (dns.length > 0) return { ...prediction, verdict: 'blocked', blockers: dns };
  const resolved = (prediction.hops ?? []).some((h) => (h as { component?: string }).component === 'dns');
  if (resolved || prediction.verdict === 'reachable') return { ...prediction, verdict: 'reachable', blockers: [] };
  return { ...prediction, verdict: 'unknown', blockers: [] };
}

/**
 * Host and port the analyzer checks for a target (URL → its host and port, `host:port`, a DNS name with no
 * port). `kind`/`target` as in ProbeExpectation and CanaryProbe.
 */
export function destinationOfTarget(
  kind: ProbeExpectation['kind'],
  target: string,
): { host: string; port: number | null } {
  if (kind === 'http' || kind === 'egress-ip') {
    const url = new URL(target);
    return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  }
  if (kind === 'tcp') {
    const colon = target.lastIndexOf(':');
    return { host: target.slice(0, colon), port: Number(target.slice(colon + 1)) };
  }
  return { host: target, port: null };
}

/** A targeted re-probe: which connectors (ids, `nc-…`) and why (shown on the runs). */
export interface ReprobeRequest {
  connectorIds: string[];
  reason: string;
}

const ReprobeRequestSchema = z.strictObject({
  connectorIds: z
    .array(z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a connector id'))
    .min(1)
    .max(50),
  reason: z.string().min(1).max(500),
});

/** Raised for an invocation payload that is not a valid re-probe request; lists every problem with its path. */
export class ReprobeRequestError extends Error {
  override name = 'ReprobeRequestError';
  constructor(readonly problems: string[]) {
    super(
      `not a valid re-probe request ({ connectorIds: [...], reason }):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** True when a decoded invocation payload is meant as a re-probe request (it names `connectorIds`). */
export function isReprobeRequest(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'connectorIds' in payload;
}

/**
 * Validates `{ connectorIds: string[1..50], reason: string }` (the canary function's targeted invocation).
 * @throws ReprobeRequestError with the path of each problem.
 */
export function parseReprobeRequest(payload: unknown): ReprobeRequest {
  const parsed = ReprobeRequestSchema.safeParse(payload);
  if (!parsed.success) {
    throw new ReprobeRequestError(
      parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`),
    );
  }
  return { connectorIds: [...new Set(parsed.data.connectorIds)], reason: parsed.data.reason };
}
