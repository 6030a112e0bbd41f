/**
 * SQS over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Operation>`), enough for a dead-letter
 * queue: SendMessage, ReceiveMessage (visibility timeout on the lab clock), DeleteMessage,
 * GetQueueAttributes (ApproximateNumberOfMessages = visible messages, ApproximateNumberOfMessagesNotVisible
 * = in flight, or `All`; SQS API Reference, GetQueueAttributes). MD5OfMessageBody / MD5OfBody are real MD5 digests: the
 * official client checks them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Emulator, LabResponse } from './http.js';

export interface LabSqsMessage {
  messageId: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  sentAt: string;
  invisibleUntil: number;
  receiveCount: number;
  receiptHandle: string | null;
}

export type SqsEmulator = Emulator & {
  /** Queue URL → messages still in the queue. */
  readonly queues: Map<string, LabSqsMessage[]>;
  createQueue(queueUrl: string): void;
};

function json10(status: number, body: unknown): LabResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  };
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export function createSqsEmulator(options: { clock?: Clock } = {}): SqsEmulator {
  const queues = new Map<string, LabSqsMessage[]>();
  const nowMs = () => (options.clock?.now() ?? new Date()).getTime();
  const error = (code: string, message: string) => json10(400, { __type: `com.amazonaws.sqs#${code}`, message });

  const emulator: Emulator = async (req) => {
    const operation = (req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return error('InvalidParameterValue', 'body is not JSON');
    }
    const queue = queues.get(String(input.QueueUrl ?? ''));
    if (!queue) return error('QueueDoesNotExist', 'The specified queue does not exist.');
    switch (operation) {
      case 'SendMessage': {
        const body = String(input.MessageBody ?? '');
        if (body === '') return error('InvalidParameterValue', 'The request must contain the parameter MessageBody.');
        const message: LabSqsMessage = {
          messageId: randomUUID(),
          body,
          attributes: (input.MessageAttributes as LabSqsMessage['attributes'] | undefined) ?? {},
          sentAt: new Date(nowMs()).toISOString(),
          invisibleUntil: 0,
          receiveCount: 0,
          receiptHandle: null,
        };
        queue.push(message);
        return json10(200, { MessageId: message.messageId, MD5OfMessageBody: md5(body) });
      }
      case 'ReceiveMessage': {
        const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
        const visibilityMs = Number(input.VisibilityTimeout ?? 30) * 1000;
        const now = nowMs();
        const batch = queue.filter((m) => m.invisibleUntil <= now).slice(0, max);
        for (const m of batch) {
          m.invisibleUntil = now + visibilityMs;
          m.receiveCount += 1;
          m.receiptHandle = randomUUID();
        }
        return json10(200, {
          Messages: batch.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5(m.body),
            Body: m.body,
            ...(Object.keys(m.attributes).length > 0 ? { MessageAttributes: m.attributes } : {}),
          })),
        });
      }
      case 'DeleteMessage': {
        const index = queue.findIndex((m) => m.receiptHandle !== null && m.receiptHandle === input.ReceiptHandle);
        if (index === -1) return error('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        queue.splice(index, 1);
        return json10(200, {});
      }
      case 'GetQueueAttributes': {
        // ApproximateNumberOfMessages: messages available for retrieval (visible); NotVisible: in flight.
        const now = nowMs();
        const visible = queue.filter((m) => m.invisibleUntil <= now).length;
        const known: Record<string, string> = {
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesNotVisible: String(queue.length - visible),
        };
        const names = Array.isArray(input.AttributeNames) ? input.AttributeNames.map(String) : [];
        const unknown = names.find((n) => n !== 'All' && !(n in known));
        if (unknown) return error('InvalidAttributeName', `The lab's SQS does not keep the attribute ${unknown}.`);
        const wanted = names.includes('All') ? known : Object.fromEntries(names.map((n) => [n, known[n] as string]));
        // SQS leaves Attributes out when none was asked for.
        return json10(200, Object.keys(wanted).length > 0 ? { Attributes: wanted } : {});
      }
      default:
        return error('UnsupportedOperation', `The lab's SQS does not implement ${operation}.`);
    }
  };
  return Object.assign(emulator, {
    queues,
    createQueue(queueUrl: string): void {
      if (!queues.has(queueUrl)) queues.set(queueUrl, []);
    },
  });
}
