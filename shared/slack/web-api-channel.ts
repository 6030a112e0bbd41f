/**
 * Slack through the official Web API client (@slack/web-api) with a bot token: `chat.postMessage` when an
 * incident opens (or reopens, or starts flapping), `chat.update` of that same message when it resolves, and a
 * thread reply (`thread_ts`) for reminders. The client itself honours 429 `Retry-After` and retries 5xx and
 * network errors with randomized exponential backoff (its `retryConfig`, p-retry); what still fails is thrown
 * as a ChannelError whose message carries no secret. Methods: api.slack.com/methods/chat.postMessage,
 * api.slack.com/methods/chat.update.
 */
import { type ChatPostMessageResponse, type KnownBlock, WebClient } from '@slack/web-api';
import { ChannelError, type DeliveryReceipt, type NotificationChannel } from '../alerts-ports.js';
import type { IncidentTransition } from '../domain/incidents.js';
import type { Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import { incidentMessage } from './blocks.js';

export interface SlackWebApiChannelOptions {
  /** Resolves the bot token (xoxb-…) from SSM / Secrets Manager; cached by the caller's parameter provider. */
  token: () => Promise<string>;
  /** Base URL of the Web API (default https://slack.com/api/). */
  slackApiUrl?: string;
  /** The channel a transition goes to (routing by severity and tags). */
  route: (t: IncidentTransition) => string;
  runbookBaseUrl: string;
  retries: number;
  retryMinMs: number;
  dryRun?: boolean;
  logger?: Logger;
}

/** The `slack` channel in bot mode. */
export class SlackWebApiChannel implements NotificationChannel {
  readonly name = 'slack';
  private client: { token: string; web: WebClient } | undefined;

  constructor(private readonly options: SlackWebApiChannelOptions) {}

  async send(t: IncidentTransition, context: { anchor: DeliveryReceipt | undefined }): Promise<DeliveryReceipt> {
    const message = incidentMessage(t, this.options.runbookBaseUrl);
    const anchor = context.anchor;
    const channel = anchor?.slackChannel ?? this.options.route(t);
    const method = t.kind === 'resolved' && anchor?.ts ? 'chat.update' : 'chat.postMessage';
    if (this.options.dryRun) {
      (this.options.logger ?? silentLogger).info('slack dry run', { method, channel, text: message.text });
      return { slackChannel: channel, dryRun: true, ...(anchor?.ts ? { ts: anchor.ts } : {}) };
    }
    const web = await this.web();
    try {
      if (method === 'chat.update' && anchor?.ts) {
        await web.chat.update({ channel, ts: anchor.ts, text: message.text, blocks: message.blocks });
        return { slackChannel: channel, ts: anchor.ts };
      }
      const threadTs = t.kind === 'reminder' && anchor?.ts ? anchor.ts : undefined;
      return await postMessage(web, channel, message, threadTs);
    } catch (error) {
      throw new ChannelError(`${method} failed: ${describeSlackError(error)}`);
    }
  }

  /**
   * Posts any message (the canary report's summary, docs/report.md) to `channel` with `chat.postMessage`,
   * through the same client, token, retries and dry run as incident messages.
   * @throws ChannelError (no secret in its message) when Slack still refuses after the client's retries.
   */
  async post(message: SlackPostable, channel: string): Promise<DeliveryReceipt> {
    if (this.options.dryRun) {
      (this.options.logger ?? silentLogger).info('slack dry run', {
        method: 'chat.postMessage',
        channel,
        text: message.text,
      });
      return { slackChannel: channel, dryRun: true };
    }
    try {
      return await postMessage(await this.web(), channel, message, undefined);
    } catch (error) {
      throw new ChannelError(`chat.postMessage failed: ${describeSlackError(error)}`);
    }
  }

  private async web(): Promise<WebClient> {
    const token = await this.options.token();
    if (this.client?.token !== token) {
      this.client = {
        token,
        web: new WebClient(token, {
          ...(this.options.slackApiUrl ? { slackApiUrl: this.options.slackApiUrl } : {}),
          retryConfig: {
            retries: this.options.retries,
            factor: 2,
            minTimeout: this.options.retryMinMs,
            maxTimeout: 30_000,
            randomize: true,
          },
          // The client logs request bodies at debug level only; keep it quiet (tokens are redacted anyway).
          logger: quietSlackLogger,
        }),
      };
    }
    return this.client.web;
  }
}

/** A message any Slack surface accepts: the fallback `text` and Block Kit `blocks`. */
export interface SlackPostable {
  text: string;
  blocks: readonly object[];
}

async function postMessage(
  web: WebClient,
  channel: string,
  message: SlackPostable,
  threadTs: string | undefined,
): Promise<DeliveryReceipt> {
  const out: ChatPostMessageResponse = await web.chat.postMessage({
    channel,
    text: message.text,
    blocks: message.blocks as KnownBlock[],
    unfurl_links: false,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return { slackChannel: out.channel ?? channel, ...(out.ts ? { ts: out.ts } : {}) };
}

/** Error code, HTTP status or Slack's `error` field: never the token, the URL or the request body. */
export function describeSlackError(error: unknown): string {
  const e = error as { code?: string; statusCode?: number; data?: { error?: string }; retryAfter?: number };
  if (e.data?.error) return `Slack answered ${e.data.error}`;
  if (e.statusCode) return `HTTP ${e.statusCode}${e.code ? ` (${e.code})` : ''}`;
  if (e.retryAfter !== undefined) return `rate limited (Retry-After ${e.retryAfter} s)`;
  return e.code ?? (error instanceof Error ? error.name : 'unknown error');
}

const quietSlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'error' as never,
  setName() {},
};
