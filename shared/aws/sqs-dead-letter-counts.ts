/**
 * The report's dead-letter counts on SQS (official @aws-sdk/client-sqs): one `GetQueueAttributes` per queue
 * for `ApproximateNumberOfMessages` — "the approximate number of messages available for retrieval from the
 * queue" (SQS API Reference, GetQueueAttributes; API model `com.amazonaws.sqs#GetQueueAttributes`). Messages
 * in flight (ApproximateNumberOfMessagesNotVisible) are being handled by a redrive and are not counted. A
 * queue that cannot be read (AccessDenied, QueueDoesNotExist, a network fault after the SDK's retries) gives
 * a null count with the error's name, never a guessed 0 (docs/report.md, "Monitor health").
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueueCount } from '../domain/report-schema.js';
import type { Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import type { DeadLetterQueueRef } from '../report-config.js';
import type { DeadLetterCounter } from '../report-ports.js';

export interface SqsDeadLetterCountsOptions {
  client: SQSClient;
  queues: readonly DeadLetterQueueRef[];
  logger?: Logger;
}

/** `DeadLetterCounter` over SQS: the queues are read concurrently, the answer keeps their order. */
export class SqsDeadLetterCounts implements DeadLetterCounter {
  constructor(private readonly options: SqsDeadLetterCountsOptions) {}

  async count(): Promise<DeadLetterQueueCount[]> {
    return Promise.all(this.options.queues.map((queue) => this.countOne(queue)));
  }

  private async countOne(queue: DeadLetterQueueRef): Promise<DeadLetterQueueCount> {
    try {
      const out = await this.options.client.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      const raw = out.Attributes?.ApproximateNumberOfMessages;
      const count = raw === undefined ? Number.NaN : Number(raw);
      if (!Number.isInteger(count) || count < 0)
        return {
          name: queue.name,
          count: null,
          source: `SQS answered no ApproximateNumberOfMessages (${raw ?? 'absent'})`,
        };
      return { name: queue.name, count, source: 'SQS GetQueueAttributes ApproximateNumberOfMessages' };
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      (this.options.logger ?? silentLogger).warn('dead-letter queue not counted', { queue: queue.name, reason });
      return { name: queue.name, count: null, source: `not available: GetQueueAttributes failed (${reason})` };
    }
  }
}
