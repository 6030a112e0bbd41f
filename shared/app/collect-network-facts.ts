/**
 * Use case: collect one consistent network-facts snapshot for an account/region and store it
 * (docs/network-facts.md). Describe calls are not atomic, so a snapshot whose references do not resolve
 * (an ENI in a subnet that was not listed, a route to a NAT gateway created between two calls) is collected
 * again, up to `attempts` times; the last one is kept with its remaining gaps listed.
 */
import { consistencyGaps, type NetworkFacts, networkFactsOf } from '../domain/network-facts.js';
import type { FactsSaveOutcome, NetworkFactsSource, NetworkFactsStore } from '../network-ports.js';
import type { Clock, Logger, Scope } from '../ports.js';
import { silentLogger } from '../ports.js';

export interface CollectNetworkFactsDeps {
  source: NetworkFactsSource;
  store: Pick<NetworkFactsStore, 'saveNetworkFacts'>;
  clock: Clock;
  logger?: Logger;
  /** Collections tried before keeping an inconsistent snapshot (default 3). */
  attempts?: number;
}

export interface CollectedNetworkFacts {
  facts: NetworkFacts;
  saved: FactsSaveOutcome;
  /** Collections made (1 when the first one was consistent). */
  collections: number;
  /** References that still did not resolve in the kept snapshot (empty when consistent). */
  gaps: string[];
}

/** Collects, checks and stores the snapshot. Rejects with the source's error when a describe call fails for good. */
export async function collectNetworkFacts(deps: CollectNetworkFactsDeps, scope: Scope): Promise<CollectedNetworkFacts> {
  const attempts = Math.max(1, deps.attempts ?? 3);
  const logger = deps.logger ?? silentLogger;
  for (let collection = 1; ; collection++) {
    const capturedAt = deps.clock.now().toISOString();
    const body = await deps.source.describeNetwork(scope);
    const snapshot = { account: scope.account, region: scope.region, capturedAt, ...body };
    const gaps = consistencyGaps(snapshot);
    if (gaps.length === 0 || collection >= attempts) {
      if (gaps.length > 0) logger.warn('network facts kept with unresolved references', { ...scope, gaps });
      const facts = networkFactsOf(gaps.length > 0 ? { ...snapshot, gaps } : snapshot);
      const saved = await deps.store.saveNetworkFacts(scope, facts);
      return { facts, saved, collections: collection, gaps };
    }
    logger.info('network facts changed while collecting; collecting again', { ...scope, gaps });
  }
}
