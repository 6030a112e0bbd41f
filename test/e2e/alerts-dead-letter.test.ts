import { beforeAll, describe, expect, it } from 'vitest';
import { redriveNotifications } from '../../cli/alerts.js';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { slackCalls, snsMessages } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: a permanently failing Slack ends in the dead-letter queue; the redrive delivers once', () => {
  let result: ScenarioResult;
  let deadLetters: { reason: string; transitionId: string }[] = [];
  let firstRedrive: Awaited<ReturnType<typeof redriveNotifications>>;
  let secondRedrive: Awaited<ReturnType<typeof redriveNotifications>>;
  let slackBeforeRedrive = -1;
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      prepare: (lab) => lab.slack.failAlways({ status: 503 }),
      beforeClose: async (lab) => {
        const queue = lab.sqs.queues.get(lab.alerting.deadLetterQueueUrl) ?? [];
        deadLetters = queue.map((m) => {
          const letter = JSON.parse(m.body) as { reason: string; key: { transitionId: string } };
          return { reason: letter.reason, transitionId: letter.key.transitionId };
        });
        slackBeforeRedrive = lab.slack.received.length;
        lab.slack.healthy();
        // The CLI's redrive, with the environment the lab gave the notify function.
        firstRedrive = await redriveNotifications(lab.functionRuntime());
        secondRedrive = await redriveNotifications(lab.functionRuntime());
      },
    });
  }, 180_000);

  it('dead-letters every Slack transition with its reason, and SNS still delivers', () => {
    expect(slackBeforeRedrive).toBe(0);
    // One letter per Slack transition: as many as SNS (which stayed healthy) delivered.
    expect(deadLetters.length).toBe(snsMessages(result.lab).length);
    expect(deadLetters.length).toBeGreaterThanOrEqual(4);
    for (const d of deadLetters) expect(d.reason).toMatch(/^slack: chat\.(postMessage|update) failed: HTTP 503/);
  });

  it('the redrive sends each once (the resolve still updates its message), and a second redrive sends nothing', () => {
    expect(firstRedrive).toEqual({ redriven: deadLetters.length, alreadySent: 0, failed: 0, unknownChannel: 0 });
    expect(secondRedrive).toEqual({ redriven: 0, alreadySent: 0, failed: 0, unknownChannel: 0 });
    const calls = slackCalls(result.lab);
    expect(calls).toHaveLength(deadLetters.length);
    // Every resolve updated the message its opening posted (the redrive keeps the order of the letters).
    const posted = new Set(calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.ts));
    for (const update of calls.filter((c) => c.method === 'chat.update')) expect(posted.has(update.ts)).toBe(true);
    expect(result.lab.sqs.queues.get(result.lab.alerting.deadLetterQueueUrl)).toEqual([]);
  });
});
