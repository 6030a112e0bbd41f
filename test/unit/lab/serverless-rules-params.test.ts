import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  namedRulesFromServerlessConfig,
  parseServerlessYaml,
  rulesFromServerlessConfig,
} from '../../../lab/eventbridge/serverless-rules.js';

describe('schedule expressions from serverless params', () => {
  it('resolves params.default, then the inline fallback, and leaves unknown params as written', () => {
    const rules = rulesFromServerlessConfig({
      params: { default: { every: 'rate(1 day)' } },
      functions: {
        report: {
          handler: 'functions/report.handler',
          events: [
            { schedule: { rate: '\u0024{param:every}', input: { period: 'daily' } } },
            { schedule: "\u0024{param:missing, 'rate(7 days)'}" },
            { schedule: '\u0024{param:unknown}' },
          ],
        },
      },
    });
    expect(rules[0]?.schedules).toEqual([
      { rate: 'rate(1 day)', input: { period: 'daily' } },
      { rate: 'rate(7 days)' },
      { rate: '\u0024{param:unknown}' },
    ]);
  });

  it('gives the deployed report schedules as rate() expressions the lab can play', () => {
    const config = parseServerlessYaml(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8'));
    const report = rulesFromServerlessConfig(config).find((f) => f.functionName === 'report');
    expect(report?.schedules).toEqual([
      { rate: 'rate(1 day)', input: { period: 'daily' } },
      { rate: 'rate(7 days)', input: { period: 'weekly' } },
    ]);
  });
});

describe('named EventBridge rules', () => {
  it('resolves the deployed rule names of serverless.yml, in the order of the patterns', () => {
    const config = parseServerlessYaml(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8'));
    const named = namedRulesFromServerlessConfig(config, 'lab');
    expect(named.map((r) => [r.functionName, r.name])).toEqual([
      ['ingest', 'egress-watch-lab-ec2-network-changes'],
      ['ingest', 'egress-watch-lab-lambda-connector-changes'],
    ]);
    const ingest = rulesFromServerlessConfig(config).find((f) => f.functionName === 'ingest');
    expect(named.map((r) => r.pattern)).toEqual(ingest?.patterns);
  });

  it('names an unnamed rule after its service, stage and function', () => {
    const named = namedRulesFromServerlessConfig(
      { service: 'svc', functions: { f: { events: [{ eventBridge: { pattern: { source: ['aws.ec2'] } } }] } } },
      'dev',
    );
    expect(named.map((r) => r.name)).toEqual(['svc-dev-f-rule-1']);
  });
});
