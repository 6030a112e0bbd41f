/**
 * ReportSource on the monitor's DynamoDB table (key layout in shared/aws/dynamodb-store.ts):
 *
 *   CONN# / FINDING#            via DynamoDbStore (per scope, strongly consistent)
 *   CANARY#<connectorId>        RUN#<startedAt>   one Query per connector, sk BETWEEN the window's bounds
 *   INCIDENT#<incidentId>       META              Query gsi1 `INCIDENTS#<account>#<region>` per scope (alerts' index)
 *   LOG#<account>#<region>      EVT#<eventTime>#… Select COUNT per scope over the window (events received;
 *                                                 eventID `obs-…` = reconcile observations = repaired)
 *   QUARANTINE#<yyyy-mm-dd>     <receivedAt>#…    Select COUNT per day of the window
 *
 * Dead-lettered messages live in SQS, not in the table: that count is reported as not available.
 * Items that do not have the shape of a canary run or an incident are skipped and logged, never guessed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CanaryRun } from '../domain/canary.js';
import type { ConnectorView, Finding } from '../domain/model.js';
import type { IncidentRecord, MonitorHealth } from '../domain/report.js';
import type { Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import type { ReportSource, ReportWindow } from '../report-ports.js';
import { DynamoDbStore } from './dynamodb-store.js';
import { SCOPE_INDEX } from './table-definition.js';

/** Reconcile writes its observations as events whose eventID starts with this (docs/report.md). */
export const RECONCILE_EVENT_ID_PREFIX = 'obs-';

const ProbeSchema = z.object({
  targetId: z.string(),
  kind: z.enum(['tcp', 'http', 'dns', 'egress-ip']),
  target: z.string(),
  expect: z.enum(['reachable', 'blocked']),
  verdict: z.enum(['reachable', 'blocked']),
  met: z.boolean(),
  latencyMs: z.number().nullable(),
  errorClass: z.enum(['timeout', 'refused', 'dns', 'tls', 'http-status']).nullable(),
  resolvedAddress: z.string().nullable(),
});

const CanaryRunSchema = z.object({
  connectorId: z.string(),
  connectorName: z.string(),
  account: z.string(),
  region: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  microvmSeconds: z.number().min(0),
  met: z.boolean(),
  probes: z.array(ProbeSchema),
});

const stringList = z.preprocess((v) => (v instanceof Set ? [...v] : v), z.array(z.string()));
/** The public attributes of alerts' incident items; `body` (the full incident, JSON) names the member findings. */
const IncidentItemSchema = z.object({
  pk: z.string(),
  incidentId: z.string().optional(),
  rule: z.string(),
  severity: z.string(),
  status: z.string(),
  connectorIds: stringList.default([]),
  openedAt: z.string(),
  resolvedAt: z.string().nullable().optional(),
  actors: stringList.default([]),
  silenced: z.boolean().default(false),
  summary: z.string().nullable().optional(),
  fingerprints: stringList.optional(),
  body: z.string().optional(),
});
const IncidentBodySchema = z.looseObject({
  members: z.array(z.looseObject({ fingerprint: z.string(), summary: z.string().optional() })).default([]),
});

export interface DynamoDbReportSourceOptions {
  client: DynamoDBClient;
  tableName: string;
  logger?: Logger;
}

/** Reads connectors, findings, incidents, canary runs and health counts for the report. */
export class DynamoDbReportSource implements ReportSource {
  private readonly doc: DynamoDBDocumentClient;
  private readonly store: DynamoDbStore;
  private readonly table: string;
  private readonly logger: Logger;

