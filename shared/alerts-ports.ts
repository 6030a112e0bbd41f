/**
 * What the alerting use cases (shared/app/notify.ts) need from the outside world: the incident state in the
 * table, the delivery ledger (exactly one message per transition and channel), the channels and the
 * dead-letter queue. Adapters: shared/aws/dynamodb-incidents.ts, shared/aws/sns-channel.ts,
 * shared/aws/sqs-dead-letters.ts, shared/slack/*.
 */
import type { Incident, IncidentBook, IncidentTransition, NotifiableFinding, Silence } from './domain/incidents.js';
import type { FindingStatus } from './domain/model.js';
import type { Scope } from './ports.js';

/** The book of one scope with its optimistic-concurrency version and the transitions not yet delivered. */
export interface StoredBook {
  book: IncidentBook;
  /** 0 when no book is stored yet. */
  version: number;
  outbox: IncidentTransition[];
}

export interface IncidentStore {
  loadBook(scope: Scope): Promise<StoredBook>;
  /** Writes the book if its version is still `expectedVersion`; false when another writer won (reload, retry). */
  saveBook(scope: Scope, book: IncidentBook, outbox: IncidentTransition[], expectedVersion: number): Promise<boolean>;
  /** Scopes that have a book (the reminder tick visits them). */
  listBookScopes(): Promise<Scope[]>;
  /** Writes the public incident items (`INCIDENT#<id>` / `META`) the report and the CLI read. */
  putIncidents(incidents: readonly Incident[]): Promise<void>;
  listIncidents(scope: Scope): Promise<Incident[]>;
  /** Connector names by id (the connector views' `name`); ids without a view are absent. */
  connectorNames(ids: readonly string[]): Promise<Map<string, string | null>>;
  listSilences(): Promise<Silence[]>;
  putSilence(silence: Silence): Promise<void>;
  /** False when there was no such silence. */
  deleteSilence(silenceId: string): Promise<boolean>;
}

/** (incident, transition, channel): the unit of exactly-once delivery. */
export interface DeliveryKey {
  incidentId: string;
  transitionId: string;
  /** `slack` or `sns`. */
  channel: string;
}

/** What a channel remembers about a sent message (Slack: channel and ts, for chat.update and threads). */
export interface DeliveryReceipt {
  slackChannel?: string;
  ts?: string;
  messageId?: string;
  dryRun?: boolean;
}

export type ClaimOutcome = 'claimed' | 'already-sent' | 'in-flight' | 'dead-lettered';

export interface DeliveryLedger {
  /**
   * One conditional put: claims the key for `leaseMs` unless it was sent, is being sent, or (when
   * `fromDeadLetter` is false) was dead-lettered. A redrive claims dead-lettered keys only.
   */
  claim(key: DeliveryKey, options: { nowMs: number; leaseMs: number; fromDeadLetter?: boolean }): Promise<ClaimOutcome>;
  complete(key: DeliveryKey, receipt: DeliveryReceipt): Promise<void>;
  deadLetter(key: DeliveryKey, reason: string): Promise<void>;
  /** The receipt of the announcement that opened `cycle` of an incident on a channel (chat.update, threads). */
  anchor(incidentId: string, cycle: number, channel: string): Promise<DeliveryReceipt | undefined>;
  setAnchor(incidentId: string, cycle: number, channel: string, receipt: DeliveryReceipt): Promise<void>;
}

/** One way of telling people. `send` throws when the message could not be delivered after its retries. */
export interface NotificationChannel {
  readonly name: string;
  send(transition: IncidentTransition, context: { anchor: DeliveryReceipt | undefined }): Promise<DeliveryReceipt>;
}

export interface DeadLetter {
  key: DeliveryKey;
  reason: string;
  failedAt: string;
  transition: IncidentTransition;
}

export interface DeadLetterQueue {
  send(letter: DeadLetter): Promise<void>;
  /** Up to `max` letters; `handle` deletes one once redriven. */
  receive(max: number): Promise<{ letter: DeadLetter; handle: string }[]>;
  remove(handle: string): Promise<void>;
}

/** A finding change read from the stream: the new image's finding and the old image's status. */
export interface FindingChangeRecord {
  finding: NotifiableFinding;
  previousStatus: FindingStatus | null;
}

/** A channel failure whose message is safe to log and to put in the dead-letter queue (no secret in it). */
export class ChannelError extends Error {
  override name = 'ChannelError';
}
