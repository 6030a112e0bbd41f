import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { playScenario } from '../../lab/scenarios/runner.js';
import { loadScenarioFile } from '../../lab/scenarios/scenario-file.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import type { CanaryFinding } from '../../shared/domain/canary.js';

/**
 * drift-day (events/scenarios/drift-day.yaml): four network drifts in a two-AZ VPC, each caught by a canary
 * with the analyzer naming what blocks the path, then the world restored and every canary finding resolved.
 */
describe('e2e: drift-day scenario', () => {
  let result: ScenarioResult;
  /** Canary findings as they opened or resolved, with the explanation they carried at that moment. */
  const changes: { at: string; change: string; finding: CanaryFinding }[] = [];
  const openedOf = (rule: string, targetId?: string) =>
    changes.find(
      (c) =>
        c.change !== 'resolved' &&
        c.finding.rule === rule &&
        (targetId === undefined || c.finding.targetId === targetId),
    );
  const id = (kind: string, name: string) => result.lab.network.idOf(kind, name);
  beforeAll(async () => {
    const endpoint = inject('dynamodbEndpoint');
    const tableName = `e2e-drift-${randomUUID().slice(0, 8)}`;
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
    });
    await ensureTable(client, tableName);
    client.destroy();
    result = await playScenario({
      scenario: loadScenarioFile('drift-day'),
      dynamodbEndpoint: endpoint,
      tableName,
      reporter: {
        activity() {},
        step() {},
        finding() {},
        canaryFinding(at, change, finding) {
          changes.push({ at: at.toISOString(), change, finding: structuredClone(finding) });
        },
      },
    });
  }, 600_000);

  it('plays every step as written, with no lab errors', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });

  it('records ModifyVpcAttribute in CloudTrail as EC2 writes it', () => {
    const modified = result.lab.trail
      .records()
      .filter((r) => r.eventName === 'ModifyVpcAttribute')
      .map((r) => r.requestParameters);
    expect(modified).toEqual([
      { vpcId: id('vpc', 'drift-vpc'), enableDnsSupport: { value: false } },
      { vpcId: id('vpc', 'drift-vpc'), enableDnsSupport: { value: true } },
    ]);
  });

  it('names NACL entry 90 of db-nacl as what drops the database replies (return traffic, ephemeral ports)', () => {
    const drift = openedOf('reachability-drift', 'db');
    expect(drift?.finding.connectorName).toBe('app-egress');
    // Entry 90 lands at 09:08 after that minute's tick: misses at 09:09 and 09:10 (failuresToOpen: 2).
    expect(drift?.at.slice(11, 16)).toBe('09:10');
    expect(drift?.finding.explanation?.verdict).toBe('blocked');
    const blockers = drift?.finding.explanation?.blockers ?? [];
    expect(blockers).toHaveLength(1);
    expect(blockers[0]).toMatchObject({
      component: 'network-acl',
      id: `${id('network-acl', 'db-nacl')} rule #90`,
      direction: 'return-outbound',
    });
    expect(blockers[0]?.detail).toContain('ephemeral');
    // The batch connector (isolated-1c) is not in the denied CIDR: its path to the database stays up.
    expect(changes.some((c) => c.finding.connectorName === 'batch-egress' && c.finding.targetId === 'db')).toBe(false);
  });

  it('sees the new NAT gateway EIP as egress-ip-drift', () => {
    const drift = openedOf('egress-ip-drift');
    expect(drift?.finding.connectorName).toBe('app-egress');
    expect(drift?.finding.summary).toContain('203.0.113.77');
    expect(drift?.finding.summary).toContain('203.0.113.10');
  });

  it('opens isolation-breach when isolated-rt gets a default route', () => {
    const breach = openedOf('isolation-breach');
    expect(breach?.finding.connectorName).toBe('batch-egress');
    expect(breach?.finding.severity).toBe('critical');
    expect((breach?.at ?? '') >= '2026-07-15T09:18:00').toBe(true);
  });

  it('names the VPC with enableDnsSupport=false as what breaks the private DNS name', () => {
    const drift = openedOf('reachability-drift', 'db-dns');
    expect((drift?.at ?? '') >= '2026-07-15T09:22:00').toBe(true);
    expect(drift?.finding.explanation?.verdict).toBe('blocked');
    expect(drift?.finding.explanation?.blockers).toContainEqual(
      expect.objectContaining({ component: 'dns', id: id('vpc', 'drift-vpc') }),
    );
    expect(drift?.finding.explanation?.blockers[0]?.detail).toContain('enableDnsSupport=false');
  });

  it('re-probes exactly the connectors a path change touches, before the next scheduled tick', () => {
    const idOf = (name: string) => result.connectors.find((c) => c.name === name)?.id;
    const reprobes = result.canaryRuns.filter((r) => r.reprobe);
    expect(reprobes.length).toBeGreaterThan(0);
    // Every re-probe answers a check, and probes exactly the connectors its checks name (no others).
    const byTime = new Map<string, Set<string>>();
    for (const { check } of result.pathChecks) {
      const ids = byTime.get(check.checkedAt) ?? new Set<string>();
      for (const id of check.reprobe.connectorIds) ids.add(id);
      byTime.set(check.checkedAt, ids);
    }
    for (const run of reprobes) expect(byTime.get(run.startedAt)?.has(run.connectorId)).toBe(true);
    for (const [at, ids] of byTime) {
      const probed = reprobes.filter((r) => r.startedAt === at).map((r) => r.connectorId);
      expect(probed.sort()).toEqual([...ids].sort());
    }
    // The default route into isolated-rt (09:18, delivered minutes late): batch-egress alone is re-probed at
    // once, between two scheduled ticks, and that run sees the breach.
    const breach = reprobes.find((r) => r.reprobe?.includes('isolation-breach candidate'));
    expect(breach?.connectorName).toBe('batch-egress');
    expect(Date.parse(breach?.startedAt ?? '') % 60_000).not.toBe(0);
    expect(reprobes.filter((r) => r.startedAt === breach?.startedAt).map((r) => r.connectorName)).toEqual([
      'batch-egress',
    ]);
    expect(breach?.probes.find((p) => p.targetId === 'isolation')?.verdict).toBe('reachable');
    expect(idOf('batch-egress')).toBe(breach?.connectorId);
  });

  it('names on each network-path-changed finding the expectations the change flips, with their blockers', () => {
    const checks = result.pathChecks.map((c) => c.check);
    const isolation = checks.find((c) => c.flips.some((f) => f.targetId === 'isolation'));
    expect(isolation?.flips.map((f) => [f.connectorName, f.targetId, f.expected, f.predicted])).toEqual([
      ['batch-egress', 'isolation', 'blocked', 'reachable'],
    ]);
    expect(isolation?.reprobe.connectorIds).toEqual([isolation?.connectorId]);
    // app-rt's default route to the new NAT gateway (09:15): the database is still cut by NACL entry 90, and
    // the internet would see the new EIP. A scheduled run seconds before: checked, not probed again.
    const route = result.pathChecks.find(
      (c) => c.finding.summary.startsWith('route 0.0.0.0/0') && c.check.flips.some((f) => f.targetId === 'egress-ip'),
    )?.check;
    expect(route?.flips.find((f) => f.targetId === 'egress-ip')?.predictedEgressIps).toEqual(['203.0.113.77']);
    expect(route?.flips.find((f) => f.targetId === 'db')?.blockers).toEqual([
      expect.objectContaining({ component: 'network-acl', id: `${id('network-acl', 'db-nacl')} rule #90` }),
    ]);
    expect(route?.flips.some((f) => f.targetId === 'db-dns')).toBe(false);
    expect(route?.reprobe.skipped).toBe('probed less than 15 s ago');
    // Once the world is restored, the last NAT gateway's deletion flips nothing for batch-egress.
    const last = result.pathChecks.at(-1);
    expect(checks.some((c) => c.flips.length === 0 && c.evaluated > 0)).toBe(true);
    expect(last?.check.undecided).toEqual([]);
  });

  it('resolves every canary finding once the world is restored, and meets its expect block', () => {
    const canary = result.findings.filter((f) => (f as CanaryFinding).source === 'canary');
    expect(canary.map((f) => f.rule).sort()).toEqual([
      'egress-ip-drift',
      'isolation-breach',
      'reachability-drift',
      'reachability-drift',
    ]);
    expect(canary.filter((f) => f.status === 'open')).toEqual([]);
    for (const f of canary) expect(f.lastSeen >= '2026-07-15T09:28:00').toBe(true);
    expect(result.expectations.every((e) => e.met)).toBe(true);
    const lastRuns = ['app-egress', 'batch-egress'].map((name) =>
      result.canaryRuns.filter((r) => r.connectorName === name).at(-1),
    );
    expect(lastRuns.map((r) => r?.met)).toEqual([true, true]);
  });
});
