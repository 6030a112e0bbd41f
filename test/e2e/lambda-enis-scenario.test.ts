/**
 * The lambda-enis scenario end to end: the lab's scheduled reconcile stores the network facts (Hyperplane
 * ENIs and the functions' VPC configurations, read through the official clients), and the Hyperplane view
 * derived from the STORED facts attributes them (docs/hyperplane-enis.md#in-the-state).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { type HyperplaneInspection, hyperplaneView } from '../../shared/app/inspect-hyperplane-enis.js';
import { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import { labTableClient, playScenarioForTest } from '../support/play-scenario.js';

describe('e2e: Hyperplane ENIs of VPC-attached Lambda functions (lambda-enis)', () => {
  let result: ScenarioResult;
  let stored: HyperplaneInspection | null = null;
  beforeAll(async () => {
    result = await playScenarioForTest('lambda-enis', undefined, {
      beforeClose: async (lab) => {
        const { client, tableName } = labTableClient(lab);
        const store = new DynamoDbStore({ client, tableName });
        const facts = await store.loadNetworkFacts({ account: lab.options.account, region: lab.options.region });
        if (facts.snapshot) {
          stored = hyperplaneView(facts.snapshot, new Date(facts.snapshot.capturedAt), {
            functionName: 'old-cron',
          });
        }
        client.destroy();
      },
    });
  }, 600_000);

  it('plays every step and raises nothing from events', () => {
    expect(result.steps.filter((s) => !s.outcome.ok)).toEqual([]);
    expect(result.expectations.every((e) => e.met)).toBe(true);
    expect(result.hyperplaneEnis.map((e) => e.functionName).sort()).toEqual([
      'image-resizer',
      'legacy-sync',
      'nightly-report',
      'old-cron',
      'orders-api',
    ]);
  });

  it('the stored facts attribute every Hyperplane ENI by subnet + security-group set', () => {
    expect(stored).not.toBeNull();
    const { report, teardown, snapshot } = stored as unknown as HyperplaneInspection;
    expect(report.functionsRead).toBe(true);
    const usage = Object.fromEntries(
      report.enis.map((e) => [e.createdFor, [e.usage, e.users.map((u) => u.functionName).join('+')]]),
    );
    // The last reconcile ran after the last step (image-resizer detached at 55 min), while the lab settled.
    expect(snapshot.capturedAt > '2026-07-02T08:55:00.000Z').toBe(true);
    expect(usage).toEqual({
      'orders-api': ['attached', 'billing-worker+orders-api'],
      'nightly-report': ['attached', 'nightly-report'],
      'legacy-sync': ['idle', 'legacy-sync'],
      'old-cron': ['unused', ''],
      'image-resizer': ['unused', ''],
    });
    // Detached: its teardown counts from the update that removed its VPC configuration.
    expect(report.enis.find((e) => e.createdFor === 'image-resizer')?.teardown).toMatchObject({
      since: '2026-07-02T08:55:00.000Z',
      expectedBy: '2026-07-02T09:15:00.000Z',
    });
    // A deleted function: its ENI is in teardown, start unknown; its subnet stays blocked by the others.
    expect(teardown).toMatchObject({ phase: 'in-progress', since: null, expectedBy: null });
    expect(teardown?.blockedSubnets[0]?.heldBy).toEqual(['legacy-sync', 'nightly-report']);
    expect(teardown?.blockedSubnets[0]?.networkInterfaceIds).toHaveLength(4);
  });
});
