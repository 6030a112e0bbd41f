/**
 * One canary run: the probes a probe agent made from a MicroVM whose egress uses the connector under test,
 * each compared with its expectation. Stored at `pk=CANARY#<connectorId>`, `sk=RUN#<startedAt>` (with TTL).
 * Pure types; no I/O.
 */

/** What a probe checks: a TCP connect, an HTTP(S) request, a DNS lookup, or the public egress IP seen. */
export type ProbeKind = 'tcp' | 'http' | 'dns' | 'egress-ip';

/** Why a probe did not reach its target (null when it did). */
export type ErrorClass = 'timeout' | 'refused' | 'dns' | 'tls' | 'http-status';

/** One probe of one target in a canary run. */
export interface CanaryProbe {
  /** The expectation's target id (stable across runs). */
  targetId: string;
  kind: ProbeKind;
  /** host:port, URL or DNS name probed. */
  target: string;
  expect: 'reachable' | 'blocked';
  verdict: 'reachable' | 'blocked';
  /** verdict === expect */
  met: boolean;
  /** Time to connect / answer in milliseconds; null when nothing answered. */
  latencyMs: number | null;
  errorClass: ErrorClass | null;
  /** The address the target resolved to, when the probe resolved one. */
  resolvedAddress: string | null;
}

/** One canary run against one connector. */
export interface CanaryRun {
  connectorId: string;
  connectorName: string;
  account: string;
  region: string;
  /** ISO-8601 */
  startedAt: string;
  /** Wall time of the run in milliseconds. */
  durationMs: number;
  /** MicroVM instance-seconds billed for the run (MicroVMs are priced per instance-second). */
  microvmSeconds: number;
  /** Every probe met its expectation. */
  met: boolean;
  probes: CanaryProbe[];
}
