import { beforeAll, describe, expect, it } from 'vitest';
import { LAB_SLACK_WEBHOOK_SECRET_NAME } from '../../lab/lab.js';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { ARTICLE_DELETION_FACTS, slackBlocksOf, slackCalls, snsMessages } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: the article scenario in webhook mode tells Slack the same, one message per transition', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      // Incoming webhook (official @slack/webhook); its URL is read from the lab's SSM by name.
      environment: {
        EGRESS_WATCH_SLACK_MODE: 'webhook',
        EGRESS_WATCH_SLACK_SECRET_NAME: LAB_SLACK_WEBHOOK_SECRET_NAME,
      },
      // A quarter of the webhook calls answered 429 (Retry-After 0) or 503: retried, never lost or doubled.
      prepare: (lab) => lab.slack.failEvery(4, [{ status: 429, retryAfterSeconds: 0 }, { status: 503 }]),
    });
  }, 180_000);

  const ARTICLE = [
    "OPENED · A change touched a connector's security groups, subnets or routes",
    "RESOLVED · A change touched a connector's security groups, subnets or routes",
    'OPENED · MicroVM run names more than one VPC egress connector',
    'OPENED · Connector deleted while MicroVMs still use it',
  ];

  it('runs without errors or dead letters, through the webhook only (no Web API call)', () => {
    expect(result.lab.errors()).toEqual([]);
    expect(result.lab.sqs.queues.get(result.lab.alerting.deadLetterQueueUrl)).toEqual([]);
    expect(result.lab.slack.attempts.every((a) => a.path.startsWith('/services/'))).toBe(true);
    expect(result.lab.slack.attempts.some((a) => a.status === 429)).toBe(true);
    expect(result.lab.slack.attempts.some((a) => a.status === 503)).toBe(true);
    expect(result.lab.ssm.reads).toContain(LAB_SLACK_WEBHOOK_SECRET_NAME);
  });

  it('posts a new message per transition (a resolve is its own message), as the bot would announce them', () => {
    const calls = slackCalls(result.lab);
    expect(calls.every((c) => c.method === 'webhook')).toBe(true);
    const article = calls
      .map((c) => {
        const [verbAndSeverity = '', title = ''] = c.text.split(' · ');
        return `${verbAndSeverity.split(' ')[0]} · ${title}`;
      })
      .filter((title) => ARTICLE.includes(title));
    expect(article).toEqual(ARTICLE);
  });

  it('says exactly what SNS says, with no duplicate', () => {
    expect(slackCalls(result.lab).map((c) => c.text)).toEqual(snsMessages(result.lab).map((m) => m.message.headline));
    const keys = snsMessages(result.lab).map((m) => `${m.message.incident.id}/${m.message.transition.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(result.lab.slack.messages).toHaveLength(keys.length);
  });

  it('carries the same Block Kit facts: connector, account/region, actor and runbook', () => {
    const blocks = slackBlocksOf(result.lab, 'Connector deleted');
    for (const fact of ARTICLE_DELETION_FACTS) expect(blocks).toContain(fact);
  });
});