  constructor(options: DynamoDbReportSourceOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client);
    this.store = new DynamoDbStore({ client: options.client, tableName: options.tableName });
    this.table = options.tableName;
    this.logger = options.logger ?? silentLogger;
  }

  async listConnectors(): Promise<ConnectorView[]> {
    const scopes = await this.store.listScopes();
    return (await Promise.all(scopes.map((s) => this.store.listConnectors(s)))).flat();
  }

  async listFindings(): Promise<Finding[]> {
    const scopes = await this.store.listScopes();
    return (await Promise.all(scopes.map((s) => this.store.listFindings(s)))).flat();
  }

  async listIncidents(): Promise<IncidentRecord[]> {
    const scopes = await this.store.listScopes();
    const items = (
      await Promise.all(
        scopes.map((scope) =>
          this.queryAll({
            TableName: this.table,
            IndexName: SCOPE_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `INCIDENTS#${scope.account}#${scope.region}` },
          }),
        ),
      )
    ).flat();
    const incidents: IncidentRecord[] = [];
    for (const item of items) {
      const parsed = IncidentItemSchema.safeParse(item);
      const body = parsed.success && parsed.data.body ? IncidentBodySchema.safeParse(safeJson(parsed.data.body)) : null;
      if (!parsed.success || (body && !body.success)) {
        const error = parsed.success ? body?.error?.message : parsed.error.message;
        this.logger.warn('incident item skipped: not an incident record', { pk: item.pk, error });
        continue;
      }
      const i = parsed.data;
      const members = body?.success ? body.data.members : [];
      incidents.push({
        incidentId: i.incidentId ?? i.pk.slice('INCIDENT#'.length),
        rule: i.rule,
        severity: i.severity,
        status: i.status,
        connectorIds: i.connectorIds,
        openedAt: i.openedAt,
        resolvedAt: i.resolvedAt ?? null,
        actors: i.actors,
        silenced: i.silenced,
        summary: i.summary ?? members[0]?.summary ?? null,
        fingerprints: i.fingerprints ?? members.map((m) => m.fingerprint),
      });
    }
    return incidents;
  }

  async listCanaryRuns(connectorIds: readonly string[], window: ReportWindow): Promise<CanaryRun[]> {
    const perConnector = await Promise.all(
      [...new Set(connectorIds)].map((id) =>
        this.queryAll({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': `CANARY#${id}`,
            ':from': `RUN#${window.since}`,
            ':to': `RUN#${window.until}`,
          },
        }),
      ),
    );
    const runs: CanaryRun[] = [];
    for (const item of perConnector.flat()) {
      const candidate =
        typeof item.body === 'string'
          ? JSON.parse(item.body)
          : typeof item.run === 'string'
            ? JSON.parse(item.run)
            : item;
      const parsed = CanaryRunSchema.safeParse(candidate);
      // BETWEEN includes a run started exactly at `until`; the window is [since, until).
      if (parsed.success) {
        if (Date.parse(parsed.data.startedAt) < Date.parse(window.until)) runs.push(parsed.data);
      } else
        this.logger.warn('canary run skipped: not a CanaryRun', {
          pk: item.pk,
          sk: item.sk,
          error: parsed.error.message,
        });
    }
    return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async monitorHealth(window: ReportWindow): Promise<MonitorHealth> {
    const scopes = await this.store.listScopes();
    const between = { ':from': `EVT#${window.since}`, ':to': `EVT#${window.until}` };
    const [received, repaired] = await Promise.all([
      this.countAll(
        scopes.map((s) => ({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `LOG#${s.account}#${s.region}`, ...between },
        })),
      ),
      this.countAll(
        scopes.map((s) => ({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          FilterExpression: 'begins_with(eventId, :obs)',
          ExpressionAttributeValues: {
            ':pk': `LOG#${s.account}#${s.region}`,
            ':obs': RECONCILE_EVENT_ID_PREFIX,
            ...between,
          },
        })),
      ),
    ]);
    const quarantined = await this.countAll(
      daysOf(window).map((day) => ({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `QUARANTINE#${day}`, ':from': window.since, ':to': window.until },
      })),
    );
    return {
      eventsReceived: {
        count: received,
        source: `event log items with eventTime in the window, ${scopes.length} account/region scope(s)`,
      },
      repaired: {
        count: repaired,
        source: `reconcile observations (eventID "${RECONCILE_EVENT_ID_PREFIX}…") in the event log`,
      },
      quarantined: { count: quarantined, source: 'quarantine items received in the window (kept 30 days)' },
      deadLettered: {
        count: null,
        // The table keeps no dead letters; the report reads the SQS queues when configured (deadLetterHealth).
        source: 'not available: the table keeps no dead letters and no dead-letter queue is configured for the report',
      },
    };
  }

  private async countAll(queries: QueryCommandInput[]): Promise<number> {
    let total = 0;
    for (const input of queries) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: start }));
        total += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return total;
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

/** Every UTC day (yyyy-mm-dd) the window touches. */
function daysOf(window: ReportWindow): string[] {
  const days: string[] = [];
  const end = Date.parse(window.until);
  for (let t = Date.parse(window.since.slice(0, 10)); t <= end; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
