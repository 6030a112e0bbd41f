/**
 * The report's delivery adapters against the lab's emulators over real loopback HTTP with the official
 * clients: the S3 archive (PutObject through @aws-sdk/client-s3), the dead-letter counts (GetQueueAttributes
 * through @aws-sdk/client-sqs) and the Slack summary post in both modes (@slack/web-api, @slack/webhook),
 * with 429/503 answers retried and a permanently failing Slack reported without its secret.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Emulator } from '../../../lab/emulators/s3.js';
import { createSlackWebhookReceiver } from '../../../lab/emulators/slack-webhook.js';
import { createSqsEmulator } from '../../../lab/emulators/sqs.js';
import { ChannelError } from '../../../shared/alerts-ports.js';
import { S3ReportArchive } from '../../../shared/aws/s3-report-archive.js';
import { SqsDeadLetterCounts } from '../../../shared/aws/sqs-dead-letter-counts.js';
import { reportSlackMessage } from '../../../shared/domain/report-slack.js';
import { SlackWebApiChannel } from '../../../shared/slack/web-api-channel.js';
import { SlackWebhookChannel } from '../../../shared/slack/webhook-channel.js';
import * as f from '../../support/report-fixtures.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const credentials = { accessKeyId: 'AKIDLABTEST', secretAccessKey: 'lab-secret' };
const report = f.weeklyReport();
const summary = reportSlackMessage(report, 'https://console.example/report.html');

describe('S3ReportArchive on the lab S3', () => {
  const s3 = createS3Emulator();
  let served: ServedEmulator;
  let client: S3Client;
  beforeAll(async () => {
    s3.createBucket('reports-bucket');
    served = await serveEmulator(s3);
    client = new S3Client({ endpoint: served.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  });
  afterAll(async () => {
    client.destroy();
    await served.close();
  });

  it('puts the page, the JSON and the blocks, encrypted, and the latest copies', async () => {
    const stored = await new S3ReportArchive({ client, bucket: 'reports-bucket' }).store(report, {
      html: '<!doctype html><p>report</p>',
      json: '{}\n',
      slack: summary,
    });
    const bucket = s3.buckets.get('reports-bucket');
    expect([...(bucket?.keys() ?? [])].sort()).toEqual(
      [
        stored.htmlKey,
        stored.jsonKey,
        stored.slackKey,
        'reports/weekly/latest.html',
        'reports/weekly/latest.json',
      ].sort(),
    );
    expect(bucket?.get(stored.htmlKey)).toMatchObject({
      serverSideEncryption: 'AES256',
      contentType: 'text/html; charset=utf-8',
    });
    expect(bucket?.get(stored.htmlKey)?.body.toString('utf8')).toBe('<!doctype html><p>report</p>');
    expect(JSON.parse(bucket?.get(stored.slackKey)?.body.toString('utf8') ?? '{}')).toEqual(summary);
  });

  it('answers S3 errors the SDK names: a bucket that does not exist', async () => {
    const archive = new S3ReportArchive({ client, bucket: 'no-such-bucket' });
    await expect(archive.store(report, { html: 'x', json: '{}', slack: summary })).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('SqsDeadLetterCounts on the lab SQS', () => {
  const sqs = createSqsEmulator();
  let served: ServedEmulator;
  let client: SQSClient;
  let queueUrl = '';
  beforeAll(async () => {
    served = await serveEmulator(sqs);
    queueUrl = `${served.endpoint}/111122223333/notify-dlq`;
    sqs.createQueue(queueUrl);
    client = new SQSClient({ endpoint: served.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await served.close();
  });

  it('counts waiting messages (ApproximateNumberOfMessages), not those a redrive holds in flight', async () => {
    for (const body of ['a', 'b', 'c'])
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    const counts = await new SqsDeadLetterCounts({
      client,
      queues: [
        { name: 'notifications', queueUrl },
        { name: 'gone', queueUrl: `${served.endpoint}/111122223333/missing` },
      ],
    }).count();
    expect(counts).toEqual([
      { name: 'notifications', count: 2, source: 'SQS GetQueueAttributes ApproximateNumberOfMessages' },
      { name: 'gone', count: null, source: 'not available: GetQueueAttributes failed (QueueDoesNotExist)' },
    ]);
    const all = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(all.Attributes).toEqual({ ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' });
    await expect(
      client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Policy'] })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });
});

describe('the Slack summary post, bot and webhook, on the lab Slack', () => {
  const slack = createSlackWebhookReceiver();
  let served: ServedEmulator;
  const common = {
    route: () => '#unused',
    runbookBaseUrl: 'https://runbooks.example/',
    retries: 3,
    retryMinMs: 1,
  };
  beforeAll(async () => {
    slack.setBotToken('xoxb-test-token');
    served = await serveEmulator(slack);
  });
  afterAll(async () => served.close());

  it('bot: chat.postMessage to the report channel, after a 503 and a 429 with Retry-After', async () => {
    slack.failNext(1, { status: 503 });
    slack.failNext(1, { status: 429, retryAfterSeconds: 0 });
    const before = slack.received.length;
    const channel = new SlackWebApiChannel({
      ...common,
      token: async () => 'xoxb-test-token',
      slackApiUrl: `${served.endpoint}/api/`,
    });
    const receipt = await channel.post(summary, '#reports');
    const posted = slack.received.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      method: 'chat.postMessage',
      payload: { channel: '#reports', text: summary.text },
    });
    expect(posted[0]?.payload.blocks).toEqual(summary.blocks);
    expect(receipt.ts).toBe(posted[0]?.ts);
  });

  it('webhook: one message through the channel URL of the secret, after 429 and 503', async () => {
    slack.failNext(1, { status: 429, retryAfterSeconds: 0 });
    slack.failNext(1, { status: 503 });
    const before = slack.received.length;
    const channel = new SlackWebhookChannel({
      ...common,
      secret: async () => JSON.stringify({ '#reports': `${served.endpoint}/services/T0001/B0REPORTS/secretpart` }),
      defaultChannel: '#egress-watch',
    });
    await channel.post(summary, '#reports');
    const posted = slack.received.slice(before);
    expect(posted).toEqual([expect.objectContaining({ method: 'webhook', channel: 'B0REPORTS' })]);
    expect(posted[0]?.payload).toMatchObject({ text: summary.text, blocks: summary.blocks });
  });

  it('a Slack that keeps failing ends in a ChannelError that names the status, never the secret URL', async () => {
    slack.failAlways({ status: 503 });
    const channel = new SlackWebhookChannel({
      ...common,
      secret: async () => `${served.endpoint}/services/T0001/B0REPORTS/secretpart`,
      defaultChannel: '#egress-watch',
    });
    const error = await channel.post(summary, '#reports').catch((e: unknown) => e);
    slack.healthy();
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as Error).message).toBe('incoming webhook failed: HTTP 503 (internal_error)');
    expect((error as Error).message).not.toContain('secretpart');
  });

  it('dry run: logs and posts nothing', async () => {
    const before = slack.received.length;
    const receipt = await new SlackWebApiChannel({
      ...common,
      dryRun: true,
      token: async () => 'xoxb-test-token',
      slackApiUrl: `${served.endpoint}/api/`,
    }).post(summary, '#reports');
    expect(receipt).toEqual({ slackChannel: '#reports', dryRun: true });
    expect(slack.received.length).toBe(before);
  });
});
