/**
 * Ports of the reconcile use case (docs/reconcile.md): what it reads from AWS (read-only) and where it keeps
 * its watermark. Adapters live in shared/aws; the lab serves every call on its edge.
 */
import type { ObservedConnector, ObservedMicrovm, ReconcileNetwork } from '../domain/reconcile-judge.js';
import type { Clock, Scope } from '../ports.js';

export type { ObservedConnector, ObservedMicrovm, ReconcileNetwork };

/** Lambda Core: `ListNetworkConnectors` (all pages) then `GetNetworkConnector` for each. */
export interface ConnectorInventory {
  describeConnectors(): Promise<ObservedConnector[]>;
}

/** Lambda MicroVMs: `ListMicrovms` (every page; connectors unknown) and `GetMicrovm` per id (with connectors). */
export interface MicrovmInventory {
  listMicrovms(): Promise<ObservedMicrovm[]>;
  getMicrovms(ids: readonly string[]): Promise<ObservedMicrovm[]>;
}

/** One CloudTrail record from Event history (`LookupEvents` → `Events[].CloudTrailEvent`, parsed). */
export type TrailRecord = Record<string, unknown> & { eventID: string; eventTime: string; eventSource: string };

/** CloudTrail Event history: write (ReadOnly=false) management events between start and end. */
export interface TrailHistory {
  lookupWriteEvents(start: Date, end: Date): Promise<TrailRecord[]>;
}

/** Collects (and stores, at `FACTS#<account>#<region>`) the network facts; returns the snapshot. */
export interface NetworkFactsCollector {
  /** `clock` is the run's clock: the snapshot's capture time (ISO-8601) comes from it. */
  collect(scope: Scope, clock: Clock): Promise<ReconcileNetwork>;
}

/** What a successful run leaves for the next one. */
export interface ReconcileCursor {
  /** ISO-8601: CloudTrail history up to here has been compared with the log. */
  watermark: string;
  /** ISO-8601 time of the last successful run. */
  lastRunAt: string;
}

/** `RECONCILE#<account>#<region>` / `CURSOR`: written only after a run finished. */
export interface ReconcileCursorStore {
  loadCursor(scope: Scope): Promise<ReconcileCursor | null>;
  saveCursor(scope: Scope, cursor: ReconcileCursor): Promise<void>;
}

/** How the region is watched: trails and their selectors, and the ingest rules (optional checks). */
export interface MonitoringSetup {
  /** Names of trails that log management events in the region (`DescribeTrails` + `GetTrailStatus.IsLogging`). */
  loggingTrails(): Promise<{ name: string; microvmDataEvents: boolean }[]>;
  /** Names of the ingest EventBridge rules that are not ENABLED (`DescribeRule`). */
  disabledIngestRules(): Promise<string[]>;
}
