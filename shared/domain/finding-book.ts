/**
 * Findings as state: one per (rule, connector, subject) fingerprint, with first/last seen, evidence and an
 * open/resolved status. Network findings carry a baseline (how the path was before the first observed change)
 * and resolve when a later change brings the path back to it.
 */
import { describeActor } from './actor.js';
import { fingerprintOf } from './fingerprint.js';
import type { ConnectorView, Finding, NormalizedEvent, Severity } from './model.js';
import type { RuleDefinition } from './rules.js';

const MAX_EVIDENCE = 50;
const UNKNOWN_BASELINE = 'unknown';

/** A finding and what the book tracks to settle it (the subject, baseline and current path state). */
export interface Tracked {
  finding: Finding;
  subject: string;
  fingerprint: string;
  baseline: string | null;
  current: string | null;
}

export interface OpenOptions {
  summary: string;
  detail: string;
  severity?: Severity;
  /** Path state before the change; omit for findings that do not resolve by reversal. */
  baseline?: string;
  current?: string;
  /** Set on findings raised from reconcile observations. */
  source?: 'events' | 'reconcile' | 'canary';
}

/** Who a finding is about: a connector, or the account/region (id `*`). */
export type FindingOwner = Pick<ConnectorView, 'id' | 'account' | 'region'>;

export class FindingBook {
  private readonly byFingerprint = new Map<string, Tracked>();

  static fingerprint(ruleId: string, connectorId: string, subject: string): string {
    return `${ruleId}:${fingerprintOf(ruleId, connectorId, subject)}`;
  }

  get(ruleId: string, connectorId: string, subject: string): Tracked | undefined {
    return this.byFingerprint.get(FindingBook.fingerprint(ruleId, connectorId, subject));
  }

  open(rule: RuleDefinition, view: FindingOwner, subject: string, event: NormalizedEvent, options: OpenOptions): void {
    const fingerprint = FindingBook.fingerprint(rule.id, view.id, subject);
    const existing = this.byFingerprint.get(fingerprint);
    if (existing) {
      this.observe(fingerprint, event, options.detail, options.current);
      if (existing.baseline === null) this.reopen(existing);
      return;
    }
    const tracked: Tracked = {
      subject,
      fingerprint,
      baseline: options.baseline ?? null,
      current: options.current ?? null,
      finding: {
        rule: rule.id,
        severity: options.severity ?? rule.severity,
        status: 'open',
        connectorId: view.id,
        account: view.account,
        region: view.region,
        fingerprint,
        firstSeen: event.eventTime,
        lastSeen: event.eventTime,
        resolvedAt: null,
        summary: options.summary,
        evidence: [evidenceOf(event, options.detail)],
        ...(options.source ? { source: options.source, subject } : {}),
      },
    };
    this.byFingerprint.set(fingerprint, tracked);
    this.settle(tracked, event);
  }

  /** Records another event about an existing finding; network findings re-evaluate against their baseline. */
  observe(fingerprint: string, event: NormalizedEvent, detail: string, current?: string): void {
    const tracked = this.byFingerprint.get(fingerprint);
    if (!tracked) return;
    addEvidence(tracked.finding, evidenceOf(event, detail));
    tracked.finding.lastSeen = event.eventTime;
    if (current !== undefined) tracked.current = current;
    this.settle(tracked, event);
  }

  resolve(fingerprint: string, event: NormalizedEvent): void {
    const tracked = this.byFingerprint.get(fingerprint);
    if (!tracked || tracked.finding.status === 'resolved') return;
    addEvidence(tracked.finding, evidenceOf(event, `resolved by ${event.eventName}`));
    tracked.finding.lastSeen = event.eventTime;
    tracked.finding.status = 'resolved';
    tracked.finding.resolvedAt = event.eventTime;
  }

  resolveAll(ruleId: string, connectorId: string, event: NormalizedEvent): void {
    for (const tracked of this.openFor(ruleId, connectorId)) this.resolve(tracked.fingerprint, event);
  }

  openFor(ruleId: string, connectorId: string): Tracked[] {
    return [...this.byFingerprint.values()].filter(
      (t) => t.finding.rule === ruleId && t.finding.connectorId === connectorId && t.finding.status === 'open',
    );
  }

  /** Puts back a finding tracked by an earlier fold (a checkpoint); replaces one with the same fingerprint. */
  restore(tracked: Tracked): void {
    this.byFingerprint.set(tracked.fingerprint, tracked);
  }

  /** Every finding of one connector with its tracking state, by fingerprint. */
  trackedFor(connectorId: string): Tracked[] {
    return [...this.byFingerprint.values()]
      .filter((t) => t.finding.connectorId === connectorId)
      .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  }

  all(): Finding[] {
    return [...this.byFingerprint.values()]
      .map((t) => t.finding)
      .sort((a, b) =>
        a.firstSeen === b.firstSeen ? a.fingerprint.localeCompare(b.fingerprint) : a.firstSeen < b.firstSeen ? -1 : 1,
      );
  }

  private settle(tracked: Tracked, event: NormalizedEvent): void {
    if (tracked.baseline === null || tracked.baseline === UNKNOWN_BASELINE) return;
    if (tracked.current === tracked.baseline) {
      tracked.finding.status = 'resolved';
      tracked.finding.resolvedAt = event.eventTime;
    } else {
      this.reopen(tracked);
    }
  }

  private reopen(tracked: Tracked): void {
    tracked.finding.status = 'open';
    tracked.finding.resolvedAt = null;
  }
}

function evidenceOf(event: NormalizedEvent, detail: string) {
  return {
    eventId: event.eventId,
    eventName: event.eventName,
    at: event.eventTime,
    actor: describeActor(event.actor),
    detail,
  };
}

function addEvidence(finding: Finding, evidence: Finding['evidence'][number]): void {
  if (finding.evidence.some((e) => e.eventId === evidence.eventId && e.detail === evidence.detail)) return;
  finding.evidence.push(evidence);
  // Keep the first (what opened it) and the most recent ones.
  if (finding.evidence.length > MAX_EVIDENCE) finding.evidence.splice(1, 1);
}
