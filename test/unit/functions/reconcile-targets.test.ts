import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/reconcile.js';
import type { ReconcileDeps } from '../../../shared/app/reconcile.js';
import type { NormalizedEvent } from '../../../shared/domain/model.js';
import { parseTargets } from '../../../shared/domain/targets.js';

describe('functions/reconcile over targets (docs/organizations.md#targets)', () => {
  it('refuses an entry without a role for another account: it is reported unreachable, never read as this one', async () => {
    const appended: NormalizedEvent[] = [];
    const asked: string[] = [];
    const handler = makeHandler({
      reconcileFor: (t) => {
        asked.push(`${t.account}/${t.region}`);
        // The own target fails too (no AWS here): only the refusal of the other one matters.
        return { deps: {} as ReconcileDeps, release: () => undefined };
      },
      unreachable: {
        log: {
          loadEvents: async (scope: { account: string; region: string }) =>
            appended.filter((e) => e.account === scope.account && e.region === scope.region),
          appendEvent: async (e: NormalizedEvent) => {
            appended.push(e);
            return 'stored' as const;
          },
        } as unknown as ReconcileDeps['log'],
        clock: { now: () => new Date('2026-08-03T09:10:00Z') },
      },
      targets: parseTargets({
        targets: [
          { account: '111122223333', regions: ['ap-northeast-1'] },
          { account: '777788889999', regions: ['ap-northeast-1'] },
        ],
      }),
      region: 'ap-northeast-1',
    });
    await expect(handler({ account: '111122223333', region: 'ap-northeast-1' }, {} as never)).rejects.toThrow(
      /failed for every target/,
    );
    expect(asked).toEqual(['111122223333/ap-northeast-1']);
    const blind = appended.find((e) => e.account === '777788889999') as unknown as { summary: string };
    expect(blind.summary).toContain("no roleArn: account 777788889999 is not this function's account 111122223333");
  });
});
