import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: the article scenario tells Slack and SNS once per incident transition', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await playScenarioForTest('article');
  }, 120_000);

  it('debug', () => {
    console.log(
      JSON.stringify(
        result.lab.slack.received.map((r) => [r.method, r.channel, r.ts, r.payload.text]),
        null,
        1,
      ),
    );
    console.log(
      JSON.stringify(
        result.lab.sns.published.map((p) => [p.subject, p.messageAttributes]),
        null,
        1,
      ),
    );
    console.log(result.lab.errors(), result.lab.slack.attempts.length);
    console.log(result.findings.map((f) => [f.rule, f.status, f.connectorId]));
    expect(result.lab.slack.received.length).toBeGreaterThan(0);
  });
});
