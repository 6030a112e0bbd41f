import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import type { ReconcileCursor } from '../../shared/app/reconcile-ports.js';
import { DynamoDbReconcileCursorStore } from '../../shared/aws/reconcile-cursor-store.js';
import { playScenarioForTest, withLabTable } from '../support/play-scenario.js';

const CENTRAL = '111122223333';
const MEMBER = '444455556666';
const ROLELESS = '777788889999';

describe('e2e: an organization — two accounts × two regions from one central account, one member unreadable', () => {
  let result: ScenarioResult;
  const cursors: Record<string, ReconcileCursor | null> = {};
  beforeAll(async () => {
    result = await playScenarioForTest('org', undefined, {
      beforeClose: (lab) =>
        withLabTable(lab, async (client, tableName) => {
          const store = new DynamoDbReconcileCursorStore(client, tableName);
          for (const [account, region] of [
            [CENTRAL, 'ap-northeast-1'],
            [CENTRAL, 'us-east-1'],
            [MEMBER, 'ap-northeast-1'],
            [MEMBER, 'us-east-1'],
            [ROLELESS, 'ap-northeast-1'],
          ] as const) {
            cursors[`${account}/${region}`] = await store.loadCursor({ account, region });
          }
        }),
    });
  }, 300_000);

  it('plays every step in its own account and region, without handler errors', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
    expect(result.lab.cells.map((c) => `${c.account}/${c.region}`)).toEqual([
      `${CENTRAL}/ap-northeast-1`,
      `${CENTRAL}/us-east-1`,
      `${MEMBER}/ap-northeast-1`,
      `${MEMBER}/us-east-1`,
    ]);
  });

  it('tracks every connector in the account/region it lives in, from events forwarded to the central bus', () => {
    const where = Object.fromEntries(result.connectors.map((c) => [c.name, `${c.account}/${c.region} ${c.state}`]));
    expect(where).toEqual({
      'central-egress': `${CENTRAL}/ap-northeast-1 ACTIVE`,
      'edge-egress': `${CENTRAL}/us-east-1 ACTIVE`,
      'payments-egress': `${MEMBER}/ap-northeast-1 ACTIVE`,
      'analytics-egress': `${MEMBER}/us-east-1 FAILED`,
    });
  });

  it('raises each finding in the member account and region where it happened', () => {
    const open = result.findings.filter((f) => f.status === 'open').map((f) => `${f.rule} ${f.account}/${f.region}`);
    expect(open).toEqual(
      expect.arrayContaining([
        `network-path-changed ${MEMBER}/ap-northeast-1`,
        `connector-failed ${MEMBER}/us-east-1`,
        // Reconcile-only: proves the member was read through its role.
        `single-az-connector ${MEMBER}/ap-northeast-1`,
      ]),
    );
    expect(result.expectations.filter((e) => !e.met)).toEqual([]);
  });

  it('assumes the member role with its external id, and is refused where no role exists', () => {
    const calls = result.lab.sts.calls;
    const granted = calls.filter((c) => c.granted).map((c) => c.roleArn);
    const refused = calls.filter((c) => !c.granted).map((c) => `${c.roleArn} (${c.reason})`);
    expect(new Set(granted)).toEqual(new Set([`arn:aws:iam::${MEMBER}:role/egress-watch-read-only`]));
    expect(new Set(refused)).toEqual(new Set([`arn:aws:iam::${ROLELESS}:role/egress-watch-read-only (no such role)`]));
    expect(calls.every((c) => c.callerAccount === CENTRAL)).toBe(true);
  });

  it('raises monitoring-blind for the unreadable account only, and still reconciles every other account/region', () => {
    const blind = result.findings.filter((f) => f.rule === 'monitoring-blind' && f.status === 'open');
    expect(blind.map((f) => `${f.account}/${f.region} ${f.subject}`)).toEqual([
      `${ROLELESS}/ap-northeast-1 unreachable`,
    ]);
    expect(blind[0]?.summary).toContain('AccessDenied');
    for (const scope of [
      `${CENTRAL}/ap-northeast-1`,
      `${CENTRAL}/us-east-1`,
      `${MEMBER}/ap-northeast-1`,
      `${MEMBER}/us-east-1`,
    ]) {
      expect(cursors[scope]?.watermark, scope).toMatch(/^2026-08-03T/);
    }
    expect(cursors[`${ROLELESS}/ap-northeast-1`]).toBeNull();
  });
});
