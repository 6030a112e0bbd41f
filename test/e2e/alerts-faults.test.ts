import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { slackCalls, snsMessages } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: a third of the Slack calls answered 429 (Retry-After) or 503', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      // One request in three fails (the 1st, 4th, 7th…), alternately 429 with Retry-After: 1 and 503.
      prepare: (lab) => lab.slack.failEvery(3, [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }]),
    });
  }, 180_000);

  it('really answered a third of the calls with 429 and 503', () => {
    const statuses = result.lab.slack.attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200).length).toBe(Math.ceil(statuses.length / 3));
  });

  it('ends with the same messages as a clean run: one post per opening, one update per resolve, no duplicate', () => {
    const calls = slackCalls(result.lab);
    const article = calls.filter((c) => !/Reachability|one AZ|ENI deleted/.test(c.text));
    expect(article.map((c) => `${c.method} ${c.text.split(' · ').slice(0, 2).join(' · ')}`)).toEqual([
      "chat.postMessage OPENED high · A change touched a connector's security groups, subnets or routes",
      "chat.update RESOLVED high · A change touched a connector's security groups, subnets or routes",
      'chat.postMessage OPENED warning · MicroVM run names more than one VPC egress connector',
      'chat.postMessage OPENED critical · Connector deleted while MicroVMs still use it',
    ]);
    expect(calls.map((c) => c.text)).toEqual(snsMessages(result.lab).map((m) => m.message.headline));
    const keys = calls.map((c) => `${c.method} ${c.ts} ${c.text}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(result.lab.sqs.queues.get(result.lab.alerting.deadLetterQueueUrl)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });
});
