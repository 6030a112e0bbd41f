// A week of a small fleet for report tests: two connectors (one created in the window), canary runs every
// 6 hours with deterministic latencies and a run of misses, and findings with evidence naming the actors.
// The numbers are chosen so the expected availability, percentiles and MTTR can be worked out by hand.

import type { CanaryProbe, CanaryRun } from '../../shared/domain/canary.js';
import type { ConnectorView, Finding } from '../../shared/domain/model.js';
import {
  buildReportModel,
  DEFAULT_RATES,
  type MonitorHealth,
  type ReportInput,
  withMicrovmSecondPrice,
} from '../../shared/domain/report.js';
import type { Report } from '../../shared/domain/report-schema.js';

export const ACCOUNT = '111122223333';
export const REGION = 'ap-northeast-1';
export const SINCE = '2026-06-20T00:00:00.000Z';
export const UNTIL = '2026-06-27T00:00:00.000Z';
export const NAT = 'nc-0a1b2c3d-0000-4000-8000-000000000001';
export const ISOLATED = 'nc-0a1b2c3d-0000-4000-8000-000000000002';

/** A connector view with every field set; override what a test is about. */
export function connectorView(overrides: Partial<ConnectorView> & { id: string }): ConnectorView {
  return {
    name: null,
    arn: null,
    account: ACCOUNT,
    region: REGION,
    state: 'ACTIVE',
    stateReason: null,
    lastUpdateStatus: null,
    subnetIds: ['subnet-0f05f37810742ecab'],
    securityGroupIds: ['sg-0c2c1fe868a5cdd77'],
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    networkProtocol: 'IPv4',
    operatorRole: null,
    createdAt: null,
    activeAt: null,
    deletedAt: null,
    transitions: [],
    enis: [],
    microvms: [],
    timeline: [],
    ...overrides,
  };
}

/** A finding; override what a test is about. */
export function finding(overrides: Partial<Finding> & { fingerprint: string; connectorId: string }): Finding {
  return {
    rule: 'network-path-changed',
    severity: 'high',
    status: 'open',
    account: ACCOUNT,
    region: REGION,
    firstSeen: '2026-06-22T10:00:00.000Z',
    lastSeen: '2026-06-22T10:00:00.000Z',
    resolvedAt: null,
    summary: 'egress path changed',
    evidence: [],
    ...overrides,
  };
}

function probe(targetId: string, latencyMs: number | null, met: boolean, expect: 'reachable' | 'blocked'): CanaryProbe {
  const reached = latencyMs !== null;
  return {
    targetId,
    kind: targetId === 'internet' ? 'http' : 'tcp',
    target: targetId === 'internet' ? 'https://example.com/' : '10.0.2.15:5432',
    expect,
    verdict: reached ? 'reachable' : 'blocked',
    met,
    latencyMs,
    errorClass: reached ? null : 'timeout',
    resolvedAddress: reached ? '10.0.2.15' : null,
  };
}

/**
 * Canary runs every 6 h over the window for both connectors (28 each). NAT: the database target answers in
 * 10 + (i mod 10) ms; runs 8–11 (2026-06-22 00:00 … 18:00) time out on it. Isolated: the internet is
 * expected blocked and is; the database answers in 3 ms. Each run bills 30 MicroVM-seconds.
 */
export function canaryRuns(): CanaryRun[] {
  const runs: CanaryRun[] = [];
  for (let i = 0; i < 28; i++) {
    const startedAt = new Date(Date.parse(SINCE) + i * 6 * 3_600_000).toISOString();
    const broken = i >= 8 && i <= 11;
    const natProbes = [
      probe('database', broken ? null : 10 + (i % 10), !broken, 'reachable'),
      probe('internet', 80, true, 'reachable'),
    ];
    runs.push({
      connectorId: NAT,
      connectorName: 'nat-egress-connector',
      account: ACCOUNT,
      region: REGION,
      startedAt,
      durationMs: 4_000,
      microvmSeconds: 30,
      met: natProbes.every((p) => p.met),
      probes: natProbes,
    });
    runs.push({
      connectorId: ISOLATED,
      connectorName: 'isolated-egress-connector',
      account: ACCOUNT,
      region: REGION,
      startedAt,
      durationMs: 3_000,
      microvmSeconds: 30,
      met: true,
      probes: [probe('database', 3, true, 'reachable'), probe('internet', null, true, 'blocked')],
    });
  }
  return runs;
}

