/**
 * A local Slack incoming-webhook receiver: answers like hooks.slack.com (`ok`, or a short error code),
 * captures every accepted message, and can be told to fail the next requests (429 + Retry-After, 5xx)
 * so the notifier's retry path is tested against real HTTP.
 */
import type { Clock } from '../clock.js';
import type { Emulator, LabRequest, LabResponse } from './http.js';

const WEBHOOK_PATH = /^\/services\/(T[A-Z0-9]+)\/(B[A-Z0-9]+)\/([A-Za-z0-9]+)$/;

export interface SlackWebhookMessage {
  team: string;
  channelHook: string;
  payload: Record<string, unknown>;
  receivedAt: string;
}

export interface SlackAttempt {
  path: string;
  status: number;
  answer: string;
  receivedAt: string;
}

export interface SlackFault {
  status: number;
  retryAfterSeconds?: number;
  /** Defaults to Slack's code for the status (rate_limited, internal_error, …). */
  body?: string;
}

export type SlackWebhookReceiver = Emulator & {
  /** Accepted messages, in order. */
  readonly messages: SlackWebhookMessage[];
  /** Every request and its answer (accepted or not); the secret part of the path is masked. */
  readonly attempts: SlackAttempt[];
  /** Fails the next `count` requests with `fault` (default: 429 with Retry-After 1). */
  failNext(count: number, fault?: SlackFault): void;
};

function text(status: number, body: string, headers: Record<string, string> = {}): LabResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

function defaultFaultBody(status: number): string {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return 'invalid_payload';
}

/** Slack accepts a JSON body, or a form body whose `payload` field holds the JSON. */
function parsePayload(req: LabRequest): Record<string, unknown> | undefined {
  const body = req.body.toString('utf8');
  const json = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
    ? (new URLSearchParams(body).get('payload') ?? '')
    : body;
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createSlackWebhookReceiver(options: { clock?: Clock } = {}): SlackWebhookReceiver {
  const messages: SlackWebhookMessage[] = [];
  const attempts: SlackAttempt[] = [];
  const faults: SlackFault[] = [];
  const now = () => (options.clock?.now() ?? new Date()).toISOString();

  const answer = (req: LabRequest): LabResponse => {
    const match = WEBHOOK_PATH.exec(req.path);
    if (!match) return text(404, 'no_service');
    if (req.method !== 'POST') return text(405, 'invalid_method');
    const fault = faults.shift();
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return text(fault.status, fault.body ?? defaultFaultBody(fault.status), headers);
    }
    const payload = parsePayload(req);
    if (!payload) return text(400, 'invalid_payload');
    if (payload.text === undefined && payload.blocks === undefined && payload.attachments === undefined) {
      return text(400, 'no_text');
    }
    messages.push({ team: match[1] as string, channelHook: match[2] as string, payload, receivedAt: now() });
    return text(200, 'ok');
  };

  const receiver: Emulator = async (req) => {
    const response = answer(req);
    attempts.push({
      path: req.path.replace(/[^/]+$/, '***'),
      status: response.status,
      answer: String(response.body ?? ''),
      receivedAt: now(),
    });
    return response;
  };

  return Object.assign(receiver, {
    messages,
    attempts,
    failNext(count: number, fault: SlackFault = { status: 429, retryAfterSeconds: 1 }): void {
      for (let index = 0; index < count; index++) faults.push(fault);
    },
  });
}
