/**
 * SNS through the official @aws-sdk/client-sns: one `Publish` per transition with the versioned JSON message
 * (docs/schemas/sns-message.v1.json), a subject under 100 characters, and String message attributes for
 * subscription filter policies. The SDK's standard retry mode retries throttling and 5xx with jittered
 * backoff. API: SNS Publish (Subject: "must be less than 100 characters"; MessageAttributes).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ChannelError, type DeliveryReceipt, type NotificationChannel } from '../alerts-ports.js';
import type { IncidentTransition } from '../domain/incidents.js';
import { snsAttributes, snsMessage, subjectLine } from '../domain/notification-message.js';
import type { Logger } from '../ports.js';
import { silentLogger } from '../ports.js';

export interface SnsChannelOptions {
  client: SNSClient;
  topicArn: string;
  runbookBaseUrl: string;
  dryRun?: boolean;
  logger?: Logger;
}

/** The `sns` channel. */
export class SnsChannel implements NotificationChannel {
  readonly name = 'sns';

  constructor(private readonly options: SnsChannelOptions) {}

  async send(t: IncidentTransition): Promise<DeliveryReceipt> {
    const input = {
      TopicArn: this.options.topicArn,
      Subject: subjectLine(t),
      Message: JSON.stringify(snsMessage(t, this.options.runbookBaseUrl)),
      MessageAttributes: Object.fromEntries(
        Object.entries(snsAttributes(t)).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    };
    if (this.options.dryRun) {
      (this.options.logger ?? silentLogger).info('sns dry run', { subject: input.Subject });
      return { dryRun: true };
    }
    try {
      const out = await this.options.client.send(new PublishCommand(input));
      return out.MessageId ? { messageId: out.MessageId } : {};
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      throw new ChannelError(
        `Publish failed: ${e.name ?? 'error'}${e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''}`,
      );
    }
  }
}
