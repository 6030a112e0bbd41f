import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import type { Incident } from '../../shared/domain/incidents.js';
import { ARTICLE_DELETION_FACTS, slackBlocksOf, slackCalls, snsMessages, storedIncidents } from '../support/alerts.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: the article scenario tells Slack and SNS exactly once per incident transition', () => {
  let result: ScenarioResult;
  let incidents: Incident[];
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      beforeClose: async (lab) => {
        incidents = await storedIncidents(lab);
      },
    });
  }, 180_000);

  it('runs the notify handler from the real stream without errors', () => {
    expect(result.lab.errors()).toEqual([]);
    expect(result.lab.sqs.queues.get(result.lab.alerting.deadLetterQueueUrl)).toEqual([]);
  });

  // The projection's incidents of the article (reconcile and the canary add their own on the lab).
  const ARTICLE_TITLES = [
    "A change touched a connector's security groups, subnets or routes",
    'MicroVM run names more than one VPC egress connector',
    'Connector deleted while MicroVMs still use it',
  ];
  const ARTICLE_RULES = [
    'network-path-changed',
    'microvm-multiple-egress-connectors',
    'connector-deleted-while-in-use',
  ];

  it('posts one Slack message per incident opening and updates that message when it resolves', () => {
    const calls = slackCalls(result.lab).filter((c) => ARTICLE_TITLES.includes(c.text.split(' · ')[1] ?? ''));
    const posts = calls.filter((c) => c.method === 'chat.postMessage');
    const updates = calls.filter((c) => c.method === 'chat.update');
    // SG rule removed (resolved when restored), the run naming both connectors (one incident), the deletion.
    expect(posts.map((p) => p.text.split(' · ')[1])).toEqual(ARTICLE_TITLES);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.text).toMatch(/^RESOLVED /);
    expect(updates[0]?.ts).toBe(posts[0]?.ts);
    const article = incidents.filter((i) => ARTICLE_RULES.includes(i.rule));
    expect(article.filter((i) => i.status === 'open')).toHaveLength(2);
    expect(article.filter((i) => i.status === 'resolved').map((i) => i.rule)).toEqual(['network-path-changed']);
  });

  it('names the connectors, the account/region, who made the change and the runbook', () => {
    const blocks = slackBlocksOf(result.lab, 'Connector deleted');
    for (const fact of ARTICLE_DELETION_FACTS) expect(blocks).toContain(fact);
    const group = result.lab.slack.received.find((r) => String(r.payload.text).includes('more than one'));
    expect(String(group?.payload.text)).toContain('2 connectors: ');
  });

  it('publishes one SNS message per transition, versioned, with filterable attributes and a short subject', () => {
    const sns = snsMessages(result.lab).filter((m) => ARTICLE_RULES.includes(m.attributes.rule ?? ''));
    expect(sns.map((m) => `${m.attributes.status} ${m.attributes.rule}`)).toEqual([
      'opened network-path-changed',
      'resolved network-path-changed',
      'opened microvm-multiple-egress-connectors',
      'opened connector-deleted-while-in-use',
    ]);
    for (const m of sns) {
      expect(m.message).toMatchObject({ schema: 'egress-watch.incident-notification', version: 1 });
      expect(m.subject?.length).toBeLessThan(100);
      expect(Object.keys(m.attributes).sort()).toEqual(
        ['account', 'connectorId', 'connectorName', 'incidentId', 'region', 'rule', 'severity', 'status'].sort(),
      );
    }
    expect(sns[0]?.message.incident.actors).toEqual(['role/NetworkTeam/bob']);
  });

  it('says the same thing on Slack and SNS, with no duplicate anywhere', () => {
    const slackTexts = slackCalls(result.lab).map((c) => c.text);
    expect(slackTexts).toEqual(snsMessages(result.lab).map((m) => m.message.headline));
    const keys = snsMessages(result.lab).map((m) => `${m.message.incident.id}/${m.message.transition.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
