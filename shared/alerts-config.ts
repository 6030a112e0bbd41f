/**
 * Alerting configuration (docs/alerts.md), read from the environment once, validated and frozen. Secrets are
 * never configured here: only the *name* of the SSM SecureString parameter (or Secrets Manager secret) that
 * holds the Slack bot token or webhook URL.
 */
import { z } from 'zod';
import type { IncidentPolicy, Silence, SilenceMatch } from './domain/incidents.js';
import { DEFAULT_POLICY } from './domain/incidents.js';
import type { Severity } from './domain/model.js';

/** A routing rule: incidents of `severity` (or carrying `tag`) go to Slack `channel`; the first match wins. */
export interface SlackRoute {
  severity?: Severity;
  tag?: string;
  channel: string;
}

export interface AlertsConfig {
  /** `bot` (Web API: chat.postMessage / chat.update / thread replies), `webhook` (incoming webhook) or `off`. */
  slackMode: 'bot' | 'webhook' | 'off';
  /**
   * Where the Slack secret lives: an SSM SecureString parameter name (`/egress-watch/slack`) or
   * `secretsmanager:<secret id>`. Bot mode: the token (xoxb-…); webhook mode: the URL, or a JSON object
   * `{ "<channel>": "<url>" }` when routes name several channels.
   */
  slackSecretName: string | undefined;
  /** Slack Web API base URL (default https://slack.com/api/; the lab points it at its receiver). */
  slackApiUrl: string | undefined;
  slackRoutes: SlackRoute[];
  /** Channel for incidents no route matches. */
  slackDefaultChannel: string;
  snsTopicArn: string | undefined;
  deadLetterQueueUrl: string | undefined;
  /** Base URL of docs/runbooks/<rule-id>.md (e.g. the repository's blob URL). */
  runbookBaseUrl: string;
  /** Channels that render and log instead of sending: `slack`, `sns`. */
  dryRun: ReadonlySet<'slack' | 'sns'>;
  policy: IncidentPolicy;
  maintenanceWindows: Silence[];
  /** Cache lifetime of the Slack secret, seconds (Powertools parameters). */
  secretMaxAgeSeconds: number;
  /** Slack retries (jittered exponential backoff for 5xx; 429 waits Retry-After). */
  slackRetries: number;
  slackRetryMinMs: number;
}

export class AlertsConfigError extends Error {
  override name = 'AlertsConfigError';
}

const severity = z.enum(['critical', 'high', 'warning', 'info']);
const matchSchema = z
  .object({ connectorId: z.string(), rule: z.string(), severity, tag: z.string() })
  .partial()
  .refine((m) => Object.keys(m).length > 0, 'a window must match on connectorId, rule, severity or tag');
const windowSchema = z.object({
  name: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  reason: z.string().min(1),
  match: matchSchema,
});
const positive = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : Number(v)))
    .pipe(z.number().positive());

const Schema = z.object({
  EGRESS_WATCH_SLACK_MODE: z.enum(['bot', 'webhook', 'off']).default('off'),
  EGRESS_WATCH_SLACK_SECRET_NAME: z.string().min(1).optional(),
  EGRESS_WATCH_SLACK_API_URL: z.url().optional(),
  EGRESS_WATCH_SLACK_ROUTES: z.string().default(''),
  EGRESS_WATCH_SLACK_DEFAULT_CHANNEL: z.string().min(1).default('#egress-watch'),
  EGRESS_WATCH_SNS_TOPIC_ARN: z
    .string()
    .regex(/^arn:[a-z-]+:sns:/, 'must be an SNS topic ARN')
    .optional(),
  EGRESS_WATCH_NOTIFY_DLQ_URL: z.url().optional(),
  EGRESS_WATCH_RUNBOOK_BASE_URL: z
    .url()
    .default('https://github.com/egress-watch/egress-watch/blob/main/docs/runbooks/'),
  EGRESS_WATCH_NOTIFY_DRY_RUN: z.string().default(''),
  EGRESS_WATCH_REMINDER_HOURS: positive(DEFAULT_POLICY.reminders.everyMs / 3600_000),
  EGRESS_WATCH_REMINDER_MAX: positive(DEFAULT_POLICY.reminders.max),
  EGRESS_WATCH_FLAP_MAX_OPENS: positive(DEFAULT_POLICY.flapping.maxOpens),
  EGRESS_WATCH_FLAP_WINDOW_MINUTES: positive(DEFAULT_POLICY.flapping.windowMs / 60_000),
  EGRESS_WATCH_MAINTENANCE_WINDOWS: z.string().default('[]'),
  EGRESS_WATCH_SLACK_SECRET_MAX_AGE_SECONDS: positive(300),
  EGRESS_WATCH_SLACK_RETRIES: positive(5),
  EGRESS_WATCH_SLACK_RETRY_MIN_MS: positive(200),
});

/** Reminders are capped: at most one a hour, at most 48 per incident cycle. */
const MIN_REMINDER_HOURS = 1;
const MAX_REMINDERS = 48;

/**
 * Reads the alerting configuration. Routes: `EGRESS_WATCH_SLACK_ROUTES="critical=#sev1,tag:canary=#canary"`.
 * Windows: `EGRESS_WATCH_MAINTENANCE_WINDOWS='[{"name":"…","start":"ISO","end":"ISO","reason":"…","match":{…}}]'`.
 * @throws AlertsConfigError naming every invalid variable.
 */