export function connectors(): ConnectorView[] {
  return [
    connectorView({
      id: NAT,
      name: 'nat-egress-connector',
      createdAt: '2026-06-01T00:00:00.000Z',
      activeAt: '2026-06-01T00:05:00.000Z',
    }),
    connectorView({
      id: ISOLATED,
      name: 'isolated-egress-connector',
      createdAt: '2026-06-21T09:00:00.000Z',
      activeAt: '2026-06-21T09:04:30.000Z',
    }),
  ];
}

/** The SG rule removed by bob on 06-22 00:00 and restored 18 h later; the isolated connector's finding is open. */
export function findings(): Finding[] {
  return [
    finding({
      fingerprint: 'fp-sg-rule-removed',
      connectorId: NAT,
      status: 'resolved',
      firstSeen: '2026-06-22T00:00:00.000Z',
      lastSeen: '2026-06-22T18:00:00.000Z',
      resolvedAt: '2026-06-22T18:00:00.000Z',
      summary: 'sg-0db: rule allowing the connector SG on tcp/5432 revoked',
      evidence: [
        {
          eventId: 'e-revoke',
          eventName: 'RevokeSecurityGroupIngress',
          at: '2026-06-22T00:00:00.000Z',
          actor: 'role/NetworkTeam/bob',
          detail: 'tcp/5432 from sg-0c2c1fe868a5cdd77',
        },
        {
          eventId: 'e-authorize',
          eventName: 'AuthorizeSecurityGroupIngress',
          at: '2026-06-22T18:00:00.000Z',
          actor: 'role/NetworkTeam/bob',
          detail: 'tcp/5432 from sg-0c2c1fe868a5cdd77 restored',
        },
      ],
    }),
    finding({
      fingerprint: 'fp-two-connectors',
      connectorId: ISOLATED,
      rule: 'microvm-multiple-egress-connectors',
      severity: 'warning',
      firstSeen: '2026-06-25T12:00:00.000Z',
      lastSeen: '2026-06-25T12:00:00.000Z',
      summary: 'RunMicrovm named two egress connectors <and failed>',
      evidence: [
        {
          eventId: 'e-run',
          eventName: 'RunMicrovm',
          at: '2026-06-25T12:00:00.000Z',
          actor: 'role/PlatformAdmin/alice',
          detail: 'InternalFailure',
        },
      ],
    }),
    // Resolved long before the window: not in the report.
    finding({
      fingerprint: 'fp-old',
      connectorId: NAT,
      status: 'resolved',
      firstSeen: '2026-06-02T00:00:00.000Z',
      resolvedAt: '2026-06-02T01:00:00.000Z',
    }),
  ];
}

export function health(): MonitorHealth {
  return {
    eventsReceived: { count: 42, source: 'test' },
    repaired: { count: 0, source: 'test' },
    quarantined: { count: 1, source: 'test' },
    deadLettered: { count: null, source: 'not available: test' },
  };
}

/** The weekly report of this fleet at the default rates; override any input. */
export function weeklyReport(overrides: Partial<ReportInput> = {}): Report {
  return buildReportModel({
    generatedAt: UNTIL,
    period: 'weekly',
    window: { since: SINCE, until: UNTIL },
    rates: withMicrovmSecondPrice(DEFAULT_RATES),
    connectors: connectors(),
    findings: findings(),
    incidents: [],
    canaryRuns: canaryRuns(),
    health: health(),
    ...overrides,
  });
}
