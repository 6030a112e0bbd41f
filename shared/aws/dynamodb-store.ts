/**
 * MonitorStore on one DynamoDB table. Keys (docs/projection.md has the state model):
 *
 *   LOG#<account>#<region>        EVT#<eventTime>#<eventId>#<hash>  one normalized event (ingest: one conditional put, TTL)
 *   QUARANTINE#<yyyy-mm-dd>       <receivedAt>#<n>                   a rejected event and its reason (TTL)
 *   PROJ#<account>#<region>       EVT#<yyyy-mm-ddThh>                core checkpoint of the fold (TTL once superseded)
 *   SNAP#<account>#<region>#<id>  EVT#<yyyy-mm-ddThh>                a connector's fold state at a checkpoint
 *   IDX#<account>#<region>#…      EVT#…                              eventID / name / ENI / MicroVM index entries
 *   VIEWS#<account>#<region>      CONN#<id> | FINDING#<fp>           the scope's current views and findings
 *   HP#<account>#<region>         EVT#…                              Hyperplane ENIs seen
 *   CONFLICT#<account>#<region>   <eventId>#<hash>                   a losing variant of a conflicting eventID
 *   LEASE#<account>#<region>      LEASE                              the projector's lease on the scope
 *   SCOPES                        <account>#<region>                 the scope registry
 *   CONN#<connectorId>            META                               connector view (gsi1: SCOPE#…, CONN#…)
 *   FINDING#<fingerprint>         META                               finding (gsi1: SCOPE#…, FINDING#<firstSeen>#…)
 *   FACTS#<account>#<region>      NETWORK                            latest network facts (gzipped snapshot, capturedAt)
 *   FACTS#<account>#<region>      NETWORK#<capturedAt>               each collected version (TTL), docs/network-facts.md
 */

import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { HyperplaneEniView } from '../domain/connector-lifecycle.js';
import { contentHash, type EventConflict, eventKey } from '../domain/event-identity.js';
import { clipText } from '../domain/input-limits.js';
import type { ConnectorView, Finding, NetworkFacts, NormalizedEvent } from '../domain/model.js';
import { NO_NETWORK_FACTS } from '../domain/model.js';
import { type NetworkSnapshot, networkFactsOf } from '../domain/network-facts.js';
import type { FactsSaveOutcome } from '../network-ports.js';
import {
  type AppendOutcome,
  ItemRefusedError,
  type KeyRange,
  type LogItem,
  type MonitorStore,
  type QuarantineEntry,
  type Scope,
  type StateItem,
} from '../ports.js';

const QUARANTINE_TTL_DAYS = 30;
/** DynamoDB's item limit is 400 KB; keep the quarantined payload (UTF-8 bytes) well under it. */
const MAX_QUARANTINE_BYTES = 300_000;
/** Default horizon: log items expire this long after ingest (seconds); docs/projection.md. */
export const DEFAULT_LOG_HORIZON_SECONDS = 7 * 86_400;
type CapacityReport = { CapacityUnits?: number | undefined };
const STATE_KEYS = new Set(['pk', 'sk', 'body', 'basis', 'ttl']);
const MAX_QUARANTINE_ERROR_BYTES = 4096;
const MAX_QUARANTINE_ID_BYTES = 1024;
/** Compressed snapshot budget per item (DynamoDB's item limit is 400 KB). */
const MAX_FACTS_BYTES = 350_000;
const FACTS_VERSION_TTL_DAYS = 7;

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Seconds a log item is kept after ingest (TTL); default 7 days. */
  logHorizonSeconds?: number;
}

/** Capacity units DynamoDB reported as consumed (ReturnConsumedCapacity TOTAL), since the last reset. */
export interface ConsumedCapacity {
  read: number;
  write: number;
  reset(): void;
}

const scopeKey = (s: Scope) => `${s.account}#${s.region}`;

