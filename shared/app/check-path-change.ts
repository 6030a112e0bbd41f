/**
 * A `network-path-changed` finding opened or changed (docs/canaries.md#path-changes): evaluate the affected
 * connector's declared expectations against the network as it is now (after the change) with the static
 * path analyzer, re-probe exactly the affected connectors at once (runCanaries with a connector filter,
 * under the same MicroVMs API pacing), and attach the check — which expectations flip, with the analyzer's
 * blockers, and the re-probe it triggered — to the finding. Runs in the canary function, from the table
 * stream; the projection that raises the finding stays pure and order-insensitive.
 */
import type { PathChangeStore, PathChangeTrigger, PathExplainer } from '../canary-ports.js';
import { type ConnectorPlan, planConnectors } from '../domain/expectations.js';
import { destinationOfTarget, type ExpectationFlip, flipOf, type PathChangeCheck } from '../domain/path-change.js';
import { type CanaryTickResult, type RunCanariesDeps, runCanaries } from './run-canaries.js';

export interface CheckPathChangesDeps extends RunCanariesDeps {
  pathChanges: PathChangeStore;
}

export interface PathChangesOutcome {
  checks: PathChangeCheck[];
  /** The targeted re-probe (null when no affected connector is monitored). */
  reprobe: CanaryTickResult | null;
  /** Checks not attached because the finding changed meanwhile (its newer version is checked on its own). */
  superseded: number;
}

/**
 * Checks every trigger (one per finding; a finding seen twice in a batch is checked once, at its latest
 * version), re-probes the monitored connectors among them in one targeted run, and attaches the checks.
 * Does nothing when the expectations list no connector (canaries off).
 * @throws when the connector list or the finding store fails (the stream retries the batch).
 */
export async function checkPathChanges(
  deps: CheckPathChangesDeps,
  triggers: readonly PathChangeTrigger[],
): Promise<PathChangesOutcome> {
  const latest = new Map(triggers.map((t) => [t.fingerprint, t]));
  // No expectations: canaries are off, and so are path-change checks (nothing is written).
  if (latest.size === 0 || deps.expectations.connectors.length === 0)
    return { checks: [], reprobe: null, superseded: 0 };
  const withTags = deps.expectations.connectors.some((c) => c.select.tags !== undefined);
  const live = new Map((await deps.directory.listConnectors({ withTags })).map((c) => [c.id, c]));
  const checkedAt = deps.clock.now().toISOString();

  const pending: { trigger: PathChangeTrigger; check: PathChangeCheck }[] = [];
  const reasons: Record<string, string> = {};
  for (const trigger of latest.values()) {
    const connector = live.get(trigger.connectorId);
    const [plan] = connector?.state === 'ACTIVE' ? planConnectors(deps.expectations, [connector]) : [];
    const reason = `network-path-changed: ${trigger.summary}`.slice(0, 500);
    const skipped = !connector
      ? 'connector no longer exists (ListNetworkConnectors)'
      : connector.state !== 'ACTIVE'
        ? `connector is ${connector.state}`
        : !plan
          ? 'connector not selected by the expectations'
          : undefined;
    const evaluation = plan ? await evaluate(deps.explainer, trigger, plan) : { flips: [], undecided: [], asOf: null };
    if (plan) reasons[plan.connector.id] ??= reason;
    pending.push({
      trigger,
      check: {
        checkedAt,
        asOf: evaluation.asOf,
        connectorId: trigger.connectorId,
        evaluated: plan?.expectations.length ?? 0,
        flips: evaluation.flips,
        undecided: evaluation.undecided,
        ...(skipped ? { skipped } : {}),
        reprobe: { connectorIds: plan ? [plan.connector.id] : [], reason },
      },
    });
  }

  const connectorIds = Object.keys(reasons).sort();
  const reprobe =
    connectorIds.length > 0
      ? await runCanaries({
          ...deps,
          only: { connectorIds, reason: reasons[connectorIds[0] as string] as string, reasons },
        })
      : null;
  // A connector the re-probe could not probe now says why on the check (e.g. probed seconds ago).
  const skippedNow = new Map((reprobe?.skipped ?? []).map((s) => [s.connectorId, s.reason]));
  let superseded = 0;
  const checks: PathChangeCheck[] = [];
  for (const { trigger, check } of pending) {
    const notNow = skippedNow.get(trigger.connectorId);
    const final: PathChangeCheck = notNow
      ? { ...check, reprobe: { ...check.reprobe, connectorIds: [], skipped: notNow } }
      : check;
    if (await deps.pathChanges.attachCheck(trigger, final)) checks.push(final);
    else superseded++;
  }
  return { checks, reprobe, superseded };
}

async function evaluate(
  explainer: PathExplainer | undefined,
  trigger: PathChangeTrigger,
  plan: ConnectorPlan,
): Promise<{ flips: ExpectationFlip[]; undecided: string[]; asOf: string | null }> {
  const flips: ExpectationFlip[] = [];
  const undecided: string[] = [];
  let asOf: string | null = null;
  for (const expectation of plan.expectations) {
    const { host, port } = destinationOfTarget(expectation.kind, expectation.target);
    const prediction = explainer
      ? await explainer
          .explain({
            account: trigger.account,
            region: trigger.region,
            connectorId: plan.connector.id,
            destination: host,
            port,
          })
          .catch(() => null)
      : null;
    if (!prediction || prediction.verdict === 'unknown') {
      undecided.push(expectation.targetId);
      continue;
    }
    asOf ??= prediction.asOf ?? null;
    const flip = flipOf(plan.connector, expectation, prediction);
    if (flip) flips.push(flip);
  }
  return { flips, undecided, asOf };
}
