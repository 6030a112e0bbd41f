import { describe, expect, it } from 'vitest';
import { forEachTarget } from '../../../shared/app/for-each-target.js';
import { deriveLifecycle } from '../../../shared/domain/connector-lifecycle.js';
import { InputError } from '../../../shared/domain/errors.js';
import {
  DEFAULT_RECONCILE_SETTINGS,
  judgeReconcile,
  judgeUnreachable,
  UNREACHABLE_SUBJECT,
} from '../../../shared/domain/reconcile-judge.js';
import {
  arnInTarget,
  canaryTargets,
  DEFAULT_TARGET_CONCURRENCY,
  parseTargets,
  parseTargetsText,
} from '../../../shared/domain/targets.js';

const ROLE = 'arn:aws:iam::444455556666:role/egress-watch-read-only';

describe('monitoring targets (EGRESS_WATCH_TARGETS)', () => {
  it('expands accounts × regions, keeps role and external id, defaults the concurrency', () => {
    const parsed = parseTargets({
      targets: [
        { account: '111122223333', regions: ['ap-northeast-1', 'us-east-1'] },
        { account: '444455556666', regions: ['eu-west-1'], roleArn: ROLE, externalId: 'ext-1234' },
      ],
    });
    expect(parsed.concurrency).toBe(DEFAULT_TARGET_CONCURRENCY);
    expect(parsed.targets).toEqual([
      { account: '111122223333', region: 'ap-northeast-1', roleArn: null, externalId: null, canaryRoleArn: null },
      { account: '111122223333', region: 'us-east-1', roleArn: null, externalId: null, canaryRoleArn: null },
      { account: '444455556666', region: 'eu-west-1', roleArn: ROLE, externalId: 'ext-1234', canaryRoleArn: null },
    ]);
  });

  it('names every problem with its path', () => {
    const problems = () =>
      parseTargets({ targets: [{ account: '123', regions: ['Tokyo'], roleArn: 'role/x' }], concurrency: 0 });
    expect(problems).toThrow(InputError);
    expect(problems).toThrow(/targets\.0\.account must be a 12-digit AWS account id/);
    expect(problems).toThrow(/targets\.0\.regions\.0 must be AWS region codes/);
    expect(problems).toThrow(/targets\.0\.roleArn must be an IAM role ARN/);
    expect(problems).toThrow(/concurrency/);
    expect(() => parseTargets({ targets: [{ account: '111122223333', regions: ['us-east-1'], region: 'x' }] })).toThrow(
      /targets\.0 must be an object with only account, regions, roleArn, externalId and canaryRoleArn/,
    );
  });

  it('refuses a role of another account, and an account/region listed twice', () => {
    expect(() =>
      parseTargets({ targets: [{ account: '111122223333', regions: ['us-east-1'], roleArn: ROLE }] }),
    ).toThrow(/role of account 444455556666, not of 111122223333/);
    expect(() =>
      parseTargets({
        targets: [
          { account: '111122223333', regions: ['us-east-1'] },
          { account: '111122223333', regions: ['us-east-1'] },
        ],
      }),
    ).toThrow(/lists 111122223333\/us-east-1 twice/);
  });

  it('canaries run in own-account targets and in members with a canary role; images move with the target', () => {
    const { targets } = parseTargets({
      targets: [
        { account: '111122223333', regions: ['ap-northeast-1', 'us-east-1'] },
        { account: '444455556666', regions: ['us-east-1'], roleArn: ROLE },
        {
          account: '555566667777',
          regions: ['us-east-1'],
          roleArn: ROLE.replace('444455556666', '555566667777'),
          canaryRoleArn: 'arn:aws:iam::555566667777:role/egress-watch-canary',
        },
      ],
    });
    expect(canaryTargets(targets, 'ap-northeast-1').map((t) => `${t.account}/${t.region}`)).toEqual([
      '111122223333/ap-northeast-1',
      '555566667777/us-east-1',
    ]);
    expect(
      arnInTarget('arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-watch-canary', targets[3] as never),
    ).toBe('arn:aws:lambda:us-east-1:555566667777:microvm-image:egress-watch-canary');
    expect(() => arnInTarget('egress-watch-canary', targets[0] as never)).toThrow(InputError);
    expect(() =>
      parseTargets({ targets: [{ account: '111122223333', regions: ['us-east-1'], canaryRoleArn: ROLE }] }),
    ).toThrow(/canaryRoleArn is a role of account 444455556666/);
  });

  it('reads JSON text; empty or absent means "own account and region only"', () => {
    expect(parseTargetsText(undefined)).toBeNull();
    expect(parseTargetsText('  ')).toBeNull();
    expect(parseTargetsText('{"targets":[{"account":"111122223333","regions":["us-east-1"]}]}')?.targets).toHaveLength(
      1,
    );
    expect(() => parseTargetsText('{targets')).toThrow(/EGRESS_WATCH_TARGETS is not JSON/);
  });
});