export class DynamoDbStore implements MonitorStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly horizon: number;
  /** Read and write capacity units consumed by this store's requests. */
  readonly consumed: ConsumedCapacity = {
    read: 0,
    write: 0,
    reset() {
      this.read = 0;
      this.write = 0;
    },
  };

  constructor(options: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
    this.horizon = options.logHorizonSeconds ?? DEFAULT_LOG_HORIZON_SECONDS;
  }

  async appendEvent(event: NormalizedEvent): Promise<AppendOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: logRecord(event, this.horizon, Date.now()),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'stored';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw refusedOr(error);
    }
  }

  /** Raw text, reason and eventId are cut by UTF-8 bytes so the item stays under DynamoDB's 400 KB. */
  async quarantine(entry: QuarantineEntry): Promise<void> {
    const raw = clipText(entry.raw, MAX_QUARANTINE_BYTES);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `QUARANTINE#${entry.receivedAt.slice(0, 10)}`,
          sk: `${entry.receivedAt}#${randomUUID()}`,
          eventId: entry.eventId === null ? undefined : clipText(entry.eventId, MAX_QUARANTINE_ID_BYTES),
          error: clipText(entry.error, MAX_QUARANTINE_ERROR_BYTES),
          raw,
          ttl: Math.floor(Date.parse(entry.receivedAt) / 1000) + QUARANTINE_TTL_DAYS * 86_400,
        },
      }),
    );
  }

  async listQuarantine(day: string): Promise<QuarantineEntry[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `QUARANTINE#${day}` },
      ConsistentRead: true,
    });
    return items.map((i) => ({
      eventId: (i.eventId as string | undefined) ?? null,
      error: i.error as string,
      raw: i.raw as string,
      receivedAt: (i.sk as string).split('#')[0] ?? '',
    }));
  }

  async loadEvents(scope: Scope): Promise<NormalizedEvent[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
      ExpressionAttributeValues: { ':pk': `LOG#${scopeKey(scope)}`, ':evt': 'EVT#' },
      ConsistentRead: true,
    });
    return items.map((i) => JSON.parse(i.e as string) as NormalizedEvent);
  }

  /**
   * The latest network facts of a scope: the gzipped snapshot (`factsGz`, maps derived from it) or, for items
   * written before snapshots existed, the link maps (`facts`). NO_NETWORK_FACTS when none is stored.
   */
  async loadNetworkFacts(scope: Scope): Promise<NetworkFacts> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `FACTS#${scopeKey(scope)}`, sk: 'NETWORK' },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return NO_NETWORK_FACTS;
    if (out.Item.factsGz instanceof Uint8Array) {
      return networkFactsOf(JSON.parse(gunzipSync(out.Item.factsGz).toString('utf8')) as NetworkSnapshot);
    }
    return { ...NO_NETWORK_FACTS, ...(JSON.parse(out.Item.facts as string) as Partial<NetworkFacts>) };
  }

  /**
   * Stores facts compactly (the snapshot as gzipped JSON; the link maps are derived on load) and versioned
   * by capture time: `NETWORK` holds the latest (a conditional put refuses an older `capturedAt`: 'stale'),
   * `NETWORK#<capturedAt>` keeps each version for FACTS_VERSION_TTL_DAYS. Throws when the compressed
   * snapshot exceeds MAX_FACTS_BYTES (DynamoDB's item limit is 400 KB).
   */
  async saveNetworkFacts(scope: Scope, facts: NetworkFacts): Promise<FactsSaveOutcome> {
    const pk = `FACTS#${scopeKey(scope)}`;
    const snapshot = facts.snapshot;
    if (!snapshot) {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk, sk: 'NETWORK', facts: JSON.stringify(facts) } }),
      );
      return 'saved';
    }
    const factsGz = gzipSync(JSON.stringify(snapshot));
    if (factsGz.byteLength > MAX_FACTS_BYTES) {
      throw new Error(
        `network facts of ${scopeKey(scope)} are ${factsGz.byteLength} bytes compressed, over the ${MAX_FACTS_BYTES}-byte item budget`,
      );
    }
    const { capturedAt } = snapshot;
    const ttl = Math.floor(Date.parse(capturedAt) / 1000) + FACTS_VERSION_TTL_DAYS * 86_400;
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { pk, sk: `NETWORK#${capturedAt}`, capturedAt, factsGz, ttl } }),
    );
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk, sk: 'NETWORK', capturedAt, factsGz },
          ConditionExpression: 'attribute_not_exists(capturedAt) OR capturedAt <= :c',
          ExpressionAttributeValues: { ':c': capturedAt },
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'stale';
      throw error;
    }
  }

  async listScopes(): Promise<Scope[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SCOPES' },
      ConsistentRead: true,
    });
    return items.map((i) => ({ account: i.account as string, region: i.region as string }));
  }

  async listConnectors(scope: Scope): Promise<ConnectorView[]> {
    const items = await this.queryItems(`VIEWS#${scopeKey(scope)}`, { prefix: 'CONN#' });
    const views = items.map((i) => JSON.parse(i.body) as ConnectorView);
    return views.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  }

  async listFindings(scope: Scope): Promise<Finding[]> {
    const items = await this.queryItems(`VIEWS#${scopeKey(scope)}`, { prefix: 'FINDING#' });
    const findings = items.map((i) => JSON.parse(i.body) as Finding);
    return findings.sort(
      (a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.fingerprint.localeCompare(b.fingerprint),
    );
  }

  async listHyperplaneEnis(scope: Scope): Promise<HyperplaneEniView[]> {
    const items = await this.queryItems(`HP#${scopeKey(scope)}`);
    return items.map((i) => JSON.parse(i.body) as HyperplaneEniView);
  }

  /** Conflicting eventIDs recorded by the projection (the latest record per eventID). */
  async listConflicts(scope: Scope): Promise<EventConflict[]> {
    const items = await this.queryItems(`CONFLICT#${scopeKey(scope)}`);
    const byId = new Map<string, EventConflict>();
    for (const item of items) {
      const conflict = JSON.parse(item.body) as EventConflict;
      const known = byId.get(conflict.eventId);
      if (!known || conflict.variants.length > known.variants.length) byId.set(conflict.eventId, conflict);
    }
    return [...byId.values()].sort((a, b) => a.eventId.localeCompare(b.eventId));
  }

  async readLog(scope: Scope, fromKey: string): Promise<LogItem[]> {
    const items = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': `LOG#${scopeKey(scope)}`, ':from': fromKey },
      ConsistentRead: true,
    });
    return items.map(logItem);
  }

  async getLog(scope: Scope, keys: readonly string[]): Promise<LogItem[]> {
    const items = await this.batchGet(keys.map((sk) => ({ pk: `LOG#${scopeKey(scope)}`, sk })));
    return items.map(logItem);
  }

  async queryItems(pk: string, range: KeyRange = {}): Promise<StateItem[]> {
    const values: Record<string, unknown> = { ':pk': pk };
    let condition = 'pk = :pk';
    if (range.prefix !== undefined) {
      condition += ' AND begins_with(sk, :prefix)';
      values[':prefix'] = range.prefix;
    } else if (range.gte !== undefined && range.lte !== undefined) {
      condition += ' AND sk BETWEEN :gte AND :lte';
      values[':gte'] = range.gte;
      values[':lte'] = range.lte;
    } else if (range.gte !== undefined) {
      condition += ' AND sk >= :gte';
      values[':gte'] = range.gte;
    } else if (range.gt !== undefined) {
      condition += ' AND sk > :gt';
      values[':gt'] = range.gt;
    } else if (range.lte !== undefined) {
      condition += ' AND sk <= :lte';
      values[':lte'] = range.lte;
    }
    const items = await this.queryAll(
      {
        TableName: this.table,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        ScanIndexForward: !range.descending,
        ...(range.limit ? { Limit: range.limit } : {}),
      },
      range.limit,
    );
    return items.map(stateItem);
  }

  async getItems(keys: readonly { pk: string; sk: string }[]): Promise<StateItem[]> {
    return (await this.batchGet(keys)).map(stateItem);
  }

  async putItems(items: readonly StateItem[]): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let requests = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: stateRecord(item) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: requests }, ReturnConsumedCapacity: 'TOTAL' }),
        );
        this.count(out.ConsumedCapacity);
        requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
        if (requests.length > 0) await backoff(attempt);
      }
    }
  }

  async putIfNotNewer(item: StateItem & { basis: number }): Promise<boolean> {
    return this.conditionalPut(item, 'attribute_not_exists(pk) OR basis <= :b', { ':b': item.basis });
  }

  async putIfAbsent(item: StateItem): Promise<boolean> {
    return this.conditionalPut(item, 'attribute_not_exists(pk)');
  }

  async deleteIfNotNewer(pk: string, sk: string, basis: number): Promise<void> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk, sk },
          ConditionExpression: 'attribute_not_exists(pk) OR basis <= :b',
          ExpressionAttributeValues: { ':b': basis },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count(out.ConsumedCapacity);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async acquireLease(pk: string, owner: string, nowMs: number, expiresAt: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk, sk: 'LEASE', owner, expiresAt, ttl: Math.floor(expiresAt / 1000) + 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #o = :owner',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':now': nowMs, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseLease(pk: string, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk, sk: 'LEASE' },
          ConditionExpression: '#o = :owner',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async conditionalPut(item: StateItem, condition: string, values?: Record<string, unknown>): Promise<boolean> {
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: stateRecord(item),
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count(out.ConsumedCapacity);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private count(capacity: CapacityReport[] | CapacityReport | undefined, kind: 'read' | 'write' = 'write'): void {
    for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
      this.consumed[kind] += c.CapacityUnits ?? 0;
    }
  }

  private async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.count(out.ConsumedCapacity, 'read');
        found.push(...((out.Responses?.[this.table] ?? []) as Record<string, unknown>[]));
        pending = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        if (pending.length > 0) await backoff(attempt);
      }
    }
    return found;
  }

  private async queryAll(input: QueryCommandInput, limit?: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ ...input, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.count(out.ConsumedCapacity, 'read');
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey;
    } while (start && (limit === undefined || items.length < limit));
    return items;
  }
}

