import { describe, expect, it } from 'vitest';
import {
  applyFindingSignals,
  DEFAULT_POLICY,
  EMPTY_BOOK,
  explanationText,
  type FindingSignal,
  type FoldContext,
  type IncidentBook,
  type NotifiableFinding,
  type Silence,
  tickIncidents,
} from '../../../shared/domain/incidents.js';
import type { FindingStatus, Severity } from '../../../shared/domain/model.js';

const T0 = Date.parse('2026-06-24T01:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function finding(
  over: Partial<NotifiableFinding> & { fingerprint: string; rule: string; connectorId: string },
): NotifiableFinding {
  return {
    severity: 'high' as Severity,
    status: 'open' as FindingStatus,
    account: '111122223333',
    region: 'ap-northeast-1',
    firstSeen: at(0),
    lastSeen: at(0),
    resolvedAt: null,
    summary: `${over.rule} on ${over.connectorId}`,
    evidence: [{ eventId: 'ev-1', eventName: 'X', at: at(0), actor: 'role/NetworkTeam/bob', detail: 'd' }],
    ...over,
  };
}

const opened = (f: NotifiableFinding, name: string | null = null): FindingSignal => ({
  finding: f,
  previousStatus: null,
  connectorName: name,
});
const resolved = (f: NotifiableFinding, minutes: number): FindingSignal => ({
  finding: { ...f, status: 'resolved', resolvedAt: at(minutes), lastSeen: at(minutes) },
  previousStatus: 'open',
  connectorName: null,
});
const reopened = (f: NotifiableFinding, minutes: number): FindingSignal => ({
  finding: { ...f, status: 'open', resolvedAt: null, lastSeen: at(minutes) },
  previousStatus: 'resolved',
  connectorName: null,
});

const ctx = (over: Partial<FoldContext> = {}): FoldContext => ({
  policy: DEFAULT_POLICY,
  silences: [],
  now: at(0),
  ...over,
});

function fold(signals: FindingSignal[][], c: FoldContext = ctx()) {
  let book: IncidentBook = EMPTY_BOOK;
  const all = [];
  for (const batch of signals) {
    const out = applyFindingSignals(book, batch, c);
    book = out.book;
    all.push(...out.transitions);
  }
  return { book, transitions: all };
}

describe('incidents: one per fingerprint, open → resolved → reopened', () => {
  const f = finding({
    fingerprint: 'eni-deleted-while-active:1',
    rule: 'eni-deleted-while-active',
    connectorId: 'nc-1',
  });

  it('opens, resolves and reopens the same incident with unique transition ids', () => {
    const { transitions } = fold([[opened(f, 'nat')], [resolved(f, 5)], [reopened(f, 9)], [resolved(f, 12)]]);
    expect(transitions.map((t) => `${t.kind}:${t.transitionId}`)).toEqual([
      'opened:opened',
      'resolved:resolved#1',
      'reopened:reopened#2',
      'resolved:resolved#2',
    ]);
    expect(new Set(transitions.map((t) => t.incidentId)).size).toBe(1);
    expect(transitions[0]?.incident.members[0]).toMatchObject({ connectorName: 'nat', actor: 'role/NetworkTeam/bob' });
    expect(transitions[1]?.openForMs).toBe(5 * 60_000);
  });

  it('is idempotent: a retried batch gives no new transition', () => {
    const first = applyFindingSignals(EMPTY_BOOK, [opened(f)], ctx());
    const again = applyFindingSignals(first.book, [opened(f)], ctx());
    expect(first.transitions).toHaveLength(1);
    expect(again.transitions).toEqual([]);
  });

  it('a finding resolved before the book saw it open tells nobody', () => {
    expect(fold([[resolved(f, 3)]]).transitions).toEqual([]);
  });

  it('opened and resolved in one batch: both are told, in order', () => {
    expect(fold([[opened(f), resolved(f, 2)]]).transitions.map((t) => t.kind)).toEqual(['opened', 'resolved']);
  });
});

