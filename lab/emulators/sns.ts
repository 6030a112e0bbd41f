/**
 * SNS `Publish` over the query protocol (form body in, XML out, Version 2010-03-31): the production SNS
 * notifier (the official @aws-sdk/client-sns) publishes to the lab unchanged, and every message is captured.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Emulator, LabResponse } from './http.js';
import { QueryProtocolError, queryErrorResponse, xmlResponse } from './query-protocol.js';
import { element, xmlDocument } from './xml.js';

const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT_LENGTH = 100;

export interface SnsMessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

export interface PublishedSnsMessage {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  messageAttributes: Record<string, SnsMessageAttribute>;
  publishedAt: string;
}

export type SnsEmulator = Emulator & {
  /** Every accepted Publish, in order. */
  readonly published: PublishedSnsMessage[];
  /** Creates a topic (what CreateTopic / the stack would do). */
  addTopic(topicArn: string): void;
};

export interface SnsEmulatorOptions {
  topics: string[];
  clock?: Clock;
}

const SnsError = QueryProtocolError;

function errorXml(error: QueryProtocolError, requestId: string): LabResponse {
  return queryErrorResponse(SNS_NAMESPACE, error, requestId);
}

/** MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue / .Value.BinaryValue */
function parseMessageAttributes(form: URLSearchParams): Record<string, SnsMessageAttribute> {
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index++) {
    const prefix = `MessageAttributes.entry.${index}`;
    const name = form.get(`${prefix}.Name`) ?? '';
    const dataType = form.get(`${prefix}.Value.DataType`);
    const stringValue = form.get(`${prefix}.Value.StringValue`);
    const binaryValue = form.get(`${prefix}.Value.BinaryValue`);
    if (!name) throw new SnsError(400, 'InvalidParameterValue', `Message attribute #${index} has no name.`);
    if (!dataType || !/^(String|Number|Binary|String\.Array)(\..+)?$/.test(dataType)) {
      throw new SnsError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const value = dataType.startsWith('Binary') ? binaryValue : stringValue;
    if (value === null || value === '') {
      throw new SnsError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    }
    if (dataType.startsWith('Number') && !Number.isFinite(Number(value))) {
      throw new SnsError(400, 'ParameterValueInvalid', `The message attribute '${name}' has an invalid number value.`);
    }
    const attribute: SnsMessageAttribute = { dataType };
    if (stringValue !== null) attribute.stringValue = stringValue;
    if (binaryValue !== null) attribute.binaryValue = binaryValue;
    attributes[name] = attribute;
  }
  return attributes;
}

export function createSnsEmulator(options: SnsEmulatorOptions): SnsEmulator {
  const topics = new Set(options.topics);
  const published: PublishedSnsMessage[] = [];

  const publish = (form: URLSearchParams): PublishedSnsMessage => {
    const topicArn = form.get('TopicArn');
    if (!topicArn) {
      const target = form.get('TargetArn') ?? form.get('PhoneNumber');
      throw new SnsError(
        400,
        'InvalidParameter',
        target
          ? 'The lab only publishes to topics (TopicArn).'
          : 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
      );
    }
    if (!topics.has(topicArn)) throw new SnsError(404, 'NotFound', 'Topic does not exist');
    const message = form.get('Message');
    if (!message) throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
      throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Message too long');
    }
    const subject = form.get('Subject');
    if (subject !== null && (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || /[\r\n]/.test(subject))) {
      throw new SnsError(400, 'InvalidParameter', 'Invalid parameter: Subject');
    }
    const entry: PublishedSnsMessage = {
      messageId: randomUUID(),
      topicArn,
      message,
      messageAttributes: parseMessageAttributes(form),
      publishedAt: (options.clock?.now() ?? new Date()).toISOString(),
    };
    if (subject !== null) entry.subject = subject;
    return entry;
  };

  const emulator: Emulator = async (req) => {
    const requestId = randomUUID();
    const form = new URLSearchParams(req.method === 'POST' ? req.body.toString('utf8') : req.query.toString());
    try {
      const action = form.get('Action');
      if (action !== 'Publish') {
        throw new SnsError(
          400,
          'InvalidAction',
          `The lab's SNS only implements Publish, not ${action ?? '(no Action)'}.`,
        );
      }
      const entry = publish(form);
      published.push(entry);
      const body = element(
        'PublishResponse',
        [
          element('PublishResult', element('MessageId', entry.messageId)),
          element('ResponseMetadata', element('RequestId', requestId)),
        ],
        { xmlns: SNS_NAMESPACE },
      );
      return xmlResponse(200, xmlDocument(body), requestId);
    } catch (error) {
      if (error instanceof QueryProtocolError) return errorXml(error, requestId);
      throw error;
    }
  };
  return Object.assign(emulator, {
    published,
    addTopic(topicArn: string): void {
      topics.add(topicArn);
    },
  });
}
