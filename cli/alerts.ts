/**
 * `egress-watch silence add|list|remove` and `egress-watch notifications redrive` (docs/alerts.md), against
 * the table named by EGRESS_WATCH_TABLE in AWS_REGION (EGRESS_WATCH_DYNAMODB_ENDPOINT for DynamoDB Local).
 * Redrive also needs the notifier's configuration (EGRESS_WATCH_NOTIFY_DLQ_URL, the Slack secret name, the
 * SNS topic), as the deployed function has it.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadAlertsConfig } from '../shared/alerts-config.js';
import { redriveDeadLetters } from '../shared/app/notify.js';
import { DynamoDbIncidents } from '../shared/aws/dynamodb-incidents.js';
import { wireNotify } from '../shared/aws/notify-wiring.js';
import { type Silence, type SilenceMatch, validateSilenceMatch } from '../shared/domain/incidents.js';
import type { Severity } from '../shared/domain/model.js';
import { type FunctionRuntime, runtimeFromEnvironment } from '../shared/runtime.js';

export class AlertsUsageError extends Error {}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'warning', 'info'];

function tableFromEnv(env: Readonly<Record<string, string | undefined>>): {
  tableName: string;
  region: string;
  endpoint: string | undefined;
} {
  const tableName = env.EGRESS_WATCH_TABLE;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!tableName) throw new AlertsUsageError('EGRESS_WATCH_TABLE must name the egress-watch table');
  if (!region) throw new AlertsUsageError('AWS_REGION must be set');
  return { tableName, region, endpoint: env.EGRESS_WATCH_DYNAMODB_ENDPOINT };
}

/** "90m", "2h", "3d" → milliseconds. */
export function parseSpan(text: string): number {
  const match = /^(\d+)\s*(m|min|h|d)$/.exec(text.trim());
  if (!match) throw new AlertsUsageError(`"${text}" is not a duration like 90m, 2h or 3d`);
  const unit = match[2] === 'd' ? 86_400_000 : match[2] === 'h' ? 3_600_000 : 60_000;
  return Number(match[1]) * unit;
}

/** Builds a silence from `silence add` options. @throws AlertsUsageError on a missing matcher, reason or expiry. */
export function silenceFromOptions(values: Record<string, string | undefined>, now: Date): Silence {
  const match: SilenceMatch = {};
  if (values.connector) match.connectorId = values.connector;
  if (values.rule) match.rule = values.rule;
  if (values.tag) match.tag = values.tag;
  if (values.severity) {
    if (!SEVERITIES.includes(values.severity as Severity)) {
      throw new AlertsUsageError(`--severity must be one of ${SEVERITIES.join(', ')}`);
    }
    match.severity = values.severity as Severity;
  }
  const invalid = validateSilenceMatch(match);
  if (invalid) throw new AlertsUsageError(invalid);
  if (!values.reason) throw new AlertsUsageError('--reason is required (it is shown wherever the silence applies)');
  const startsAt = values.starts ? new Date(values.starts) : now;
  if (Number.isNaN(startsAt.getTime())) throw new AlertsUsageError('--starts must be an ISO-8601 time');
  let expiresAt: Date;
  if (values.until) expiresAt = new Date(values.until);
  else if (values.for) expiresAt = new Date(startsAt.getTime() + parseSpan(values.for));
  else throw new AlertsUsageError('a silence needs an expiry: --for <90m|2h|3d> or --until <ISO-8601>');
  if (Number.isNaN(expiresAt.getTime()) || expiresAt <= startsAt) {
    throw new AlertsUsageError('the expiry must be a valid time after the start');
  }
  return {
    silenceId: `sil-${randomUUID().slice(0, 8)}`,
    match,
    reason: values.reason,
    startsAt: startsAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    source: 'silence',
    ...(values.by ? { createdBy: values.by } : {}),
  };
}

export async function silenceCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      connector: { type: 'string' },
      rule: { type: 'string' },
      severity: { type: 'string' },
      tag: { type: 'string' },
      for: { type: 'string' },
      until: { type: 'string' },
      starts: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const table = tableFromEnv(env);
  const client = new DynamoDBClient({
    region: table.region,
    ...(table.endpoint ? { endpoint: table.endpoint } : {}),
  });
  const store = new DynamoDbIncidents({ client, tableName: table.tableName });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    switch (sub) {
      case 'add': {
        const silence = silenceFromOptions(values as unknown as Record<string, string | undefined>, new Date());
        await store.putSilence(silence);
        out(
          values.json
            ? JSON.stringify(silence)
            : `${silence.silenceId} until ${silence.expiresAt}: ${describe(silence)}`,
        );
        return 0;
      }
      case 'list': {
        const now = Date.now();
        const silences = await store.listSilences();
        if (values.json) out(JSON.stringify(silences));
        else if (silences.length === 0) out('no silences');
        else
          for (const s of silences) {
            const state =
              Date.parse(s.expiresAt) <= now ? 'expired' : Date.parse(s.startsAt) > now ? 'scheduled' : 'active';
            out(`${s.silenceId}  ${state.padEnd(9)} ${s.startsAt} → ${s.expiresAt}  ${describe(s)}`);
          }
        return 0;
      }
      case 'remove': {
        const id = positionals[0];
        if (!id) throw new AlertsUsageError('silence remove needs a silence id (see silence list)');
        const removed = await store.deleteSilence(id);
        out(removed ? `removed ${id}` : `no silence ${id}`);
        return removed ? 0 : 1;
      }
      default:
        throw new AlertsUsageError(`silence needs add, list or remove, not "${sub ?? ''}"`);
    }
  } finally {
    client.destroy();
  }
}

function describe(s: Silence): string {
  const parts = Object.entries(s.match).map(([k, v]) => `${k === 'connectorId' ? 'connector' : k}=${v}`);
  return `${parts.join(' ')} — ${s.reason}${s.createdBy ? ` (by ${s.createdBy})` : ''}`;
}

/**
 * Redrives the notifications dead-letter queue with the notifier's configuration from `runtime.env` and its
 * AWS client settings (`runtime.aws`: the lab passes its edge); the counts, or an error naming what is missing.
 */
export async function redriveNotifications(runtime: FunctionRuntime = runtimeFromEnvironment(), max = 100) {
  const table = tableFromEnv(runtime.env);
  const wiring = wireNotify(
    { tableName: table.tableName, region: table.region, dynamodbEndpoint: table.endpoint },
    loadAlertsConfig(runtime.env),
    { logger: runtime.logger, metrics: runtime.metrics, clock: runtime.clock },
    runtime.aws,
  );
  try {
    return await redriveDeadLetters(wiring.deps, max);
  } finally {
    wiring.destroy();
  }
}

export async function notificationsCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'redrive') throw new AlertsUsageError(`notifications needs redrive, not "${sub ?? ''}"`);
  const { values } = parseArgs({ args: rest, options: { max: { type: 'string', default: '100' } } });
  const max = Number(values.max);
  if (!Number.isInteger(max) || max <= 0) throw new AlertsUsageError('--max takes a positive whole number');
  const result = await redriveNotifications(runtimeFromEnvironment(env), max);
  process.stdout.write(
    `redriven ${result.redriven}, already sent ${result.alreadySent}, failed again ${result.failed}` +
      `${result.unknownChannel ? `, for channels not configured ${result.unknownChannel}` : ''}\n`,
  );
  return result.failed > 0 || result.unknownChannel > 0 ? 1 : 0;
}