describe('grouping under a parent fact', () => {
  const nat = (c: string) =>
    finding({
      fingerprint: `network-path-changed:${c}`,
      rule: 'network-path-changed',
      connectorId: c,
      evidence: [
        { eventId: 'del-nat-1', eventName: 'DeleteNatGateway', at: at(1), actor: 'role/NetworkTeam/bob', detail: '' },
      ],
    });

  it('a NAT gateway deleted under three connectors is one incident naming all three', () => {
    const { transitions, book } = fold([
      [opened(nat('nc-a'), 'a'), opened(nat('nc-b'), 'b'), opened(nat('nc-c'), 'c')],
    ]);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.incident.connectorIds.sort()).toEqual(['nc-a', 'nc-b', 'nc-c']);
    expect(transitions[0]?.incident.groupKey).toBe('change|del-nat-1');
    expect(Object.keys(book.incidents)).toHaveLength(1);
  });

  it('children resolve on their own; the incident resolves with its last member', () => {
    const { transitions } = fold([
      [opened(nat('nc-a')), opened(nat('nc-b'))],
      [resolved(nat('nc-a'), 4)],
      [resolved(nat('nc-b'), 6)],
    ]);
    expect(transitions.map((t) => t.kind)).toEqual(['opened', 'resolved']);
    expect(transitions[1]?.at).toBe(at(6));
    expect(transitions[1]?.incident.members.map((m) => m.status)).toEqual(['resolved', 'resolved']);
  });

  it('findings on a deleted connector attach to the deletion incident, even when they arrive first in the batch', () => {
    const deleted = finding({
      fingerprint: 'connector-deleted-while-in-use:1',
      rule: 'connector-deleted-while-in-use',
      connectorId: 'nc-1',
      severity: 'critical',
    });
    const eni = finding({
      fingerprint: 'eni-deleted-while-active:1',
      rule: 'eni-deleted-while-active',
      connectorId: 'nc-1',
    });
    const { transitions } = fold([[opened(eni), opened(deleted)]]);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.incident).toMatchObject({ rule: 'connector-deleted-while-in-use', severity: 'critical' });
    expect(transitions[0]?.incident.members.map((m) => m.rule)).toEqual([
      'connector-deleted-while-in-use',
      'eni-deleted-while-active',
    ]);
  });
});

describe('flapping', () => {
  const f = finding({ fingerprint: 'reachability-drift:1', rule: 'reachability-drift', connectorId: 'nc-1' });
  const policy = { ...DEFAULT_POLICY, flapping: { maxOpens: 2, windowMs: 30 * 60_000 } };

  it('more than K openings in the window become one flapping incident until it settles', () => {
    const batches = [[opened(f)], [resolved(f, 1)], [reopened(f, 2)], [resolved(f, 3)], [reopened(f, 4)]];
    for (let m = 5; m < 20; m += 2) batches.push([resolved(f, m)], [reopened(f, m + 1)]);
    batches.push([resolved(f, 21)]);
    let book: IncidentBook = EMPTY_BOOK;
    const kinds: string[] = [];
    for (const batch of batches) {
      const out = applyFindingSignals(book, batch, ctx({ policy }));
      book = out.book;
      kinds.push(...out.transitions.map((t) => t.kind));
    }
    expect(kinds).toEqual(['opened', 'resolved', 'reopened', 'resolved', 'flapping']);
    // Not yet quiet for a whole window: still open (flapping).
    expect(tickIncidents(book, ctx({ policy, now: at(40) })).transitions.map((t) => t.kind)).toEqual([]);
    const settled = tickIncidents(book, ctx({ policy, now: at(52) }));
    expect(settled.transitions.map((t) => `${t.kind}:${t.incident.kind}`)).toEqual(['resolved:flapping']);
  });
});

describe('reminders', () => {
  const f = finding({ fingerprint: 'connector-failed:1', rule: 'connector-failed', connectorId: 'nc-1' });
  const policy = { ...DEFAULT_POLICY, reminders: { everyMs: 3600_000, max: 2 } };

  it('re-announces an open incident every N hours, capped, saying how long it has been open', () => {
    let { book } = fold([[opened(f)]], ctx({ policy }));
    const seen: string[] = [];
    for (const minutes of [30, 60, 90, 120, 180, 240]) {
      const out = tickIncidents(book, ctx({ policy, now: at(minutes) }));
      book = out.book;
      seen.push(...out.transitions.map((t) => `${t.transitionId}@${t.openForMs / 60_000}m`));
    }
    expect(seen).toEqual(['reminder#1#1@60m', 'reminder#1#2@120m']);
  });

  it('no reminder once resolved', () => {
    const { book } = fold([[opened(f)], [resolved(f, 10)]], ctx({ policy }));
    expect(tickIncidents(book, ctx({ policy, now: at(300) })).transitions).toEqual([]);
  });
});

