/**
 * MonitorStore in memory, with DynamoDB's semantics for what the projection uses (sorted sort keys, conditional
 * puts on basis, leases). Only for unit property tests of the incremental projection's algorithm; the
 * integration tests run the same use case on DynamoDB Local.
 */
import type { HyperplaneEniView } from '../../shared/domain/connector-lifecycle.js';
import { contentHash, type EventConflict, eventKey } from '../../shared/domain/event-identity.js';
import type { ConnectorView, Finding, NetworkFacts, NormalizedEvent } from '../../shared/domain/model.js';
import { NO_NETWORK_FACTS } from '../../shared/domain/model.js';
import type {
  AppendOutcome,
  KeyRange,
  LogItem,
  MonitorStore,
  QuarantineEntry,
  Scope,
  StateItem,
} from '../../shared/ports.js';

const scopeKey = (s: Scope) => `${s.account}#${s.region}`;

export class MemoryStore implements MonitorStore {
  private readonly tables = new Map<string, Map<string, StateItem & { owner?: string; expiresAt?: number }>>();
  readonly quarantined: QuarantineEntry[] = [];
  facts: NetworkFacts = NO_NETWORK_FACTS;
  /** Requests served, for cost assertions. */
  requests = 0;

  private partition(pk: string) {
    let p = this.tables.get(pk);
    if (!p) {
      p = new Map();
      this.tables.set(pk, p);
    }
    return p;
  }

  /** Every stored item (the bench copies a projected history into DynamoDB with them). */
  allItems(): StateItem[] {
    return [...this.tables.values()].flatMap((p) => [...p.values()]);
  }

  /** Appends an event; returns its log key as well (the stream would carry it). */
  async appendWithKey(event: NormalizedEvent): Promise<{ outcome: AppendOutcome; key: string }> {
    this.requests++;
    const hash = contentHash(event);
    const key = eventKey(event, hash);
    const p = this.partition(`LOG#${event.account}#${event.region}`);
    if (p.has(key)) return { outcome: 'duplicate', key };
    p.set(key, {
      pk: `LOG#${event.account}#${event.region}`,
      sk: key,
      body: JSON.stringify(event),
      attributes: { hash },
    });
    return { outcome: 'stored', key };
  }

  async appendEvent(event: NormalizedEvent): Promise<AppendOutcome> {
    return (await this.appendWithKey(event)).outcome;
  }

  async quarantine(entry: QuarantineEntry): Promise<void> {
    this.quarantined.push(entry);
  }

  async loadEvents(scope: Scope): Promise<NormalizedEvent[]> {
    return (await this.readLog(scope, 'EVT#')).map((l) => l.event);
  }

  async loadNetworkFacts(): Promise<NetworkFacts> {
    return this.facts;
  }

  async listScopes(): Promise<Scope[]> {
    return (await this.queryItems('SCOPES')).map((i) => JSON.parse(i.body) as Scope);
  }

  async listConnectors(scope: Scope): Promise<ConnectorView[]> {
    const views = (await this.queryItems(`VIEWS#${scopeKey(scope)}`, { prefix: 'CONN#' })).map(
      (i) => JSON.parse(i.body) as ConnectorView,
    );
    return views.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
  }

