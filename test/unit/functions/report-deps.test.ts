import { describe, expect, it } from 'vitest';
import { depsFor } from '../../../functions/report.js';
import { AlertsConfigError } from '../../../shared/alerts-config.js';
import { noFunctionMetrics } from '../../../shared/observability.js';
import { silentLogger } from '../../../shared/ports.js';

const runtime = (env: Record<string, string>) => ({
  env: {
    EGRESS_WATCH_TABLE: 'egress-watch-test',
    EGRESS_WATCH_ALLOWED_ACCOUNTS: '111122223333',
    AWS_REGION: 'us-east-1',
    ...env,
  },
  aws: {},
  clock: { now: () => new Date('2026-06-27T00:00:00Z') },
  logger: silentLogger,
  metrics: noFunctionMetrics,
});

describe('report depsFor (no network: clients are built, nothing is called)', () => {
  it('posts nothing and counts no queue when Slack is off and no queue is configured', () => {
    const deps = depsFor(runtime({ EGRESS_WATCH_REPORT_BUCKET: 'reports' }));
    expect(deps.sendSlack).toBeUndefined();
    expect(deps.deadLetters).toBeUndefined();
    expect(deps.archive).not.toBeNull();
  });

  it('wires the Slack sender of the alerting mode and the dead-letter counter from the environment', () => {
    for (const mode of ['bot', 'webhook']) {
      const deps = depsFor(
        runtime({
          EGRESS_WATCH_REPORT_BUCKET: 'reports',
          EGRESS_WATCH_SLACK_MODE: mode,
          EGRESS_WATCH_SLACK_SECRET_NAME: '/egress-watch/prod/slack',
          EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES: 'notifications=https://sqs.us-east-1.amazonaws.com/111122223333/n',
        }),
      );
      expect(typeof deps.sendSlack).toBe('function');
      expect(deps.deadLetters).toBeDefined();
    }
  });

  it('refuses a Slack mode without the secret name', () => {
    expect(() => depsFor(runtime({ EGRESS_WATCH_SLACK_MODE: 'bot' }))).toThrow(AlertsConfigError);
  });

  it('links the stored page on the S3 console', () => {
    const deps = depsFor(runtime({ EGRESS_WATCH_REPORT_BUCKET: 'reports' }));
    expect(
      deps.linkOf?.({ bucket: 'reports', htmlKey: 'reports/daily/t/report.html', jsonKey: 'j', slackKey: 's' }),
    ).toBe(
      'https://console.aws.amazon.com/s3/object/reports?region=us-east-1&prefix=reports%2Fdaily%2Ft%2Freport.html',
    );
  });
});
