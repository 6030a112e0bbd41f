/**
 * What the use cases need from the outside world. Adapters in shared/aws implement these; tests use the
 * real DynamoDB Local adapter or small fakes.
 */
import type { HyperplaneEniView } from './domain/connector-lifecycle.js';
import { EgressWatchError } from './domain/errors.js';
import type { ConnectorView, Finding, NetworkFacts, NormalizedEvent } from './domain/model.js';

export interface Clock {
  now(): Date;
}

/** Events are stored and projected per account + region: the unit of one lifecycle fold. */
export interface Scope {
  account: string;
  region: string;
}

export type AppendOutcome = 'stored' | 'duplicate';

export interface QuarantineEntry {
  eventId: string | null;
  error: string;
  /** The event as received (serialized), so it can be inspected and replayed. */
  raw: string;
  receivedAt: string;
}

export interface Projection {
  connectors: ConnectorView[];
  findings: Finding[];
  hyperplaneEnis: HyperplaneEniView[];
}

export interface FindingChange {
  change: 'opened' | 'resolved' | 'reopened';
  finding: Finding;
}

export type SaveOutcome = { saved: true; changes: FindingChange[] } | { saved: false; reason: 'stale' };

/**
 * The store refused an item as invalid (DynamoDB ValidationException: a key or the item over a size limit).
 * Retrying cannot help, so ingest quarantines the event instead of failing the batch.
 */
export class ItemRefusedError extends EgressWatchError {}

export interface EventLog {
  /**
   * The ingest hot path: exactly one conditional write per event (idempotent on eventId). Throws
   * `ItemRefusedError` when the store refuses the item; other errors are faults (throttling, 5xx, time-out).
   */
  appendEvent(event: NormalizedEvent): Promise<AppendOutcome>;
  /** Bad input is never lost: it is kept with its reason. */
  quarantine(entry: QuarantineEntry): Promise<void>;
  /** Every event of a scope, strongly consistent. */
  loadEvents(scope: Scope): Promise<NormalizedEvent[]>;
}

export interface ProjectionStore {
  loadNetworkFacts(scope: Scope): Promise<NetworkFacts>;
  /** Writes the projection unless a projection of a larger event set is already stored (`basis` = event count). */
  saveProjection(scope: Scope, projection: Projection, basis: number): Promise<SaveOutcome>;
  listScopes(): Promise<Scope[]>;
  listConnectors(scope: Scope): Promise<ConnectorView[]>;
  listFindings(scope: Scope): Promise<Finding[]>;
  listHyperplaneEnis(scope: Scope): Promise<HyperplaneEniView[]>;
}

export type MonitorStore = EventLog & ProjectionStore;

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown> | Error): void;
}

export interface Metrics {
  count(name: string, value?: number): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
export const noMetrics: Metrics = { count() {} };