export function loadAlertsConfig(env: Record<string, string | undefined> = process.env): Readonly<AlertsConfig> {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new AlertsConfigError(`invalid alerting configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.EGRESS_WATCH_SLACK_MODE !== 'off' && !c.EGRESS_WATCH_SLACK_SECRET_NAME) {
    throw new AlertsConfigError(
      `invalid alerting configuration: EGRESS_WATCH_SLACK_SECRET_NAME is required when EGRESS_WATCH_SLACK_MODE is ${c.EGRESS_WATCH_SLACK_MODE}`,
    );
  }
  return Object.freeze({
    slackMode: c.EGRESS_WATCH_SLACK_MODE,
    slackSecretName: c.EGRESS_WATCH_SLACK_SECRET_NAME,
    slackApiUrl: c.EGRESS_WATCH_SLACK_API_URL,
    slackRoutes: parseRoutes(c.EGRESS_WATCH_SLACK_ROUTES),
    slackDefaultChannel: c.EGRESS_WATCH_SLACK_DEFAULT_CHANNEL,
    snsTopicArn: c.EGRESS_WATCH_SNS_TOPIC_ARN,
    deadLetterQueueUrl: c.EGRESS_WATCH_NOTIFY_DLQ_URL,
    runbookBaseUrl: c.EGRESS_WATCH_RUNBOOK_BASE_URL.endsWith('/')
      ? c.EGRESS_WATCH_RUNBOOK_BASE_URL
      : `${c.EGRESS_WATCH_RUNBOOK_BASE_URL}/`,
    dryRun: parseDryRun(c.EGRESS_WATCH_NOTIFY_DRY_RUN),
    policy: {
      flapping: { maxOpens: c.EGRESS_WATCH_FLAP_MAX_OPENS, windowMs: c.EGRESS_WATCH_FLAP_WINDOW_MINUTES * 60_000 },
      reminders: {
        everyMs: Math.max(MIN_REMINDER_HOURS, c.EGRESS_WATCH_REMINDER_HOURS) * 3600_000,
        max: Math.min(MAX_REMINDERS, Math.floor(c.EGRESS_WATCH_REMINDER_MAX)),
      },
      retentionMs: DEFAULT_POLICY.retentionMs,
    },
    maintenanceWindows: parseWindows(c.EGRESS_WATCH_MAINTENANCE_WINDOWS),
    secretMaxAgeSeconds: c.EGRESS_WATCH_SLACK_SECRET_MAX_AGE_SECONDS,
    slackRetries: Math.floor(c.EGRESS_WATCH_SLACK_RETRIES),
    slackRetryMinMs: c.EGRESS_WATCH_SLACK_RETRY_MIN_MS,
  });
}

function parseRoutes(text: string): SlackRoute[] {
  const routes: SlackRoute[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none')) {
    const [key, channel] = part.split('=').map((s) => s.trim());
    if (!key || !channel)
      throw new AlertsConfigError(`EGRESS_WATCH_SLACK_ROUTES: "${part}" is not <severity|tag:x>=<channel>`);
    if (key.startsWith('tag:')) routes.push({ tag: key.slice(4), channel });
    else {
      const s = severity.safeParse(key);
      if (!s.success)
        throw new AlertsConfigError(`EGRESS_WATCH_SLACK_ROUTES: "${key}" is not a severity or tag:<name>`);
      routes.push({ severity: s.data, channel });
    }
  }
  return routes;
}

function parseDryRun(text: string): ReadonlySet<'slack' | 'sns'> {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  const out = new Set<'slack' | 'sns'>();
  for (const n of names) {
    if (n === 'all') return new Set(['slack', 'sns']);
    if (n !== 'slack' && n !== 'sns')
      throw new AlertsConfigError(`EGRESS_WATCH_NOTIFY_DRY_RUN: unknown channel "${n}"`);
    out.add(n);
  }
  return out;
}

function parseWindows(text: string): Silence[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AlertsConfigError(`EGRESS_WATCH_MAINTENANCE_WINDOWS is not JSON: ${(error as Error).message}`);
  }
  const parsed = z.array(windowSchema).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ');
    throw new AlertsConfigError(`EGRESS_WATCH_MAINTENANCE_WINDOWS: ${problems}`);
  }
  return parsed.data.map((w) => ({
    silenceId: `window:${w.name}`,
    match: w.match as SilenceMatch,
    reason: w.reason,
    startsAt: new Date(w.start).toISOString(),
    expiresAt: new Date(w.end).toISOString(),
    source: 'maintenance-window' as const,
  }));
}

/** The Slack channel for an incident: the first route matching its severity or one of its tags. */
export function routeChannel(
  config: Pick<AlertsConfig, 'slackRoutes' | 'slackDefaultChannel'>,
  incident: {
    severity: Severity;
    tags: readonly string[];
  },
): string {
  for (const route of config.slackRoutes) {
    if (route.severity !== undefined && route.severity === incident.severity) return route.channel;
    if (route.tag !== undefined && incident.tags.includes(route.tag)) return route.channel;
  }
  return config.slackDefaultChannel;
}
