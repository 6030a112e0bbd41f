/**
 * Use case: project the scopes whose event logs changed (docs/projection.md). Runs off the ingest hot path
 * (DynamoDB stream in AWS, after the batch in replay). With the new log keys of a stream batch, only that
 * batch is folded incrementally; without keys, everything the log holds is re-folded (replay, repair).
 */
import type { EventConflict } from '../domain/event-identity.js';
import type { FindingChange, Logger, MonitorStore, Scope } from '../ports.js';
import { type ProjectionOptions, projectBatch } from './project-incremental.js';

export interface ProjectDeps {
  store: MonitorStore;
  logger?: Logger;
  options?: Partial<ProjectionOptions>;
}

/** What one scope's projection did. `events` is the number of log items folded. */
export interface ScopeProjection {
  scope: Scope;
  events: number;
  connectors: number;
  findings: number;
  saved: boolean;
  changes: FindingChange[];
  conflicts: EventConflict[];
}

/** New log items of one scope: their sort keys (`EVT#…`). */
export interface ScopeBatch {
  scope: Scope;
  keys: string[];
}

/** Re-folds everything each scope's log holds. Throws on storage faults; a rerun converges. */
export async function projectScopes(deps: ProjectDeps, scopes: readonly Scope[]): Promise<ScopeProjection[]> {
  return projectBatches(
    deps,
    uniqueScopes(scopes).map((scope) => ({ scope, keys: [] })),
    'all',
  );
}

/** Folds new log items incrementally, one scope at a time. Throws on storage faults; a retry converges. */
export async function projectBatches(
  deps: ProjectDeps,
  batches: readonly ScopeBatch[],
  mode: 'incremental' | 'all' = 'incremental',
): Promise<ScopeProjection[]> {
  const results: ScopeProjection[] = [];
  for (const { scope, keys } of batches) {
    const out = await projectBatch(
      {
        store: deps.store,
        ...(deps.logger ? { logger: deps.logger } : {}),
        ...(deps.options ? { options: deps.options } : {}),
      },
      scope,
      mode === 'all' ? 'all' : keys,
    );
    results.push({
      scope,
      events: out.events,
      connectors: out.connectors,
      findings: out.findings,
      saved: true,
      changes: out.changes,
      conflicts: out.conflicts,
    });
  }
  return results;
}

function uniqueScopes(scopes: readonly Scope[]): Scope[] {
  const map = new Map<string, Scope>();
  for (const s of scopes) map.set(`${s.account}/${s.region}`, s);
  return [...map.values()];
}