  async listFindings(scope: Scope): Promise<Finding[]> {
    const findings = (await this.queryItems(`VIEWS#${scopeKey(scope)}`, { prefix: 'FINDING#' })).map(
      (i) => JSON.parse(i.body) as Finding,
    );
    return findings.sort(
      (a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.fingerprint.localeCompare(b.fingerprint),
    );
  }

  async listHyperplaneEnis(scope: Scope): Promise<HyperplaneEniView[]> {
    return (await this.queryItems(`HP#${scopeKey(scope)}`)).map((i) => JSON.parse(i.body) as HyperplaneEniView);
  }

  async listConflicts(scope: Scope): Promise<EventConflict[]> {
    const byId = new Map<string, EventConflict>();
    for (const item of await this.queryItems(`CONFLICT#${scopeKey(scope)}`)) {
      const c = JSON.parse(item.body) as EventConflict;
      const known = byId.get(c.eventId);
      if (!known || c.variants.length > known.variants.length) byId.set(c.eventId, c);
    }
    return [...byId.values()].sort((a, b) => a.eventId.localeCompare(b.eventId));
  }

  async readLog(scope: Scope, fromKey: string): Promise<LogItem[]> {
    return (await this.queryItems(`LOG#${scopeKey(scope)}`, { gte: fromKey })).map(toLog);
  }

  async getLog(scope: Scope, keys: readonly string[]): Promise<LogItem[]> {
    return (await this.getItems(keys.map((sk) => ({ pk: `LOG#${scopeKey(scope)}`, sk })))).map(toLog);
  }

  async queryItems(pk: string, range: KeyRange = {}): Promise<StateItem[]> {
    this.requests++;
    let keys = [...(this.tables.get(pk)?.keys() ?? [])].sort();
    if (range.prefix !== undefined) keys = keys.filter((k) => k.startsWith(range.prefix as string));
    if (range.gte !== undefined) keys = keys.filter((k) => k >= (range.gte as string));
    if (range.gt !== undefined) keys = keys.filter((k) => k > (range.gt as string));
    if (range.lte !== undefined) keys = keys.filter((k) => k <= (range.lte as string));
    if (range.descending) keys.reverse();
    if (range.limit !== undefined) keys = keys.slice(0, range.limit);
    return keys.map((k) => structuredClone(this.tables.get(pk)?.get(k) as StateItem));
  }

  async getItems(keys: readonly { pk: string; sk: string }[]): Promise<StateItem[]> {
    this.requests++;
    const out: StateItem[] = [];
    for (const k of keys) {
      const item = this.tables.get(k.pk)?.get(k.sk);
      if (item) out.push(structuredClone(item));
    }
    return out;
  }

  async putItems(items: readonly StateItem[]): Promise<void> {
    this.requests++;
    for (const item of items) this.partition(item.pk).set(item.sk, structuredClone(item));
  }

  async putIfNotNewer(item: StateItem & { basis: number }): Promise<boolean> {
    this.requests++;
    const existing = this.partition(item.pk).get(item.sk);
    if (existing && (existing.basis ?? 0) > item.basis) return false;
    this.partition(item.pk).set(item.sk, structuredClone(item));
    return true;
  }

  async putIfAbsent(item: StateItem): Promise<boolean> {
    this.requests++;
    if (this.partition(item.pk).has(item.sk)) return false;
    this.partition(item.pk).set(item.sk, structuredClone(item));
    return true;
  }

  async deleteIfNotNewer(pk: string, sk: string, basis: number): Promise<void> {
    this.requests++;
    const existing = this.tables.get(pk)?.get(sk);
    if (existing && (existing.basis ?? 0) <= basis) this.tables.get(pk)?.delete(sk);
  }

  async acquireLease(pk: string, owner: string, nowMs: number, expiresAt: number): Promise<boolean> {
    this.requests++;
    const held = this.tables.get(pk)?.get('LEASE');
    if (held && held.owner !== owner && (held.expiresAt ?? 0) >= nowMs) return false;
    this.partition(pk).set('LEASE', { pk, sk: 'LEASE', body: '{}', owner, expiresAt });
    return true;
  }

  async releaseLease(pk: string, owner: string): Promise<void> {
    this.requests++;
    if (this.tables.get(pk)?.get('LEASE')?.owner === owner) this.tables.get(pk)?.delete('LEASE');
  }
}

function toLog(item: StateItem): LogItem {
  const event = JSON.parse(item.body) as NormalizedEvent;
  return { key: item.sk, hash: String(item.attributes?.hash ?? contentHash(event)), event };
}
