/**
 * Use case: recompute the lifecycle projection (connector views and event findings) of the scopes whose
 * event logs changed. Runs off the ingest hot path (DynamoDB stream in AWS, after the batch in replay).
 */
import { deriveLifecycle } from '../domain/connector-lifecycle.js';
import type { FindingChange, Logger, MonitorStore, Scope } from '../ports.js';
import { silentLogger } from '../ports.js';

export interface ProjectDeps {
  store: MonitorStore;
  logger?: Logger;
}

export interface ScopeProjection {
  scope: Scope;
  events: number;
  connectors: number;
  findings: number;
  saved: boolean;
  changes: FindingChange[];
}

export async function projectScopes(deps: ProjectDeps, scopes: readonly Scope[]): Promise<ScopeProjection[]> {
  const logger = deps.logger ?? silentLogger;
  const results: ScopeProjection[] = [];
  for (const scope of uniqueScopes(scopes)) {
    const [events, facts] = await Promise.all([deps.store.loadEvents(scope), deps.store.loadNetworkFacts(scope)]);
    const projection = deriveLifecycle(events, facts);
    const outcome = await deps.store.saveProjection(scope, projection, events.length);
    if (!outcome.saved) logger.info('a newer projection is already stored', { ...scope, events: events.length });
    results.push({
      scope,
      events: events.length,
      connectors: projection.connectors.length,
      findings: projection.findings.length,
      saved: outcome.saved,
      changes: outcome.saved ? outcome.changes : [],
    });
  }
  return results;
}

function uniqueScopes(scopes: readonly Scope[]): Scope[] {
  const map = new Map<string, Scope>();
  for (const s of scopes) map.set(`${s.account}/${s.region}`, s);
  return [...map.values()];
}
