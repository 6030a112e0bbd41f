import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsDeadLetterCounts } from '../../../shared/aws/sqs-dead-letter-counts.js';

const sqs = mockClient(SQSClient);
const queues = [
  { name: 'notifications', queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/n-dlq' },
  { name: 'ingest', queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/i-dlq' },
];

describe('SqsDeadLetterCounts', () => {
  beforeEach(() => sqs.reset());

  it('asks each queue for ApproximateNumberOfMessages and keeps the configured order', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queues[0]?.queueUrl })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } })
      .on(GetQueueAttributesCommand, { QueueUrl: queues[1]?.queueUrl })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    const counts = await new SqsDeadLetterCounts({ client: new SQSClient({ region: 'us-east-1' }), queues }).count();
    expect(counts.map((c) => [c.name, c.count])).toEqual([
      ['notifications', 3],
      ['ingest', 0],
    ]);
    expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input)).toEqual(
      queues.map((q) => ({ QueueUrl: q.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })),
    );
  });

  it('gives null with the error name for a queue it cannot read, and still counts the others', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queues[0]?.queueUrl })
      .rejects(new QueueDoesNotExist({ message: 'gone', $metadata: {} }))
      .on(GetQueueAttributesCommand, { QueueUrl: queues[1]?.queueUrl })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    const counts = await new SqsDeadLetterCounts({ client: new SQSClient({ region: 'us-east-1' }), queues }).count();
    expect(counts).toEqual([
      { name: 'notifications', count: null, source: 'not available: GetQueueAttributes failed (QueueDoesNotExist)' },
      { name: 'ingest', count: 2, source: 'SQS GetQueueAttributes ApproximateNumberOfMessages' },
    ]);
  });

  it('never turns a missing or malformed attribute into 0', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    const [first] = await new SqsDeadLetterCounts({
      client: new SQSClient({ region: 'us-east-1' }),
      queues: queues.slice(0, 1),
    }).count();
    expect(first).toEqual({
      name: 'notifications',
      count: null,
      source: 'SQS answered no ApproximateNumberOfMessages (absent)',
    });
  });
});
