/**
 * MonitorStore on one DynamoDB table (docs/architecture.md#state-model).
 *
 *   LOG#<account>#<region>   EVT#<eventTime>#<eventId>   one normalized event (ingest: one conditional put)
 *   QUARANTINE#<yyyy-mm-dd>  <receivedAt>#<n>            a rejected event and its reason (TTL)
 *   SCOPE#<account>#<region> PROJECTION                  projection guard: basis (event count), item hashes,
 *                                                        finding statuses (so transitions are exact)
 *   SCOPES                   <account>#<region>          the scope registry
 *   CONN#<connectorId>       META                        connector view (gsi1: SCOPE#…, CONN#…)
 *   FINDING#<fingerprint>    META                        finding (gsi1: SCOPE#…, FINDING#<firstSeen>#…)
 *   FACTS#<account>#<region> NETWORK                     latest network facts (gzipped snapshot, capturedAt)
 *   FACTS#<account>#<region> NETWORK#<capturedAt>        each collected version (TTL), docs/network-facts.md
 */

import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
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
import type { HyperplaneEniView } from '../domain/connector-lifecycle.js';
import { fingerprintOf } from '../domain/fingerprint.js';
import { clipText } from '../domain/input-limits.js';
import type { ConnectorView, Finding, NetworkFacts, NormalizedEvent } from '../domain/model.js';
import { NO_NETWORK_FACTS } from '../domain/model.js';
import { type NetworkSnapshot, networkFactsOf } from '../domain/network-facts.js';
import type { FactsSaveOutcome } from '../network-ports.js';
import {
  type AppendOutcome,
  type FindingChange,
  ItemRefusedError,
  type MonitorStore,
  type Projection,
  type QuarantineEntry,
  type SaveOutcome,
  type Scope,
} from '../ports.js';

const QUARANTINE_TTL_DAYS = 30;
/** DynamoDB's item limit is 400 KB; keep the quarantined payload (UTF-8 bytes) well under it. */
const MAX_QUARANTINE_BYTES = 300_000;
const MAX_QUARANTINE_ERROR_BYTES = 4096;
const MAX_QUARANTINE_ID_BYTES = 1024;
const WRITE_CONCURRENCY = 8;
/** Compressed snapshot budget per item (DynamoDB's item limit is 400 KB). */
const MAX_FACTS_BYTES = 350_000;
const FACTS_VERSION_TTL_DAYS = 7;

export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

interface ScopeItem {
  basis: number;
  hashes: Record<string, string>;
  findingStatus: Record<string, string>;
  hyperplaneEnis?: string;
}

const scopeKey = (s: Scope) => `${s.account}#${s.region}`;

