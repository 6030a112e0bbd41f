/**
 * A local Slack: the incoming-webhook receiver (answers like hooks.slack.com: `ok`, or a short error code) and
 * the Web API methods the notifier uses, `chat.postMessage` and `chat.update` (`/api/<method>`, bot token in
 * `Authorization: Bearer`, JSON or form body, `{ ok, channel, ts }` answers and Slack's error codes). It
 * captures every accepted payload in order, and can be told to fail the next requests or every n-th one
 * (429 + Retry-After, 5xx) so the notifier's retry path is tested against real HTTP.
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

/** An accepted payload (webhook or Web API), in the order received. */
export interface SlackReceived {
  method: 'webhook' | 'chat.postMessage' | 'chat.update';
  /** Channel id (Web API) or the webhook's B… id. */
  channel: string;
  /** The message's ts (Web API). */
  ts?: string;
  threadTs?: string;
  payload: Record<string, unknown>;
  receivedAt: string;
}

export type SlackWebhookReceiver = Emulator & {
  /** Accepted webhook messages, in order. */
  readonly messages: SlackWebhookMessage[];
  /** Every accepted payload, webhook and Web API, in order. */
  readonly received: SlackReceived[];
  /** Messages as they stand now (after chat.update), by ts. */
  readonly conversation: Map<string, SlackReceived>;
  /** Accepts Web API calls with this bot token only (invalid_auth otherwise). */
  setBotToken(token: string): void;
  /** Fails one request in `every` (the 1st, then the (1+every)th, …), cycling through `faults`; 0 turns it off. */
  failEvery(every: number, faults?: SlackFault[]): void;
  /** Fails every request from now on (a permanently failing channel), until failEvery(0) or healthy(). */
  failAlways(fault: SlackFault): void;
  healthy(): void;
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

/** Web API bodies: JSON, or form fields whose object values (blocks, attachments) are JSON strings. */
function parseApiArguments(req: LabRequest): Record<string, unknown> | undefined {
  const body = req.body.toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === 'blocks' || key === 'attachments' || key === 'metadata') {
      try {
        args[key] = JSON.parse(value);
      } catch {
        return undefined;
      }
    } else args[key] = value;
  }
  return args;
}

function apiAnswer(body: Record<string, unknown>): LabResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** Stable C… ids for channel names, as Slack answers with ids. */
function channelId(name: string): string {
  if (/^[CGD][A-Z0-9]{6,}$/.test(name)) return name;
  let hash = 7;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) % 2_176_782_336;
  return `C0${hash.toString(36).toUpperCase().padStart(6, '0')}`;
}

