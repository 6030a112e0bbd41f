/**
 * The notifications dead-letter queue on SQS (official @aws-sdk/client-sqs): one message per
 * (incident, transition, channel) that could not be delivered, with the reason; `egress-watch notifications
 * redrive` receives them and sends again. Message attributes carry the key so a person can read the queue.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../alerts-ports.js';

export interface SqsDeadLettersOptions {
  client: SQSClient;
  queueUrl: string;
  /** Seconds a received letter stays invisible while it is redriven. */
  visibilityTimeoutSeconds?: number;
}

export class SqsDeadLetters implements DeadLetterQueue {
  constructor(private readonly options: SqsDeadLettersOptions) {}

  async send(letter: DeadLetter): Promise<void> {
    const attr = (value: string) => ({ DataType: 'String', StringValue: value });
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          incidentId: attr(letter.key.incidentId),
          transitionId: attr(letter.key.transitionId),
          channel: attr(letter.key.channel),
          reason: attr(letter.reason.slice(0, 256)),
        },
      }),
    );
  }

  async receive(max: number): Promise<{ letter: DeadLetter; handle: string }[]> {
    if (max <= 0) return [];
    const out = await this.options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 300,
        WaitTimeSeconds: 0,
      }),
    );
    return (out.Messages ?? []).map((m) => ({
      letter: JSON.parse(m.Body ?? '{}') as DeadLetter,
      handle: m.ReceiptHandle ?? '',
    }));
  }

  async remove(handle: string): Promise<void> {
    await this.options.client.send(
      new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: handle }),
    );
  }
}