/**
 * The DynamoDB item of one log event (docs/projection.md, "Keys"): pk `LOG#<account>#<region>`, sk the event
 * key, the content hash, the event as JSON in `e`, and `ttl` (epoch seconds) = `horizonSeconds` after the later
 * of its eventTime and `nowMs` (epoch ms, the ingest time). appendEvent writes it; the projection benchmark
 * seeds its history with it.
 */
export function logRecord(event: NormalizedEvent, horizonSeconds: number, nowMs: number): Record<string, unknown> {
  const hash = contentHash(event);
  const at = Date.parse(event.eventTime);
  const kept = Math.max(Number.isNaN(at) ? 0 : at, nowMs);
  return {
    pk: `LOG#${event.account}#${event.region}`,
    sk: eventKey(event, hash),
    eventId: event.eventId,
    kind: event.kind,
    hash,
    e: JSON.stringify(event),
    ttl: Math.floor(kept / 1000) + horizonSeconds,
  };
}

function logItem(i: Record<string, unknown>): LogItem {
  const event = JSON.parse(i.e as string) as NormalizedEvent;
  return { key: i.sk as string, hash: (i.hash as string | undefined) ?? contentHash(event), event };
}

/**
 * DynamoDB answers ValidationException for items it cannot hold (a key over 1,024/2,048 bytes, an item over
 * 400 KB): that is the event's fault, not the table's, so it becomes an ItemRefusedError.
 */
