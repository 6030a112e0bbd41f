/**
 * Use case: the Hyperplane ENI view of one account/region (docs/hyperplane-enis.md) — read the network
 * facts and the Lambda functions' VPC configurations (read-only), attribute every Hyperplane ENI, and, for
 * one function, what deleting or detaching it leaves behind. The snapshot read is the one reconcile stores
 * (`NetworkSnapshot` with `lambdaFunctions`), so the same view can be derived from the stored facts.
 */
import {
  type FunctionTeardown,
  functionTeardown,
  type HyperplaneOptions,
  type HyperplaneReport,
  hyperplaneEniReport,
  type TeardownAction,
} from '../domain/hyperplane-enis.js';
import type { NetworkSnapshot } from '../domain/network-facts.js';
import type { LambdaFunctionSource, NetworkFactsSource } from '../network-ports.js';
import type { Clock, Logger, Scope } from '../ports.js';
import { describeSnapshot } from './collect-network-facts.js';

export interface InspectHyperplaneDeps {
  source: NetworkFactsSource;
  /**
   * Without it, or when it fails (logged as a warning), attribution falls back to ENI descriptions and the
   * report says so (`functionsRead: false`).
   */
  functions?: LambdaFunctionSource;
  clock: Clock;
  logger?: Logger;
}

export interface InspectHyperplaneRequest {
  /** A function whose teardown to show (planned when it is still attached). */
  functionName?: string;
  action?: TeardownAction;
  options?: HyperplaneOptions;
}

export interface HyperplaneInspection {
  report: HyperplaneReport;
  teardown: FunctionTeardown | null;
  /** The snapshot the view was derived from (ISO-8601 `capturedAt`). */
  snapshot: NetworkSnapshot;
}

/** Reads, then derives. Rejects with the source's error when an EC2 describe call fails for good. */
export async function inspectHyperplaneEnis(
  deps: InspectHyperplaneDeps,
  scope: Scope,
  request: InspectHyperplaneRequest = {},
): Promise<HyperplaneInspection> {
  const now = deps.clock.now();
  return hyperplaneView(await describeSnapshot(deps, scope, now), now, request);
}

/** The view of an already collected snapshot (e.g. the facts reconcile stored) at `now`. */
export function hyperplaneView(
  snapshot: NetworkSnapshot,
  now: Date,
  request: InspectHyperplaneRequest = {},
): HyperplaneInspection {
  return {
    report: hyperplaneEniReport(snapshot, now, request.options),
    teardown: request.functionName
      ? functionTeardown(snapshot, request.functionName, now, request.action ?? 'delete')
      : null,
    snapshot,
  };
}
