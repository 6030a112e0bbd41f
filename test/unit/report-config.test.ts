import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config.js';
import { DEFAULT_RATES } from '../../shared/domain/report.js';
import { loadReportConfig } from '../../shared/report-config.js';

describe('loadReportConfig', () => {
  it('defaults to the documented MicroVM rates for a 0.25 vCPU / 0.5 GB canary', () => {
    const config = loadReportConfig({});
    expect(config.bucket).toBeNull();
    expect(config.rates).toMatchObject(DEFAULT_RATES);
    expect(config.rates.usdPerMicrovmSecond).toBeCloseTo(0.00000875695, 12);
  });

  it('reads the bucket and overridden rates, and says they are configured', () => {
    const config = loadReportConfig({
      EGRESS_WATCH_REPORT_BUCKET: 'my-reports',
      EGRESS_WATCH_CANARY_VCPU: '1',
      EGRESS_WATCH_CANARY_MEMORY_GB: '2',
      EGRESS_WATCH_USD_PER_VCPU_SECOND: '0.00003',
      EGRESS_WATCH_USD_PER_GB_SECOND: '0.000004',
    });
    expect(config.bucket).toBe('my-reports');
    expect(config.rates.usdPerMicrovmSecond).toBeCloseTo(0.00003 + 2 * 0.000004, 12);
    expect(config.rates.source).toMatch(/configured/);
  });

  it('names every malformed variable', () => {
    expect(() => loadReportConfig({ EGRESS_WATCH_CANARY_VCPU: 'two', EGRESS_WATCH_USD_PER_GB_SECOND: '-1' })).toThrow(
      ConfigError,
    );
    expect(() => loadReportConfig({ EGRESS_WATCH_CANARY_VCPU: 'two' })).toThrow(/EGRESS_WATCH_CANARY_VCPU.*"two"/);
  });

  it('reads the summary channel and the dead-letter queues in order, and rejects a malformed queue list', () => {
    const config = loadReportConfig({
      EGRESS_WATCH_REPORT_SLACK_CHANNEL: '#reports',
      EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES:
        'notifications=https://sqs.us-east-1.amazonaws.com/111122223333/n-dlq, ingest=https://sqs.us-east-1.amazonaws.com/111122223333/i-dlq',
    });
    expect(config.slackChannel).toBe('#reports');
    expect(config.deadLetterQueues).toEqual([
      { name: 'notifications', queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/n-dlq' },
      { name: 'ingest', queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/i-dlq' },
    ]);
    expect(loadReportConfig({}).deadLetterQueues).toEqual([]);
    expect(loadReportConfig({}).slackChannel).toBeNull();
    expect(() => loadReportConfig({ EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES: 'ingest' })).toThrow(
      /EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES "ingest" is not a new <name>=<queue URL>/,
    );
    expect(() =>
      loadReportConfig({ EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES: 'a=https://q.example/1,a=https://q.example/2' }),
    ).toThrow(ConfigError);
  });
});
