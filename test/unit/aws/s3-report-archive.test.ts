import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ReportArchive } from '../../../shared/aws/s3-report-archive.js';
import { buildReportModel, DEFAULT_RATES, withMicrovmSecondPrice } from '../../../shared/domain/report.js';
import * as f from '../../support/report-fixtures.js';

const s3 = mockClient(S3Client);
const report = buildReportModel({
  generatedAt: '2026-06-27T07:00:00.123Z',
  period: 'daily',
  window: { since: f.SINCE, until: f.UNTIL },
  rates: withMicrovmSecondPrice(DEFAULT_RATES),
  connectors: f.connectors(),
  findings: [],
  incidents: [],
  canaryRuns: [],
  health: f.health(),
});

describe('S3ReportArchive', () => {
  beforeEach(() => s3.reset());

  it('puts the HTML, JSON and Slack blocks under the period and time, encrypted, plus latest copies', async () => {
    s3.on(PutObjectCommand).resolves({});
    const archive = new S3ReportArchive({ client: new S3Client({ region: 'us-east-1' }), bucket: 'reports-bucket' });
    const stored = await archive.store(report, {
      html: '<!doctype html>',
      json: '{}\n',
      slack: { text: 't', blocks: [] },
    });
    expect(stored).toEqual({
      bucket: 'reports-bucket',
      htmlKey: 'reports/daily/2026-06-27T07-00-00-123Z/report.html',
      jsonKey: 'reports/daily/2026-06-27T07-00-00-123Z/report.json',
      slackKey: 'reports/daily/2026-06-27T07-00-00-123Z/slack.json',
    });
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key).sort()).toEqual([
      'reports/daily/2026-06-27T07-00-00-123Z/report.html',
      'reports/daily/2026-06-27T07-00-00-123Z/report.json',
      'reports/daily/2026-06-27T07-00-00-123Z/slack.json',
      'reports/daily/latest.html',
      'reports/daily/latest.json',
    ]);
    for (const put of puts) {
      expect(put.Bucket).toBe('reports-bucket');
      expect(put.ServerSideEncryption).toBe('AES256');
    }
    expect(puts.find((p) => p.Key?.endsWith('report.html'))?.ContentType).toBe('text/html; charset=utf-8');
  });

  it('fails when S3 refuses a put (the function errors, Lambda retries, then the DLQ)', async () => {
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const archive = new S3ReportArchive({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });
    await expect(archive.store(report, { html: '', json: '', slack: { text: '', blocks: [] } })).rejects.toThrow(
      'AccessDenied',
    );
  });
});