describe('silences and maintenance windows', () => {
  const f = finding({ fingerprint: 'connector-failed:1', rule: 'connector-failed', connectorId: 'nc-1' });
  const silence = (match: Silence['match'], from = -10, to = 60): Silence => ({
    silenceId: 's-1',
    match,
    reason: 'planned change',
    startsAt: at(from),
    expiresAt: at(to),
    source: 'silence',
  });

  it('a silenced connector is recorded as silenced (opening and resolve)', () => {
    const c = ctx({ silences: [silence({ connectorId: 'nc-1' })] });
    const { transitions } = fold([[opened(f)], [resolved(f, 5)]], c);
    expect(transitions.map((t) => [t.kind, t.silenced?.reason])).toEqual([
      ['opened', 'planned change'],
      ['resolved', 'planned change'],
    ]);
  });

  it('a grouped incident is silenced when any of its connectors is, whichever finding of the batch opened it', () => {
    const grouped = (c: string) =>
      finding({
        fingerprint: `network-path-changed:${c}`,
        rule: 'network-path-changed',
        connectorId: c,
        evidence: [{ eventId: 'del-nat-1', eventName: 'DeleteNatGateway', at: at(1), actor: 'bob', detail: '' }],
      });
    const c = ctx({ silences: [silence({ connectorId: 'nat' })] });
    for (const batch of [
      [opened(grouped('nc-a'), 'isolated'), opened(grouped('nc-b'), 'nat')],
      [opened(grouped('nc-b'), 'nat'), opened(grouped('nc-a'), 'isolated')],
    ]) {
      const { transitions } = fold([batch], c);
      expect(transitions.map((t) => [t.kind, t.incident.members.length, t.silenced?.silenceId])).toEqual([
        ['opened', 2, 's-1'],
      ]);
    }
  });

  it('matches by rule, severity and tag; an expired or non-matching silence does not apply', () => {
    const tagged = { ...f, tags: ['team:payments'] };
    expect(
      fold([[opened(f)]], ctx({ silences: [silence({ rule: 'connector-failed' })] })).transitions[0]?.silenced,
    ).not.toBeNull();
    expect(
      fold([[opened(f)]], ctx({ silences: [silence({ severity: 'high' })] })).transitions[0]?.silenced,
    ).not.toBeNull();
    expect(
      fold([[opened(tagged)]], ctx({ silences: [silence({ tag: 'team:payments' })] })).transitions[0]?.silenced,
    ).not.toBeNull();
    expect(
      fold([[opened(f)]], ctx({ silences: [silence({ severity: 'critical' })] })).transitions[0]?.silenced,
    ).toBeNull();
    expect(
      fold([[opened(f)]], ctx({ now: at(200), silences: [silence({ connectorId: 'nc-1' }, -60, -5)] })).transitions[0]
        ?.silenced,
    ).toBeNull();
  });
});

describe('explanations in incidents', () => {
  it("a canary finding's path analysis becomes text naming every blocker (never [object Object])", () => {
    const f = finding({
      fingerprint: 'reachability-drift:1',
      rule: 'reachability-drift',
      connectorId: 'nc-1',
      explanation: {
        verdict: 'blocked',
        blockers: [
          { component: 'security-group', id: 'sg-1', direction: 'outbound', detail: 'no egress rule allows tcp/80' },
          { component: 'network-acl', id: 'acl-1', detail: 'rule #90 denies' },
        ],
      },
    });
    const { transitions } = fold([[opened(f)]]);
    expect(transitions[0]?.incident.members[0]?.explanation).toBe(
      'blocked by security-group sg-1 (outbound): no egress rule allows tcp/80; blocked by network-acl acl-1: rule #90 denies',
    );
    expect(explanationText('as written')).toBe('as written');
    expect(explanationText({ verdict: 'unknown', blockers: [] })).toBe('path analysis: unknown');
    expect(explanationText(null)).toBeNull();
  });
});
