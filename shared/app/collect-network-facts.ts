/**
 * Use case: collect one consistent network-facts snapshot for an account/region and store it
 * (docs/network-facts.md). Describe calls are not atomic, so a snapshot whose references do not resolve
 * (an ENI in a subnet that was not listed, a route to a NAT gateway created between two calls) is collected
 * again, up to `attempts` times; the last one is kept with its remaining gaps listed.
 */
import { relevantLambdaFunctions } from '../domain/hyperplane-enis.js';
import {
  consistencyGaps,
  type LambdaFunctionVpcFact,
  type NetworkFacts,
  type NetworkSnapshot,
  networkFactsOf,
} from '../domain/network-facts.js';
import type {
  FactsSaveOutcome,
  LambdaFunctionSource,
  NetworkFactsSource,
  NetworkFactsStore,
} from '../network-ports.js';
import type { Clock, Logger, Scope } from '../ports.js';
import { silentLogger } from '../ports.js';

export interface CollectNetworkFactsDeps {
  source: NetworkFactsSource;
  /**
   * Lambda functions' VPC configurations, kept in the snapshot (`lambdaFunctions`) for Hyperplane ENI
   * attribution (docs/hyperplane-enis.md). Optional; when it fails the snapshot is kept without them and a
   * warning is logged (attribution then falls back to ENI descriptions).
   */
  functions?: LambdaFunctionSource;
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
    const snapshot = await describeSnapshot(deps, scope, deps.clock.now());
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

/**
 * One snapshot at `capturedAt`: the network from `source` and, when `functions` is given, the Lambda
 * functions that matter for Hyperplane ENIs (`relevantLambdaFunctions`). Rejects when a describe call fails.
 */
export async function describeSnapshot(
  deps: Pick<CollectNetworkFactsDeps, 'source' | 'functions' | 'logger'>,
  scope: Scope,
  capturedAt: Date,
): Promise<NetworkSnapshot> {
  const [body, functions] = await Promise.all([deps.source.describeNetwork(scope), readFunctions(deps, scope)]);
  return {
    account: scope.account,
    region: scope.region,
    capturedAt: capturedAt.toISOString(),
    ...body,
    ...(functions ? { lambdaFunctions: relevantLambdaFunctions(functions, body.networkInterfaces) } : {}),
  };
}

async function readFunctions(
  deps: Pick<CollectNetworkFactsDeps, 'functions' | 'logger'>,
  scope: Scope,
): Promise<LambdaFunctionVpcFact[] | null> {
  if (!deps.functions) return null;
  try {
    return await deps.functions.listFunctionVpcConfigs(scope);
  } catch (error) {
    (deps.logger ?? silentLogger).warn('Lambda functions not read; Hyperplane ENIs attributed by description only', {
      ...scope,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}
