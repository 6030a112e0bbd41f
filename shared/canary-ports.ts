/**
 * What the canary use case (shared/app/run-canaries.ts) needs from the outside world. Adapters:
 * shared/aws/canary-microvms.ts (official @aws-sdk/client-lambda-microvms + the endpoint proxy),
 * shared/aws/canary-store.ts (DynamoDB), the Lambda Core client for the connector directory.
 */
import type { CanaryFinding, CanaryRun, PathExplanation, Streak } from './domain/canary.js';
import type { ConnectorIdentity, ProbeSpec } from './domain/expectations.js';
import type { PathChangeCheck } from './domain/path-change.js';

/** A connector as ListNetworkConnectors shows it now (the live truth, ahead of CloudTrail). */
export interface LiveConnector extends ConnectorIdentity {
  /** PENDING | ACTIVE | INACTIVE | FAILED | DELETING | … (Lambda Core State). */
  state: string;
}

export interface ConnectorDirectory {
  /** Every connector of the account/region; `withTags` also reads their tags (one call each). */
  listConnectors(options: { withTags: boolean }): Promise<LiveConnector[]>;
}

export interface CanaryMicrovm {
  microvmId: string;
  /** MicroVM state (RUNNING, SUSPENDED, …); GetMicrovm is eventually consistent. */
  state: string;
  /** Host name of the VM's HTTPS endpoint (`<id>.lambda-microvm.<region>.on.aws`). */
  endpoint: string;
  /** ISO-8601. */
  startedAt: string;
}

/** Raised by adapters for a MicroVMs API failure; `code` is the AWS error name (AccessDeniedException, …). */
export class MicrovmApiError extends Error {
  override name = 'MicrovmApiError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RunCanaryInput {
  imageArn: string;
  connectorArn: string;
  /** `{"allow": [...]}` for the agent's /run hook. */
  runHookPayload: string;
  clientToken: string;
  /** ≤ 28,800 s (8 h, Lambda MicroVMs API reference, RunMicrovm). */
  maximumDurationInSeconds: number;
  /** Idle suspend as a safety net if a run never suspends its VM (≥ 60 s). */
  maxIdleDurationSeconds: number;
  /** How long a SUSPENDED canary may wait before the service terminates it. */
  suspendedDurationSeconds: number;
}

/** The MicroVMs API calls the canary makes. @throws MicrovmApiError */
export interface CanaryMicrovms {
  run(input: RunCanaryInput): Promise<CanaryMicrovm>;
  /** undefined when the VM does not exist (any more). */
  get(microvmId: string): Promise<CanaryMicrovm | undefined>;
  suspend(microvmId: string): Promise<void>;
  terminate(microvmId: string): Promise<void>;
  /**
   * Agent mode: a RUNNING MicroVM of `imageIdentifier` whose egress connector is `connector` (ListMicrovms by
   * image, then GetMicrovm for its egressNetworkConnectors), or undefined.
   */
  findRunningOnConnector(
    imageIdentifier: string,
    connector: { id: string; name: string; arn: string },
  ): Promise<CanaryMicrovm | undefined>;
  /** CreateMicrovmAuthToken for one port; returns the X-aws-proxy-auth value. */
  authToken(microvmId: string, port: number, expirationInMinutes: number): Promise<string>;
}

/** What the endpoint proxy and the agent answered to `POST /probe`. */
export interface AgentAnswer {
  status: number;
  body: unknown;
}

export interface AgentClient {
  /** POST /probe through the MicroVM endpoint with header X-aws-proxy-auth. Network failure → rejects. */
  probe(endpoint: string, microvmId: string, authToken: string, probes: ProbeSpec[]): Promise<AgentAnswer>;
}

/** Per-connector canary state between runs: the VM kept for it and the finding streaks. */
export interface CanaryState {
  connectorId: string;
  connectorName: string;
  connectorArn: string;
  tags: Record<string, string>;
  microvmId: string | null;
  /** ISO-8601; when the current VM was started (recycled before the 8-hour lifetime). */
  microvmStartedAt: string | null;
  /** The VM was started and has not answered yet (a fresh VM boots between two ticks). */
  warming: boolean;
  lastRunAt: string | null;
  /** Finding fingerprint → streak. */
  streaks: Record<string, Streak>;
}

export interface CanaryStore {
  listStates(): Promise<CanaryState[]>;
  saveState(state: CanaryState): Promise<void>;
  deleteState(connectorId: string): Promise<void>;
  /** Stores a run at CANARY#<connectorId> / RUN#<startedAt> with a TTL (epoch seconds). */
  putRun(run: CanaryRun, ttlEpochSeconds: number): Promise<void>;
  loadFinding(fingerprint: string): Promise<CanaryFinding | undefined>;
  putFinding(finding: CanaryFinding): Promise<void>;
}

/** Static path analysis for a failed probe (shared/domain/path-analysis.ts through the network facts). */
export interface PathExplainer {
  explain(input: {
    account: string;
    region: string;
    connectorId: string;
    destination: string;
    port: number | null;
  }): Promise<PathExplanation | null>;
}

/** A connector's configuration (Lambda Core GetNetworkConnector), for explanations when its ENIs are hidden. */
export interface ConnectorConfigSource {
  configOf(connectorId: string): Promise<{ subnetIds: string[]; securityGroupIds: string[] } | undefined>;
}

/** Real time for pacing the MicroVMs API rates (ms). */
export interface Pacer {
  sleep(ms: number): Promise<void>;
  nowMs(): number;
}

/**
 * A `network-path-changed` finding that opened or changed (from the table stream, shared/aws/finding-stream.ts):
 * the connector it is about and the version of the finding item the check is computed for.
 */
export interface PathChangeTrigger {
  fingerprint: string;
  connectorId: string;
  account: string;
  region: string;
  summary: string;
  /** The finding item's `body` as the stream showed it: the check is attached only to that version. */
  version: string;
}

/** Where the check of a path change is kept: on the finding item itself (attribute `pathCheck`). */
export interface PathChangeStore {
  /**
   * Attaches the check to the finding if the item is still at `trigger.version`; false when the finding
   * changed (or went) meanwhile — the newer version gets its own check from the stream.
   */
  attachCheck(trigger: PathChangeTrigger, check: PathChangeCheck): Promise<boolean>;
}
