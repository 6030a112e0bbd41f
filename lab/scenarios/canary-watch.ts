/**
 * Follows the canary function while a scenario plays: after every canary tick (and every re-probe the
 * table stream triggers) it reads the new runs and the canary findings from the table (as the report
 * would) and hands them to the reporter in order.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCanaryStore } from '../../shared/aws/canary-store.js';
import type { CanaryFinding, CanaryRun } from '../../shared/domain/canary.js';
import type { Lab } from '../lab.js';

export interface CanaryWatchReporter {
  canaryRun?(at: Date, run: CanaryRun, previous: CanaryRun | undefined): void;
  canaryFinding?(at: Date, change: 'opened' | 'resolved' | 'reopened', finding: CanaryFinding): void;
}

export interface CanaryWatch {
  runs: CanaryRun[];
  findings(): CanaryFinding[];
  /** Reads what the last tick wrote (also called once at the end). */
  poll(at: Date): Promise<void>;
}

export function watchCanaries(
  lab: Lab,
  client: DynamoDBClient,
  tableName: string,
  /** Every account/region whose canary findings to follow (the lab's worlds). */
  scopes: readonly { account: string; region: string }[],
  reporter: CanaryWatchReporter,
): CanaryWatch {
  const store = new DynamoDbCanaryStore(client, tableName);
  const runs: CanaryRun[] = [];
  const lastRun = new Map<string, CanaryRun>();
  const connectorIds = new Set<string>();
  let known = new Map<string, CanaryFinding>();
  const poll = async (at: Date) => {
    for (const state of await store.listStates()) connectorIds.add(state.connectorId);
    const fresh: CanaryRun[] = [];
    for (const id of connectorIds) {
      const since = lastRun.get(id)?.startedAt;
      const listed = await store.listRuns(id, since ?? '');
      fresh.push(...listed.filter((r) => since === undefined || r.startedAt > since));
    }
    fresh.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (const run of fresh) {
      reporter.canaryRun?.(at, run, lastRun.get(run.connectorId));
      lastRun.set(run.connectorId, run);
      runs.push(run);
    }
    const findings = (await Promise.all(scopes.map((scope) => store.listFindings(scope)))).flat();
    for (const f of findings) {
      connectorIds.add(f.connectorId);
      const before = known.get(f.fingerprint);
      if (before?.status === f.status) continue;
      const change =
        before === undefined
          ? f.status === 'open'
            ? 'opened'
            : 'resolved'
          : f.status === 'open'
            ? 'reopened'
            : 'resolved';
      reporter.canaryFinding?.(at, change, f);
    }
    known = new Map(findings.map((f) => [f.fingerprint, f]));
  };
  lab.afterScheduled(async (functionName, at) => {
    if (functionName === 'canary') await poll(at);
  });
  // Targeted re-probes run from the table stream (a network path changed: docs/canaries.md#path-changes).
  lab.afterStreamBatch(async (functionName, at) => {
    if (functionName === 'canary') await poll(at);
  });
  return { runs, findings: () => [...known.values()], poll };
}
