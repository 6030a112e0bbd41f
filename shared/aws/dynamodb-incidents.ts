/**
 * Incident state and the delivery ledger on the monitor table (docs/alerts.md):
 *
 *   INCIDENTS#<account>#<region>  BOOK                      the incident book + outbox, `version` (optimistic)
 *   INCIDENT-BOOKS                <account>#<region>        registry of books (the reminder tick visits them)
 *   INCIDENT#<incidentId>         META                      public incident (gsi1: INCIDENTS#<account>#<region>,
 *                                                           <openedAt>#<id>): rule, severity, status,
 *                                                           connectorIds, openedAt, resolvedAt, actors, silenced
 *   NOTIFY#<incidentId>           <transitionId>#<channel>  ledger: sending | sent | dead-lettered (TTL 30 days)
 *   NOTIFY#<incidentId>           ANCHOR#<cycle>#<channel>  receipt of the cycle's announcement (Slack ts)
 *   SILENCE                       <silenceId>               a silence (TTL at expiry + 7 days)
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ClaimOutcome,
  DeliveryKey,
  DeliveryLedger,
  DeliveryReceipt,
  IncidentStore,
  StoredBook,
} from '../alerts-ports.js';
import {
  EMPTY_BOOK,
  type Incident,
  type IncidentBook,
  type IncidentTransition,
  type Silence,
} from '../domain/incidents.js';
import type { Scope } from '../ports.js';
import { SCOPE_INDEX } from './table-definition.js';

const LEDGER_TTL_DAYS = 30;
const SILENCE_TTL_GRACE_DAYS = 7;
const scopeKey = (s: Scope) => `${s.account}#${s.region}`;
const ledgerSk = (k: DeliveryKey) => `${k.transitionId}#${k.channel}`;

export interface DynamoDbIncidentsOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** IncidentStore and DeliveryLedger on one table. */
export class DynamoDbIncidents implements IncidentStore, DeliveryLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbIncidentsOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
  }

  // ------------------------------------------------------------------------------------------ incident book

  async loadBook(scope: Scope): Promise<StoredBook> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `INCIDENTS#${scopeKey(scope)}`, sk: 'BOOK' },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return { book: EMPTY_BOOK, version: 0, outbox: [] };
    return {
      book: JSON.parse(out.Item.book as string) as IncidentBook,
      version: out.Item.version as number,
      outbox: JSON.parse(out.Item.outbox as string) as IncidentTransition[],
    };
  }

  async saveBook(
    scope: Scope,
    book: IncidentBook,
    outbox: IncidentTransition[],
    expectedVersion: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `INCIDENTS#${scopeKey(scope)}`,
            sk: 'BOOK',
            ...scope,
            version: expectedVersion + 1,
            book: JSON.stringify(book),
            outbox: JSON.stringify(outbox),
            outboxSize: outbox.length,
          },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    if (expectedVersion === 0) {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: 'INCIDENT-BOOKS', sk: scopeKey(scope), ...scope } }),
      );
    }
    return true;
  }

  async listBookScopes(): Promise<Scope[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'INCIDENT-BOOKS' },
      ConsistentRead: true,
    });
    return items.map((i) => ({ account: i.account as string, region: i.region as string }));
  }

  async putIncidents(incidents: readonly Incident[]): Promise<void> {
    await Promise.all(
      incidents.map((i) =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              pk: `INCIDENT#${i.incidentId}`,
              sk: 'META',
              gsi1pk: `INCIDENTS#${i.account}#${i.region}`,
              gsi1sk: `${i.openedAt}#${i.incidentId}`,
              incidentId: i.incidentId,
              kind: i.kind,
              rule: i.rule,
              severity: i.severity,
              status: i.status,
              account: i.account,
              region: i.region,
              connectorIds: i.connectorIds,
              openedAt: i.openedAt,
              resolvedAt: i.resolvedAt ?? undefined,
              actors: i.actors,
              silenced: i.silenced !== null,
              silenceReason: i.silenced?.reason,
              body: JSON.stringify(i),
            },
          }),
        ),
      ),
    );
  }

  async listIncidents(scope: Scope): Promise<Incident[]> {
    const items = await this.queryAll({
      TableName: this.table,
      IndexName: SCOPE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `INCIDENTS#${scopeKey(scope)}` },
    });
    return items.map((i) => JSON.parse(i.body as string) as Incident);
  }

  async connectorNames(ids: readonly string[]): Promise<Map<string, string | null>> {
    const names = new Map<string, string | null>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, unknown>[] = ids.slice(i, i + 100).map((id) => ({ pk: `CONN#${id}`, sk: 'META' }));
      for (let attempt = 0; keys.length > 0 && attempt < 8; attempt++) {
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table]: { Keys: keys, ProjectionExpression: 'pk, #n', ExpressionAttributeNames: { '#n': 'name' } },
            },
          }),
        );
        for (const item of out.Responses?.[this.table] ?? []) {
          names.set(String(item.pk).slice('CONN#'.length), (item.name as string | undefined) ?? null);
        }
        keys = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        if (keys.length > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
      }
    }
    return names;
  }

  // ---------------------------------------------------------------------------------------------- silences

  async listSilences(): Promise<Silence[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SILENCE' },
      ConsistentRead: true,
    });
    return items.map((i) => JSON.parse(i.body as string) as Silence);
  }

  async putSilence(silence: Silence): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: 'SILENCE',
          sk: silence.silenceId,
          expiresAt: silence.expiresAt,
          reason: silence.reason,
          body: JSON.stringify(silence),
          ttl: Math.floor(Date.parse(silence.expiresAt) / 1000) + SILENCE_TTL_GRACE_DAYS * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async deleteSilence(silenceId: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: 'SILENCE', sk: silenceId }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined;
  }

  // ------------------------------------------------------------------------------------------------ ledger

  async claim(
    key: DeliveryKey,
    options: { nowMs: number; leaseMs: number; fromDeadLetter?: boolean },
  ): Promise<ClaimOutcome> {
    const expired = '(#s = :sending AND leaseUntil < :now)';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `NOTIFY#${key.incidentId}`, sk: ledgerSk(key) },
          UpdateExpression:
            'SET #s = :sending, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, #ttl = :ttl',
          ConditionExpression: options.fromDeadLetter
            ? `#s = :dl OR ${expired}`
            : `attribute_not_exists(pk) OR ${expired}`,
          ExpressionAttributeNames: { '#s': 'state', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':lease': options.nowMs + options.leaseMs,
            ':now': options.nowMs,
            ':zero': 0,
            ':one': 1,
            ':ttl': Math.floor(options.nowMs / 1000) + LEDGER_TTL_DAYS * 86_400,
            ...(options.fromDeadLetter ? { ':dl': 'dead-lettered' } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const state = (error.Item?.state as { S?: string } | undefined)?.S;
      if (state === 'sent') return 'already-sent';
      if (state === 'dead-lettered') return 'dead-lettered';
      if (state === 'sending') return 'in-flight';
      return 'already-sent'; // redrive of a key that was never dead-lettered
    }
  }

  async complete(key: DeliveryKey, receipt: DeliveryReceipt): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `NOTIFY#${key.incidentId}`, sk: ledgerSk(key) },
        UpdateExpression: 'SET #s = :sent, receipt = :r REMOVE reason',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':r': receipt },
      }),
    );
  }

  async deadLetter(key: DeliveryKey, reason: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `NOTIFY#${key.incidentId}`, sk: ledgerSk(key) },
        UpdateExpression: 'SET #s = :dl, reason = :r',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':dl': 'dead-lettered', ':r': reason },
      }),
    );
  }

  async anchor(incidentId: string, cycle: number, channel: string): Promise<DeliveryReceipt | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `NOTIFY#${incidentId}`, sk: `ANCHOR#${cycle}#${channel}` },
        ConsistentRead: true,
      }),
    );
    return out.Item?.receipt as DeliveryReceipt | undefined;
  }

  async setAnchor(incidentId: string, cycle: number, channel: string, receipt: DeliveryReceipt): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `NOTIFY#${incidentId}`, sk: `ANCHOR#${cycle}#${channel}`, receipt },
      }),
    );
  }

  /** Every ledger entry of an incident (CLI, tests). */
  async ledgerOf(incidentId: string): Promise<Record<string, unknown>[]> {
    return this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `NOTIFY#${incidentId}` },
      ConsistentRead: true,
    });
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
