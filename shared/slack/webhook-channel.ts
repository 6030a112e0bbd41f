/**
 * Slack through an incoming webhook (official @slack/webhook): a new message per transition (a webhook
 * cannot update or thread). 429 waits Slack's `Retry-After`; 5xx and network errors get jittered backoff
 * (shared/slack/retry.ts). The webhook URL is the secret: it never appears in logs or errors.
 */
import type { KnownBlock } from '@slack/web-api';
import { IncomingWebhook } from '@slack/webhook';
import { ChannelError, type DeliveryReceipt, type NotificationChannel } from '../alerts-ports.js';
import type { IncidentTransition } from '../domain/incidents.js';
import type { Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import { incidentMessage } from './blocks.js';
import { withRetries } from './retry.js';
import type { SlackPostable } from './web-api-channel.js';

export interface SlackWebhookChannelOptions {
  /** The secret's value: one webhook URL, or JSON `{ "<channel>": "<url>", … }` for routed channels. */
  secret: () => Promise<string>;
  route: (t: IncidentTransition) => string;
  defaultChannel: string;
  runbookBaseUrl: string;
  retries: number;
  retryMinMs: number;
  dryRun?: boolean;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** The `slack` channel in webhook mode. */
export class SlackWebhookChannel implements NotificationChannel {
  readonly name = 'slack';

  constructor(private readonly options: SlackWebhookChannelOptions) {}

  async send(t: IncidentTransition): Promise<DeliveryReceipt> {
    const channel = this.options.route(t);
    const message = incidentMessage(t, this.options.runbookBaseUrl);
    if (this.options.dryRun) {
      (this.options.logger ?? silentLogger).info('slack webhook dry run', { channel, text: message.text });
      return { slackChannel: channel, dryRun: true };
    }
    await this.deliver(message, channel);
    return { slackChannel: channel };
  }

  /**
   * Posts any message (the canary report's summary, docs/report.md) through the webhook of `channel`, with
   * the same secret, retries and dry run as incident messages.
   * @throws ChannelError (no secret in its message) when the webhook still fails after the retries.
   */
  async post(message: SlackPostable, channel: string): Promise<DeliveryReceipt> {
    if (this.options.dryRun) {
      (this.options.logger ?? silentLogger).info('slack webhook dry run', { channel, text: message.text });
      return { slackChannel: channel, dryRun: true };
    }
    await this.deliver(message, channel);
    return { slackChannel: channel };
  }

  private async deliver(message: SlackPostable, channel: string): Promise<void> {
    const url = webhookFor(await this.options.secret(), channel, this.options.defaultChannel);
    let retryAfter: string | null = null;
    const webhook = new IncomingWebhook(url, {
      retryConfig: { retries: 0 },
      fetch: async (input, init) => {
        const response = await fetch(input, init as RequestInit);
        retryAfter = response.headers.get('retry-after');
        return response;
      },
    });
    try {
      await withRetries(
        () => {
          retryAfter = null;
          return webhook.send({ text: message.text, blocks: message.blocks as KnownBlock[] });
        },
        (error) => {
          const status = (error as { statusCode?: number }).statusCode;
          if (status === 429) {
            const seconds = Number(retryAfter);
            return { retry: true, ...(Number.isFinite(seconds) && seconds >= 0 ? { afterMs: seconds * 1000 } : {}) };
          }
          return { retry: status === undefined || status >= 500 };
        },
        {
          retries: this.options.retries,
          minMs: this.options.retryMinMs,
          maxMs: 30_000,
          ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        },
      );
    } catch (error) {
      const e = error as { statusCode?: number; body?: string; code?: string };
      throw new ChannelError(
        `incoming webhook failed: ${e.statusCode ? `HTTP ${e.statusCode}${e.body ? ` (${String(e.body).slice(0, 60)})` : ''}` : (e.code ?? 'request error')}`,
      );
    }
  }
}

function webhookFor(secret: string, channel: string, defaultChannel: string): string {
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let map: Record<string, string>;
  try {
    map = JSON.parse(trimmed) as Record<string, string>;
  } catch {
    throw new ChannelError('the Slack webhook secret is neither a URL nor a JSON object of channel → URL');
  }
  const url = map[channel] ?? map[defaultChannel];
  if (!url) throw new ChannelError(`the Slack webhook secret has no URL for ${channel} (nor ${defaultChannel})`);
  return url;
}
