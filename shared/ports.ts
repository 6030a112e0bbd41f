/**
 * What the use cases need from the outside world. Adapters in shared/aws implement these; tests use the
 * real DynamoDB Local adapter or small fakes.
 */
import type { HyperplaneEniView } from './domain/connector-lifecycle.js';
import { EgressWatchError } from './domain/errors.js';
import type { EventConflict } from './domain/event-identity.js';
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
  listScopes(): Promise<Scope[]>;
  listConnectors(scope: Scope): Promise<ConnectorView[]>;
  listFindings(scope: Scope): Promise<Finding[]>;
  listHyperplaneEnis(scope: Scope): Promise<HyperplaneEniView[]>;
  /** eventIDs stored with different contents, and the content the projection applied. */
  listConflicts(scope: Scope): Promise<EventConflict[]>;
}

/**
 * One item of projection state (docs/projection.md): `body` is JSON; `attributes` are extra top-level
 * attributes (strings or numbers) for readers of the item; `basis` is the size of the event set the item was
 * computed from; `ttl` is epoch seconds after which DynamoDB may delete it.
 */
export interface StateItem {
  pk: string;
  sk: string;
  body: string;
  basis?: number;
  ttl?: number;
  attributes?: Record<string, string | number | undefined>;
}

/** A range over sort keys (all bounds optional, inclusive unless `gt`). */
export interface KeyRange {
  gte?: string;
  gt?: string;
  lte?: string;
  prefix?: string;
  descending?: boolean;
  limit?: number;
}

/** A log item read back: its sort key, content hash and event. */
export interface LogItem {
  key: string;
  hash: string;
  event: NormalizedEvent;
}

/**
 * The incremental projection's storage (docs/projection.md): the log by key range, and generic state items
 * with conditional writes. Every read is strongly consistent.
 */
export interface ProjectionItems {
  /** Log items of a scope with key ≥ fromKey, in key order. */
  readLog(scope: Scope, fromKey: string): Promise<LogItem[]>;
  /** The named log items of a scope (missing keys are skipped). */
  getLog(scope: Scope, keys: readonly string[]): Promise<LogItem[]>;
  queryItems(pk: string, range?: KeyRange): Promise<StateItem[]>;
  getItems(keys: readonly { pk: string; sk: string }[]): Promise<StateItem[]>;
  /** Unconditional idempotent puts (index entries). */
  putItems(items: readonly StateItem[]): Promise<void>;
  /** Puts unless the stored item has a larger basis; true when written. */
  putIfNotNewer(item: StateItem & { basis: number }): Promise<boolean>;
  /** Puts only if absent; true when written. */
  putIfAbsent(item: StateItem): Promise<boolean>;
  deleteIfNotNewer(pk: string, sk: string, basis: number): Promise<void>;
  /** Takes (or renews) an exclusive lease until `expiresAt` (epoch ms); false if another owner holds it. */
  acquireLease(pk: string, owner: string, nowMs: number, expiresAt: number): Promise<boolean>;
  releaseLease(pk: string, owner: string): Promise<void>;
}

export type MonitorStore = EventLog & ProjectionStore & ProjectionItems;

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
