/**
 * Event identity in the log: a content hash per normalized event, the log sort key built from it, and the
 * deterministic choice between two events that carry the same `eventID` with different content (a conflict).
 * See docs/projection.md.
 */
import type { NormalizedEvent } from './model.js';

/** JSON with object keys sorted, so equal content always gives the same text whatever the key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(record[k])}`).join(',')}}`;
}

/**
 * 64-bit content hash of a normalized event (two 32-bit FNV-1a lanes with different offsets), 16 hex digits.
 * Not cryptographic: it names variants of one eventID and orders them deterministically.
 */
export function contentHash(event: NormalizedEvent): string {
  return hashText(stableStringify(event));
}

export function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The event's sort key in its account/region log: `EVT#<eventTime>#<eventId>#<contentHash>`. Sorting keys
 * sorts events by (eventTime, eventId), the fold's canonical order; the hash keeps two different contents
 * under one eventID apart (both are stored, the fold picks one).
 */
export function eventKey(event: NormalizedEvent, hash: string = contentHash(event)): string {
  return `EVT#${event.eventTime}#${event.eventId}#${hash}`;
}

/** One eventID seen with different contents. `winner` is the variant the fold applies (smallest hash). */
export interface EventConflict {
  eventId: string;
  winner: string;
  variants: { hash: string; eventTime: string; eventName: string; kind: string }[];
}

/** An event with its content hash (from its log key, or computed). */
export interface HashedEvent {
  event: NormalizedEvent;
  hash: string;
}

/**
 * Deduplicates by eventID: identical contents collapse; different contents are a conflict whose winner is the
 * smallest content hash, so the choice does not depend on arrival order. Returns the winners and conflicts.
 */
export function resolveVariants(events: readonly HashedEvent[]): {
  winners: HashedEvent[];
  conflicts: EventConflict[];
} {
  const byId = new Map<string, Map<string, HashedEvent>>();
  for (const e of events) {
    const variants = byId.get(e.event.eventId) ?? new Map<string, HashedEvent>();
    if (!variants.has(e.hash)) variants.set(e.hash, e);
    byId.set(e.event.eventId, variants);
  }
  const winners: HashedEvent[] = [];
  const conflicts: EventConflict[] = [];
  for (const [eventId, variants] of byId) {
    const sorted = [...variants.values()].sort((x, y) => (x.hash < y.hash ? -1 : x.hash > y.hash ? 1 : 0));
    const winner = sorted[0] as HashedEvent;
    winners.push(winner);
    if (sorted.length > 1) {
      conflicts.push({
        eventId,
        winner: winner.hash,
        variants: sorted.map((v) => ({
          hash: v.hash,
          eventTime: v.event.eventTime,
          eventName: v.event.eventName,
          kind: v.event.kind,
        })),
      });
    }
  }
  conflicts.sort((x, y) => (x.eventId < y.eventId ? -1 : x.eventId > y.eventId ? 1 : 0));
  return { winners, conflicts };
}

/** Canonical fold order: by eventTime, then the same-second rank (tieRank), then eventId. Checkpoints are
 * whole hours, so events of one second are always folded together and this order is total within them. */
export function compareEvents(a: NormalizedEvent, b: NormalizedEvent): number {
  if (a.eventTime !== b.eventTime) return a.eventTime < b.eventTime ? -1 : 1;
  const rank = tieRank(a) - tieRank(b);
  if (rank !== 0) return rank;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * CloudTrail `eventTime` has one-second resolution: records of the same second have no known order. Within a
 * second, failures and removals come first (the retry or re-apply that follows them succeeds/authorizes), then
 * the rest, then reconcile observations (what the APIs showed settles the subject).
 */
function tieRank(e: NormalizedEvent): number {
  if (e.kind.startsWith('observed.')) return 2;
  if (e.errorCode) return 0;
  if (e.kind === 'network.security-group') return e.change === 'revoke' ? 0 : 1;
  if (e.kind === 'network.route' || e.kind === 'network.nacl-entry') return e.change === 'delete' ? 0 : 1;
  return 1;
}
