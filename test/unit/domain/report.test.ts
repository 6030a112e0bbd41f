import { describe, expect, it } from 'vitest';
import {
  buildReportModel,
  DEFAULT_RATES,
  incidentsFromFindings,
  percentile,
  type ReportInput,
  withMicrovmSecondPrice,
} from '../../../shared/domain/report.js';
import { ReportSchema } from '../../../shared/domain/report-schema.js';
import * as f from '../../support/report-fixtures.js';

const rates = withMicrovmSecondPrice(DEFAULT_RATES);

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    generatedAt: f.UNTIL,
    period: 'weekly',
    window: { since: f.SINCE, until: f.UNTIL },
    rates,
    connectors: f.connectors(),
    findings: f.findings(),
    incidents: [],
    canaryRuns: f.canaryRuns(),
    health: f.health(),
    ...overrides,
  };
}

describe('percentile (nearest rank)', () => {
  it('gives the textbook values', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([15, 20, 35, 40, 50], 50)).toBe(35);
    expect(percentile([15, 20, 35, 40, 50], 95)).toBe(50);
    expect(percentile([3, 1, 2, 4], 50)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
  });
});

describe('buildReportModel', () => {
  const report = buildReportModel(input());
  const nat = report.connectors.find((c) => c.connectorId === f.NAT);
  const isolated = report.connectors.find((c) => c.connectorId === f.ISOLATED);

  it('is valid against the v1 schema', () => {
    expect(() => ReportSchema.parse(report)).not.toThrow();
  });

  it('computes availability as runs meeting every expectation over runs', () => {
    expect(nat?.availability).toMatchObject({ runs: 28, met: 24, ratio: 24 / 28 });
    expect(isolated?.availability).toMatchObject({ runs: 28, met: 28, ratio: 1 });
    expect(report.totals.availability).toBe(52 / 56);
    // daily buckets over a week; 2026-06-22 is the day the SG rule was removed.
    expect(nat?.availability.buckets.map((b) => `${b.start.slice(5, 10)} ${b.met}/${b.runs}`)).toEqual([
      '06-20 4/4',
      '06-21 4/4',
      '06-22 0/4',
      '06-23 4/4',
      '06-24 4/4',
      '06-25 4/4',
      '06-26 4/4',
    ]);
  });

  it('computes p50/p95 probe latency per target over probes that measured one', () => {
    const db = nat?.latency.find((t) => t.targetId === 'database');
    // 24 samples 10 + (i mod 10), i in 0..27 without 8..11: nearest rank 12 of the sorted list is 14, rank 23 is 18.
    const samples = Array.from({ length: 28 }, (_, i) => i)
      .filter((i) => i < 8 || i > 11)
      .map((i) => 10 + (i % 10));
    expect(db).toMatchObject({ probes: 28, met: 24, samples: 24 });
    expect(db?.p50Ms).toBe(percentile(samples, 50));
    expect(db?.p95Ms).toBe(percentile(samples, 95));
    expect([db?.p50Ms, db?.p95Ms]).toEqual([14, 18]);
    const blocked = isolated?.latency.find((t) => t.targetId === 'internet');
    expect(blocked).toMatchObject({ expect: 'blocked', met: 28, samples: 0, p50Ms: null, p95Ms: null });
  });

  it('reports time to ACTIVE for connectors created in the window only', () => {
    expect(isolated?.activation).toMatchObject({ createdInWindow: true, timeToActiveSeconds: 270 });
    expect(nat?.activation.createdInWindow).toBe(false);
  });

  it('derives incidents from findings, with MTTR, causes and actors', () => {
    expect(report.incidents.map((i) => [i.rule, i.origin, i.status])).toEqual([
      ['network-path-changed', 'finding', 'resolved'],
      ['microvm-multiple-egress-connectors', 'finding', 'open'],
    ]);
    const sg = report.incidents[0];
    expect(sg?.durationSeconds).toBe(18 * 3600);
    expect(sg?.actors).toEqual(['role/NetworkTeam/bob']);
    expect(sg?.causes.map((c) => c.eventName)).toEqual(['RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress']);
    expect(report.totals).toMatchObject({
      incidentsOpened: 2,
      incidentsResolved: 1,
      incidentsOpenAtEnd: 1,
      mttrSeconds: 18 * 3600,
    });
    expect(nat?.incidents).toEqual({ opened: 1, resolved: 1, openAtEnd: 0, mttrSeconds: 18 * 3600 });
    expect(isolated?.incidents).toEqual({ opened: 1, resolved: 0, openAtEnd: 1, mttrSeconds: null });
  });

  it('prices canary MicroVM-seconds at the configured rates', () => {
    expect(rates.usdPerMicrovmSecond).toBeCloseTo(0.25 * 0.0000276944 + 0.5 * 0.0000036667, 12);
    expect(nat?.canary.microvmSeconds).toBe(28 * 30);
    expect(nat?.canary.costUsd).toBeCloseTo(840 * rates.usdPerMicrovmSecond, 12);
    const doubled = buildReportModel(
      input({ rates: withMicrovmSecondPrice({ ...DEFAULT_RATES, vcpu: 0.5, memoryGb: 1 }) }),
    );
    expect(doubled.totals.costUsd).toBeCloseTo(2 * report.totals.costUsd, 12);
  });

  it('passes health counts through, keeping "not available" as null', () => {
    expect(report.health.deadLettered).toEqual({ count: null, source: 'not available: test' });
    expect(report.health.eventsReceived.count).toBe(42);
  });

  it('uses incident records when the store has them, with the evidence of their findings', () => {
    const grouped = buildReportModel(
      input({
        incidents: [
          {
            incidentId: 'inc-1',
            rule: 'network-path-changed',
            severity: 'high',
            status: 'resolved',
            connectorIds: [f.NAT, f.ISOLATED],
            openedAt: '2026-06-22T00:00:00.000Z',
            resolvedAt: '2026-06-22T01:00:00.000Z',
            actors: [],
            silenced: true,
            summary: null,
            fingerprints: ['fp-sg-rule-removed'],
          },
        ],
      }),
    );
    expect(grouped.incidents).toHaveLength(1);
    expect(grouped.incidents[0]).toMatchObject({
      origin: 'incident',
      silenced: true,
      durationSeconds: 3600,
      actors: ['role/NetworkTeam/bob'],
      summary: 'sg-0db: rule allowing the connector SG on tcp/5432 revoked',
    });
    expect(grouped.connectors.every((c) => c.incidents.opened === 1)).toBe(true);
  });

  it('leaves out runs, incidents and connectors outside the window', () => {
    const day = buildReportModel(
      input({ period: 'daily', window: { since: '2026-06-26T00:00:00.000Z', until: f.UNTIL } }),
    );
    expect(day.totals.canaryRuns).toBe(8);
    expect(day.incidents.map((i) => i.rule)).toEqual(['microvm-multiple-egress-connectors']);
    expect(day.totals.incidentsOpened).toBe(0);
    expect(day.connectors[0]?.availability.buckets).toHaveLength(24);
    const gone = buildReportModel(
      input({
        connectors: [
          f.connectorView({
            id: 'nc-gone',
            createdAt: '2026-01-01T00:00:00.000Z',
            deletedAt: '2026-01-02T00:00:00.000Z',
          }),
        ],
        canaryRuns: [],
        findings: [],
      }),
    );
    expect(gone.connectors).toEqual([]);
  });

  it('says n/a (null) when there is nothing to measure', () => {
    const empty = buildReportModel(input({ canaryRuns: [], findings: [] }));
    expect(empty.totals).toMatchObject({ availability: null, mttrSeconds: null, costUsd: 0, canaryRuns: 0 });
    expect(empty.connectors.map((c) => c.availability.ratio)).toEqual([null, null]);
  });

  it('rejects an empty or reversed window', () => {
    expect(() => buildReportModel(input({ window: { since: f.UNTIL, until: f.SINCE } }))).toThrow(RangeError);
    expect(() => buildReportModel(input({ window: { since: 'yesterday', until: f.UNTIL } }))).toThrow(/window/);
  });

  it('makes one incident per finding when there are no incident records', () => {
    expect(incidentsFromFindings(f.findings()).map((i) => [i.incidentId, i.resolvedAt])).toEqual([
      ['fp-sg-rule-removed', '2026-06-22T18:00:00.000Z'],
      ['fp-two-connectors', null],
      ['fp-old', '2026-06-02T01:00:00.000Z'],
    ]);
  });
});