export function createSlackWebhookReceiver(options: { clock?: Clock } = {}): SlackWebhookReceiver {
  const messages: SlackWebhookMessage[] = [];
  const received: SlackReceived[] = [];
  const conversation = new Map<string, SlackReceived>();
  const attempts: SlackAttempt[] = [];
  const faults: SlackFault[] = [];
  let periodic: { every: number; faults: SlackFault[]; count: number; next: number } | undefined;
  let always: SlackFault | undefined;
  let botToken: string | undefined;
  let tsSequence = 0;
  const now = () => (options.clock?.now() ?? new Date()).toISOString();

  const nextFault = (): SlackFault | undefined => {
    if (always) return always;
    const queued = faults.shift();
    if (queued) return queued;
    if (!periodic || periodic.every <= 0) return undefined;
    periodic.count += 1;
    if ((periodic.count - 1) % periodic.every !== 0) return undefined;
    const fault = periodic.faults[periodic.next % periodic.faults.length];
    periodic.next += 1;
    return fault;
  };

  const faultAnswer = (fault: SlackFault, api: boolean): LabResponse => {
    const headers: Record<string, string> =
      fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    const code = fault.body ?? defaultFaultBody(fault.status);
    if (api && fault.status === 429) {
      return {
        ...apiAnswer({ ok: false, error: 'ratelimited' }),
        status: 429,
        headers: { ...headers, 'content-type': 'application/json' },
      };
    }
    return text(fault.status, code, headers);
  };

  const webApi = (req: LabRequest, method: string): LabResponse => {
    if (req.method !== 'POST') return text(405, 'invalid_method');
    const fault = nextFault();
    if (fault) return faultAnswer(fault, true);
    const auth = req.headers.authorization ?? '';
    const args = parseApiArguments(req);
    if (!args) return apiAnswer({ ok: false, error: 'invalid_arguments' });
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : String(args.token ?? '');
    if (!token) return apiAnswer({ ok: false, error: 'not_authed' });
    if (botToken !== undefined && token !== botToken) return apiAnswer({ ok: false, error: 'invalid_auth' });
    const { token: _token, ...payload } = args;
    if (typeof payload.channel !== 'string' || payload.channel === '') {
      return apiAnswer({ ok: false, error: 'channel_not_found' });
    }
    const channel = channelId(payload.channel);
    if (payload.text === undefined && payload.blocks === undefined && payload.attachments === undefined) {
      return apiAnswer({ ok: false, error: 'no_text' });
    }
    if (method === 'chat.postMessage') {
      tsSequence += 1;
      const seconds = Math.floor(Date.parse(now()) / 1000);
      const ts = `${seconds}.${String(tsSequence).padStart(6, '0')}`;
      const threadTs = typeof payload.thread_ts === 'string' ? payload.thread_ts : undefined;
      if (threadTs && !conversation.has(`${channel}/${threadTs}`))
        return apiAnswer({ ok: false, error: 'thread_not_found' });
      const entry: SlackReceived = {
        method,
        channel,
        ts,
        ...(threadTs ? { threadTs } : {}),
        payload,
        receivedAt: now(),
      };
      received.push(entry);
      conversation.set(`${channel}/${ts}`, entry);
      return apiAnswer({ ok: true, channel, ts, message: { type: 'message', text: payload.text, ts } });
    }
    if (method === 'chat.update') {
      const ts = typeof payload.ts === 'string' ? payload.ts : '';
      const original = conversation.get(`${channel}/${ts}`);
      if (!original) return apiAnswer({ ok: false, error: 'message_not_found' });
      const entry: SlackReceived = { method, channel, ts, payload, receivedAt: now() };
      received.push(entry);
      conversation.set(`${channel}/${ts}`, { ...original, payload: { ...original.payload, ...payload } });
      return apiAnswer({ ok: true, channel, ts, text: payload.text });
    }
    return apiAnswer({ ok: false, error: 'unknown_method' });
  };

  const answer = (req: LabRequest): LabResponse => {
    const api = /^\/api\/(chat\.[A-Za-z]+)$/.exec(req.path);
    if (api) return webApi(req, api[1] as string);
    const match = WEBHOOK_PATH.exec(req.path);
    if (!match) return text(404, 'no_service');
    if (req.method !== 'POST') return text(405, 'invalid_method');
    const fault = nextFault();
    if (fault) return faultAnswer(fault, false);
    const payload = parsePayload(req);
    if (!payload) return text(400, 'invalid_payload');
    if (payload.text === undefined && payload.blocks === undefined && payload.attachments === undefined) {
      return text(400, 'no_text');
    }
    messages.push({ team: match[1] as string, channelHook: match[2] as string, payload, receivedAt: now() });
    received.push({ method: 'webhook', channel: match[2] as string, payload, receivedAt: now() });
    return text(200, 'ok');
  };

  const receiver: Emulator = async (req) => {
    const response = answer(req);
    attempts.push({
      path: req.path.startsWith('/api/') ? req.path : req.path.replace(/[^/]+$/, '***'),
      status: response.status,
      answer: String(response.body ?? ''),
      receivedAt: now(),
    });
    return response;
  };

  return Object.assign(receiver, {
    messages,
    received,
    conversation,
    attempts,
    failNext(count: number, fault: SlackFault = { status: 429, retryAfterSeconds: 1 }): void {
      for (let index = 0; index < count; index++) faults.push(fault);
    },
    setBotToken(token: string): void {
      botToken = token;
    },
    failEvery(every: number, cycle: SlackFault[] = [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }]): void {
      periodic = every > 0 ? { every, faults: cycle, count: 0, next: 0 } : undefined;
    },
    failAlways(fault: SlackFault): void {
      always = fault;
    },
    healthy(): void {
      always = undefined;
      periodic = undefined;
      faults.length = 0;
    },
  });
}
