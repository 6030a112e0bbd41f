/**
 * The report's configuration, read once from the environment and validated (zod):
 *
 *   EGRESS_WATCH_REPORT_BUCKET          S3 bucket the report function stores reports in (required there)
 *   EGRESS_WATCH_CANARY_VCPU            vCPUs of the canary MicroVM (default 0.25)
 *   EGRESS_WATCH_CANARY_MEMORY_GB       memory of the canary MicroVM in GB (default 0.5)
 *   EGRESS_WATCH_USD_PER_VCPU_SECOND    MicroVM price per vCPU-second (default 0.0000276944)
 *   EGRESS_WATCH_USD_PER_GB_SECOND      MicroVM price per GB-second (default 0.0000036667)
 *   EGRESS_WATCH_REPORT_SLACK_CHANNEL   Slack channel of the summary (default: EGRESS_WATCH_SLACK_DEFAULT_CHANNEL)
 *   EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES
 *                                       dead-letter queues the report counts: `name=<queue URL>,…` (default none)
 *
 * The Slack mode and secret are the notify function's (EGRESS_WATCH_SLACK_*, shared/alerts-config.ts).
 * Defaults and their source: DEFAULT_RATES in shared/domain/report.ts and docs/report.md.
 */
import { z } from 'zod';
import { ConfigError } from './domain/errors.js';
import { DEFAULT_RATES, withMicrovmSecondPrice } from './domain/report.js';
import type { ReportRates } from './domain/report-schema.js';

const positive = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a non-negative number, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const ReportEnvSchema = z.object({
  EGRESS_WATCH_REPORT_BUCKET: z.string().min(3, 'must be an S3 bucket name').optional(),
  EGRESS_WATCH_CANARY_VCPU: positive('EGRESS_WATCH_CANARY_VCPU'),
  EGRESS_WATCH_CANARY_MEMORY_GB: positive('EGRESS_WATCH_CANARY_MEMORY_GB'),
  EGRESS_WATCH_USD_PER_VCPU_SECOND: positive('EGRESS_WATCH_USD_PER_VCPU_SECOND'),
  EGRESS_WATCH_USD_PER_GB_SECOND: positive('EGRESS_WATCH_USD_PER_GB_SECOND'),
  EGRESS_WATCH_REPORT_SLACK_CHANNEL: z.string().trim().min(1, 'must name a Slack channel').optional(),
  EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const queues: DeadLetterQueueRef[] = [];
      for (const part of (v ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '' && p !== 'none')) {
        const at = part.indexOf('=');
        const name = part.slice(0, at).trim();
        const queueUrl = part.slice(at + 1).trim();
        if (at <= 0 || !/^https?:\/\/\S+$/.test(queueUrl) || queues.some((q) => q.name === name)) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not a new <name>=<queue URL>` });
          return z.NEVER;
        }
        queues.push({ name, queueUrl });
      }
      return queues;
    }),
});

/** A dead-letter queue the report counts: a short name (`notifications`, `ingest`, …) and its SQS queue URL. */
export interface DeadLetterQueueRef {
  name: string;
  queueUrl: string;
}

/** The report's settings: where reports go (null outside AWS) and the canary cost rates. */
export interface ReportConfig {
  bucket: string | null;
  rates: ReportRates;
  /** Slack channel of the summary; null = the alerting default channel. */
  slackChannel: string | null;
  /** Dead-letter queues whose waiting messages the report counts, in the configured order. */
  deadLetterQueues: DeadLetterQueueRef[];
}

/** Reads the report settings; throws ConfigError naming every malformed variable. */
export function loadReportConfig(env: Record<string, string | undefined> = process.env): Readonly<ReportConfig> {
  const parsed = ReportEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new ConfigError(`invalid report configuration: ${problems}`);
  }
  const c = parsed.data;
  const custom =
    c.EGRESS_WATCH_CANARY_VCPU !== undefined ||
    c.EGRESS_WATCH_CANARY_MEMORY_GB !== undefined ||
    c.EGRESS_WATCH_USD_PER_VCPU_SECOND !== undefined ||
    c.EGRESS_WATCH_USD_PER_GB_SECOND !== undefined;
  return Object.freeze({
    bucket: c.EGRESS_WATCH_REPORT_BUCKET ?? null,
    slackChannel: c.EGRESS_WATCH_REPORT_SLACK_CHANNEL ?? null,
    deadLetterQueues: c.EGRESS_WATCH_REPORT_DEAD_LETTER_QUEUES,
    rates: withMicrovmSecondPrice({
      vcpu: c.EGRESS_WATCH_CANARY_VCPU ?? DEFAULT_RATES.vcpu,
      memoryGb: c.EGRESS_WATCH_CANARY_MEMORY_GB ?? DEFAULT_RATES.memoryGb,
      usdPerVcpuSecond: c.EGRESS_WATCH_USD_PER_VCPU_SECOND ?? DEFAULT_RATES.usdPerVcpuSecond,
      usdPerGbSecond: c.EGRESS_WATCH_USD_PER_GB_SECOND ?? DEFAULT_RATES.usdPerGbSecond,
      source: custom ? 'configured (EGRESS_WATCH_CANARY_* / EGRESS_WATCH_USD_PER_*)' : DEFAULT_RATES.source,
    }),
  });
}
