import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  describePlan,
  ExpectationsError,
  parseExpectations,
  planConnectors,
} from '../../../shared/domain/expectations.js';

const nat = {
  id: 'nc-1',
  name: 'nat-egress-connector',
  arn: 'arn:aws:lambda:ap-northeast-1:111122223333:network-connector:nat-egress-connector',
  tags: { team: 'net' },
};
const iso = {
  id: 'nc-2',
  name: 'isolated-egress-connector',
  arn: 'arn:aws:lambda:ap-northeast-1:111122223333:network-connector:isolated-egress-connector',
  tags: {},
};

describe('expectations as code', () => {
  it('reads the article scenario monitor block and plans every verification per connector', () => {
    const scenario = parse(readFileSync(new URL('../../../events/scenarios/article.yaml', import.meta.url), 'utf8'));
    const doc = parseExpectations(scenario, 'article.yaml');
    const plans = planConnectors(doc, [nat, iso]);
    expect(plans.map((p) => p.connector.name)).toEqual(['nat-egress-connector', 'isolated-egress-connector']);
    const [natPlan, isoPlan] = plans;
    expect(natPlan?.expectations.map((e) => [e.kind, e.expect])).toEqual([
      ['http', 'reachable'],
      ['egress-ip', 'reachable'],
    ]);
    expect(natPlan?.expectations[1]?.egressIps).toEqual(['203.0.113.25']);
    expect(natPlan?.allowList).toEqual(['10.0.0.126:80', 'checkip.amazonaws.com:80']);
    expect(isoPlan?.isolated).toBe(true);
    expect(isoPlan?.expectations.find((e) => e.kind === 'egress-ip')?.expect).toBe('blocked');
    expect(isoPlan?.intervalMs).toBe(60_000);
    expect(describePlan(isoPlan!).join('\n')).toContain(
      'dns       ip-10-0-0-126.ap-northeast-1.compute.internal → 10.0.0.126',
    );
  });

  it('selects by name, name prefix and tags; the first matching entry wins', () => {
    const doc = parseExpectations({
      connectors: [
        { select: { tags: { team: 'net' } }, targets: [{ tcp: 'db.internal:5432', expect: 'reachable' }] },
        { select: { namePrefix: 'isolated-' }, isolated: true },
      ],
    });
    const plans = planConnectors(doc, [nat, iso, { ...iso, id: 'nc-3', name: 'other' }]);
    expect(plans.map((p) => [p.connector.id, p.probes.map((x) => x.kind)])).toEqual([
      ['nc-1', ['tcp']],
      ['nc-2', ['egress-ip']],
    ]);
  });

  it('reports every problem with its path', () => {
    let error: unknown;
    try {
      parseExpectations({
        defaults: { interval: 'soon' },
        connectors: [
          {
            select: {},
            targets: [
              { url: 'ftp://x', expect: 'reachable' },
              { tcp: 'db:99999', expect: 'maybe' },
            ],
          },
          { select: { name: 'x' }, egressIps: ['not-an-ip'] },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExpectationsError);
    const problems = (error as ExpectationsError).problems.join('\n');
    expect(problems).toContain('defaults.interval');
    expect(problems).toContain('connectors.0.select: select needs name, namePrefix or tags');
    expect(problems).toContain('connectors.0.targets.0');
    expect(problems).toContain('connectors.0.targets.1');
    expect(problems).toContain('connectors.1.egressIps.0');
  });

  it('accepts the bundled deployment document (canaries off by default)', () => {
    const doc = parseExpectations(
      parse(readFileSync(new URL('../../../monitor/expectations.yaml', import.meta.url), 'utf8')),
    );
    expect(doc.connectors).toEqual([]);
    expect(doc.defaults.failuresToOpen).toBe(2);
  });
});
