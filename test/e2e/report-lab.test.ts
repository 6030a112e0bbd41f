import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportResult } from '../../functions/report.js';
import type { SlackReceived } from '../../lab/emulators/slack-webhook.js';
import type { Lab } from '../../lab/lab.js';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import type { Report } from '../../shared/domain/report-schema.js';
import { playScenarioForTest } from '../support/play-scenario.js';

/** The stored object's text (the lab's S3 keeps what the function put). */
function object(lab: Lab, key: string): string | undefined {
  return lab.s3.buckets.get(lab.alerting.reportBucket)?.get(key)?.body.toString('utf8');
}

describe('e2e report: the scheduled report stores itself in the lab, then posts its Slack summary', () => {
  let result: ScenarioResult;
  let failedRun: unknown;
  let keysAfterFailure: string[] = [];
  let slackBeforeReport = 0;
  let run: ReportResult;
  let summaries: SlackReceived[] = [];
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      beforeClose: async (lab) => {
        // One dead letter waiting in the notifications queue, sent with the official SDK as notify would.
        const runtime = lab.functionRuntime();
        const sqs = new SQSClient(runtime.aws);
        await sqs.send(
          new SendMessageCommand({ QueueUrl: lab.alerting.deadLetterQueueUrl, MessageBody: '{"reason":"test"}' }),
        );
        sqs.destroy();
        slackBeforeReport = lab.slack.received.length;
        // Slack down: the report is stored anyway and the invocation fails, naming where the report is.
        lab.slack.failAlways({ status: 503 });
        failedRun = await lab.runScheduled('report', { period: 'daily' }).catch((error: unknown) => error);
        keysAfterFailure = [...(lab.s3.buckets.get(lab.alerting.reportBucket)?.keys() ?? [])];
        lab.slack.healthy();
        run = (await lab.runScheduled('report', { period: 'daily' })) as ReportResult;
        summaries = lab.slack.received.slice(slackBeforeReport);
      },
    });
  }, 180_000);

  it('keeps the report in the bucket when Slack fails, and fails visibly with the stored key', () => {
    expect(failedRun).toBeInstanceOf(Error);
    const message = (failedRun as Error).message;
    expect(message).toMatch(
      /^the daily report was stored as s3:\/\/egress-watch-lab-reports\/reports\/daily\/.+\/report\.html, but its Slack summary was not posted: chat\.postMessage failed: HTTP 503/,
    );
    expect(keysAfterFailure.filter((k) => k.endsWith('report.html'))).toHaveLength(1);
    expect(result.lab.errors()).toEqual([{ functionName: 'report', error: message }]);
  });

  it('stores HTML, JSON and the Slack blocks (SSE AES256), and posts exactly one summary once Slack is back', () => {
    expect(run).toMatchObject({ period: 'daily', connectors: 2, posted: true, deadLettered: 1 });
    const html = result.lab.s3.buckets.get(result.lab.alerting.reportBucket)?.get(run.htmlKey);
    expect(html?.serverSideEncryption).toBe('AES256');
    expect(html?.contentType).toBe('text/html; charset=utf-8');
    expect(html?.body.toString('utf8')).toContain('<svg');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.method).toBe('chat.postMessage');
    const stored = JSON.parse(object(result.lab, run.htmlKey.replace(/report\.html$/, 'slack.json')) ?? '{}');
    // slack.json is written before the page's link exists: the posted summary is it plus the link block.
    const posted = summaries[0]?.payload.blocks as unknown[];
    expect(posted.slice(0, -1)).toEqual(stored.blocks);
    expect(JSON.stringify(posted.at(-1))).toContain('Full report with charts');
  });

  it('says the period, connectors, pass rate, incidents and the link to the stored page', () => {
    const payload = summaries[0]?.payload ?? {};
    expect(String(payload.text)).toMatch(/^egress-watch daily canary report: 2 connector\(s\), availability /);
    const blocks = JSON.stringify(payload.blocks);
    expect(blocks).toContain('*Connectors*\\n2');
    expect(blocks).toContain('*Open drift*\\n');
    expect(blocks).toContain('connector-deleted-while-in-use');
    expect(blocks).toContain('1 dead-lettered (notifications 1)');
    expect(blocks).toContain(
      `https://console.aws.amazon.com/s3/object/egress-watch-lab-reports?region=ap-northeast-1&prefix=${encodeURIComponent(run.htmlKey)}`,
    );
  });

  it('shows the dead-letter queues in the stored JSON, not "n/a"', () => {
    const report = JSON.parse(object(result.lab, run.jsonKey) ?? '{}') as Report;
    expect(report.health.deadLettered.count).toBe(1);
    expect(report.health.deadLetterQueues).toEqual([
      { name: 'notifications', count: 1, source: 'SQS GetQueueAttributes ApproximateNumberOfMessages' },
    ]);
    expect(object(result.lab, run.htmlKey)).toContain('dead-letter queue notifications');
  });
});