describe('forEachTarget', () => {
  const targets = parseTargets({
    targets: [{ account: '111122223333', regions: ['ap-northeast-1', 'us-east-1', 'eu-west-1', 'us-west-2'] }],
  }).targets;

  it('one failing target does not stop the others; results keep the configuration order', async () => {
    const outcomes = await forEachTarget(targets, 2, async (t) => {
      if (t.region === 'us-east-1') throw new Error('AccessDenied');
      return t.region;
    });
    expect(outcomes.map((o) => (o.ok ? o.value : `failed: ${(o.error as Error).message}`))).toEqual([
      'ap-northeast-1',
      'failed: AccessDenied',
      'eu-west-1',
      'us-west-2',
    ]);
  });

  it('never runs more than `concurrency` targets at once', async () => {
    let running = 0;
    let most = 0;
    await forEachTarget(targets, 2, async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    expect(most).toBe(2);
  });
});

describe('an unreachable account/region', () => {
  const scope = { account: '777788889999', region: 'ap-northeast-1' };

  it('opens monitoring-blind (subject unreachable) once, with the reason', () => {
    const first = judgeUnreachable({
      ...scope,
      now: '2026-08-03T09:10:00.000Z',
      belief: deriveLifecycle([]),
      reason: 'AccessDenied: no role',
    });
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'observed.condition',
      rule: 'monitoring-blind',
      subject: UNREACHABLE_SUBJECT,
      active: true,
    });
    expect(first[0]?.summary).toContain('AccessDenied: no role');
    const belief = deriveLifecycle(first);
    expect(belief.findings.filter((f) => f.status === 'open').map((f) => f.rule)).toEqual(['monitoring-blind']);
    // Already open: nothing new to write on the next failing run.
    expect(
      judgeUnreachable({ ...scope, now: '2026-08-03T09:20:00.000Z', belief, reason: 'AccessDenied: no role' }),
    ).toEqual([]);
  });

  it('is cleared by the next reconcile that can read the account/region', () => {
    const opened = judgeUnreachable({
      ...scope,
      now: '2026-08-03T09:10:00.000Z',
      belief: deriveLifecycle([]),
      reason: 'x',
    });
    const belief = deriveLifecycle(opened);
    const { observations } = judgeReconcile({
      ...scope,
      now: '2026-08-03T09:20:00.000Z',
      belief,
      connectors: [],
      microvms: [],
      network: null,
      repaired: [],
      deliveredInWindow: 0,
      blindness: {},
      settings: DEFAULT_RECONCILE_SETTINGS,
    });
    expect(observations).toEqual([
      expect.objectContaining({
        kind: 'observed.condition',
        rule: 'monitoring-blind',
        subject: 'unreachable',
        active: false,
      }),
    ]);
  });
});

describe('targets without a role', () => {
  it('an external id needs a role to assume', () => {
    expect(() =>
      parseTargets({ targets: [{ account: '111122223333', regions: ['us-east-1'], externalId: 'ext-1234' }] }),
    ).toThrow(/externalId is set but the entry has no roleArn or canaryRoleArn/);
  });
});
