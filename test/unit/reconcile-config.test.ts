/** EGRESS_WATCH_INGEST_RULES: the ingest rules reconcile's monitoring-blind check reads (shared/reconcile-config.ts). */
import { describe, expect, it } from 'vitest';
import { loadIngestRuleNames } from '../../shared/reconcile-config.js';

describe('loadIngestRuleNames', () => {
  it('splits and trims the comma-separated names; unset or empty means none', () => {
    expect(
      loadIngestRuleNames({ EGRESS_WATCH_INGEST_RULES: 'ew-dev-ec2-network-changes, ew-dev-lambda.x_1 ,' }),
    ).toEqual(['ew-dev-ec2-network-changes', 'ew-dev-lambda.x_1']);
    expect(loadIngestRuleNames({})).toEqual([]);
    expect(loadIngestRuleNames({ EGRESS_WATCH_INGEST_RULES: '' })).toEqual([]);
  });

  it('names every malformed rule name', () => {
    expect(() =>
      loadIngestRuleNames({ EGRESS_WATCH_INGEST_RULES: `ok,rule/with-slash,\${self:custom.ruleNames.ec2}` }),
    ).toThrow(
      /EGRESS_WATCH_INGEST_RULES has malformed rule name\(s\) "rule\/with-slash", "\$\{self:custom.ruleNames.ec2\}"/,
    );
  });
});