export class DynamoDbStore implements MonitorStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
  }

  async appendEvent(event: NormalizedEvent): Promise<AppendOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `LOG#${event.account}#${event.region}`,
            sk: `EVT#${event.eventTime}#${event.eventId}`,
            eventId: event.eventId,
            kind: event.kind,
            e: JSON.stringify(event),
          },
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

  async saveProjection(scope: Scope, projection: Projection, basis: number): Promise<SaveOutcome> {
    const items = new Map<string, Record<string, unknown>>();
    for (const c of projection.connectors) items.set(`CONN#${c.id}`, this.connectorItem(scope, c, basis));
    for (const f of projection.findings) items.set(`FINDING#${f.fingerprint}`, this.findingItem(scope, f, basis));
    const hashes: Record<string, string> = {};
    for (const [key, item] of items) hashes[key] = fingerprintOf(String(item.body));
    const findingStatus = Object.fromEntries(projection.findings.map((f) => [f.fingerprint, f.status]));

    let previous: ScopeItem | undefined;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `SCOPE#${scopeKey(scope)}`, sk: 'PROJECTION' },
          UpdateExpression: 'SET basis = :b, hashes = :h, findingStatus = :f, hyperplaneEnis = :x, updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR basis < :b',
          ExpressionAttributeValues: {
            ':b': basis,
            ':h': hashes,
            ':f': findingStatus,
            ':x': JSON.stringify(projection.hyperplaneEnis),
            ':now': new Date().toISOString(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      previous = out.Attributes as ScopeItem | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { saved: false, reason: 'stale' };
      throw error;
    }
    if (!previous) {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: 'SCOPES', sk: scopeKey(scope), ...scope } }),
      );
    }

    const oldHashes = previous?.hashes ?? {};
    const writes = [...items].filter(([key]) => oldHashes[key] !== hashes[key]).map(([, item]) => item);
    const deletes = Object.keys(oldHashes).filter((key) => !items.has(key));
    await forEachLimited(writes, WRITE_CONCURRENCY, (item) => this.putIfNotOlder(item, basis));
    await forEachLimited(deletes, WRITE_CONCURRENCY, (pk) => this.deleteIfOlder(pk, basis));
    return { saved: true, changes: findingChanges(previous?.findingStatus ?? {}, projection.findings) };
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
    const keys = Object.keys((await this.scopeItem(scope))?.hashes ?? {}).filter((k) => k.startsWith('CONN#'));
    const views = (await this.getBodies(keys)) as ConnectorView[];
    return views.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  }

  async listFindings(scope: Scope): Promise<Finding[]> {
    const keys = Object.keys((await this.scopeItem(scope))?.hashes ?? {}).filter((k) => k.startsWith('FINDING#'));
    const findings = (await this.getBodies(keys)) as Finding[];
    return findings.sort(
      (a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.fingerprint.localeCompare(b.fingerprint),
    );
  }

  async listHyperplaneEnis(scope: Scope): Promise<HyperplaneEniView[]> {
    const item = await this.scopeItem(scope);
    return item?.hyperplaneEnis ? (JSON.parse(item.hyperplaneEnis) as HyperplaneEniView[]) : [];
  }

  private connectorItem(scope: Scope, view: ConnectorView, basis: number): Record<string, unknown> {
    return {
      pk: `CONN#${view.id}`,
      sk: 'META',
      gsi1pk: `SCOPE#${scopeKey(scope)}`,
      gsi1sk: `CONN#${view.id}`,
      state: view.state,
      name: view.name ?? undefined,
      basis,
      body: JSON.stringify(view),
    };
  }

  private findingItem(scope: Scope, finding: Finding, basis: number): Record<string, unknown> {
    return {
      pk: `FINDING#${finding.fingerprint}`,
      sk: 'META',
      gsi1pk: `SCOPE#${scopeKey(scope)}`,
      gsi1sk: `FINDING#${finding.firstSeen}#${finding.fingerprint}`,
      rule: finding.rule,
      severity: finding.severity,
      status: finding.status,
      connectorId: finding.connectorId,
      basis,
      body: JSON.stringify(finding),
    };
  }

  private async scopeItem(scope: Scope): Promise<ScopeItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `SCOPE#${scopeKey(scope)}`, sk: 'PROJECTION' },
        ConsistentRead: true,
      }),
    );
    return out.Item as ScopeItem | undefined;
  }

  private async getBodies(pks: string[]): Promise<unknown[]> {
    const bodies: unknown[] = [];
    for (let i = 0; i < pks.length; i += 100) {
      let keys: Record<string, unknown>[] = pks.slice(i, i + 100).map((pk) => ({ pk, sk: 'META' }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        const out = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.table] ?? []) bodies.push(JSON.parse(item.body as string));
        keys = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        if (keys.length > 0) await backoff(attempt);
      }
    }
    return bodies;
  }

  /** Item writes lose to a projection of a larger event set written concurrently. */
  private async putIfNotOlder(item: Record<string, unknown>, basis: number): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR basis <= :b',
          ExpressionAttributeValues: { ':b': basis },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async deleteIfOlder(pk: string, basis: number): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk, sk: 'META' },
          ConditionExpression: 'basis < :b',
          ExpressionAttributeValues: { ':b': basis },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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

function findingChanges(previous: Record<string, string>, findings: Finding[]): FindingChange[] {
  const changes: FindingChange[] = [];
  for (const finding of findings) {
    const before = previous[finding.fingerprint];
    if (before === finding.status) continue;
    if (before === undefined && finding.status === 'open') changes.push({ change: 'opened', finding });
    else if (before === 'open' && finding.status === 'resolved') changes.push({ change: 'resolved', finding });
    else if (before === 'resolved' && finding.status === 'open') changes.push({ change: 'reopened', finding });
  }
  return changes;
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (cursor < items.length) await run(items[cursor++] as T);
    }),
  );
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 50 * 2 ** attempt)));
}