function refusedOr(error: unknown): unknown {
  if (error instanceof Error && error.name === 'ValidationException') {
    return new ItemRefusedError(`DynamoDB ValidationException: ${clipText(error.message, 512)}`, { cause: error });
  }
  return error;
}

function stateItem(i: Record<string, unknown>): StateItem {
  const attributes: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(i)) {
    if (!STATE_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number')) attributes[k] = v;
  }
  return {
    pk: i.pk as string,
    sk: i.sk as string,
    body: (i.body as string | undefined) ?? '{}',
    ...(typeof i.basis === 'number' ? { basis: i.basis } : {}),
    ...(typeof i.ttl === 'number' ? { ttl: i.ttl } : {}),
    attributes,
  };
}

/**
 * The DynamoDB item of a projection state item: its attributes, then pk, sk, body, basis and ttl (epoch
 * seconds) when set. putItems and the conditional puts write it; the projection benchmark seeds with it.
 */
export function stateRecord(item: StateItem): Record<string, unknown> {
  return {
    ...(item.attributes ?? {}),
    pk: item.pk,
    sk: item.sk,
    body: item.body,
    ...(item.basis !== undefined ? { basis: item.basis } : {}),
    ...(item.ttl !== undefined ? { ttl: item.ttl } : {}),
  };
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 50 * 2 ** attempt)));
}
