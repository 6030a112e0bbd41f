import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { playScenario } from '../../lab/scenarios/runner.js';
import { loadScenarioFile } from '../../lab/scenarios/scenario-file.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import type { CanaryFinding, CanaryRun } from '../../shared/domain/canary.js';

/** The article's nine verifications, as the canaries see them on the lab's virtual clock. */
describe('e2e: canaries through both article connectors', () => {
  let result: ScenarioResult;
  const runsOf = (name: string): CanaryRun[] => result.canaryRuns.filter((r) => r.connectorName === name);
  const at = (iso: string) => iso.slice(11, 19);
  /** Canary findings as they opened (the reporter sees each transition with its explanation at the time). */
  const opened: { at: string; finding: CanaryFinding }[] = [];
  beforeAll(async () => {
    const endpoint = inject('dynamodbEndpoint');
    const tableName = `e2e-canaries-${randomUUID().slice(0, 8)}`;
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
    });
    await ensureTable(client, tableName);
    client.destroy();
    result = await playScenario({
      scenario: loadScenarioFile('article'),
      dynamodbEndpoint: endpoint,
      tableName,
      reporter: {
        activity() {},
        step() {},
        finding() {},
        canaryFinding(at, change, finding) {
          if (change !== 'resolved') opened.push({ at: at.toISOString(), finding: structuredClone(finding) });
        },
      },
    });
  }, 120_000);

  it('starts a canary only once each connector is ACTIVE (state transitions) and keeps one per connector', () => {
    const nat = result.connectors.find((c) => c.name === 'nat-egress-connector')!;
    const first = runsOf('nat-egress-connector')[0]!;
    expect(first.startedAt > nat.activeAt!).toBe(true);
    for (const name of ['nat-egress-connector', 'isolated-egress-connector']) {
      const vms = new Set(runsOf(name).map((r) => r.microvmId));
      expect(vms.size).toBe(1); // multiple connectors: one canary VM each, never one VM on two connectors
    }
    expect(result.lab.errors()).toEqual([]);
  });

  it('sees the NAT path and its EIP, the isolated path, cross-subnet and private DNS as expected', () => {
    const nat = runsOf('nat-egress-connector').find((r) => at(r.startedAt) === '01:10:00')!;
    expect(nat.met).toBe(true);
    expect(nat.probes.find((p) => p.kind === 'egress-ip')).toMatchObject({
      verdict: 'reachable',
      observedIp: '203.0.113.25',
    });
    const iso = runsOf('isolated-egress-connector').find((r) => at(r.startedAt) === '01:10:00')!;
    expect(iso.met).toBe(true);
    expect(Object.fromEntries(iso.probes.map((p) => [p.targetId, p.verdict]))).toEqual({
      'cross-subnet': 'reachable',
      'private-dns': 'reachable',
      'private-dns-http': 'reachable',
      isolation: 'blocked',
    });
    expect(iso.probes.find((p) => p.targetId === 'private-dns')?.resolvedAddress).toBe('10.0.0.126');
  });

  it('catches the SG change (drift opens after two misses) and resolves it after two good runs', () => {
    const target = runsOf('nat-egress-connector')
      .filter((r) => r.startedAt >= '2026-06-24T01:14:00' && r.startedAt <= '2026-06-24T01:22:00')
      .map((r) => [at(r.startedAt), r.probes.find((p) => p.targetId === 'vpc-target')?.verdict]);
    expect(target).toContainEqual(['01:16:00', 'blocked']);
    expect(target).toContainEqual(['01:20:00', 'reachable']);
    const drift = result.findings.find(
      (f) => f.rule === 'reachability-drift' && (f as CanaryFinding).targetId === 'vpc-target',
    ) as CanaryFinding;
    expect(drift.evidence.some((e) => e.at.startsWith('2026-06-24T01:17:00'))).toBe(true);
    expect(drift.evidence.some((e) => e.at.startsWith('2026-06-24T01:21:00'))).toBe(true);
  });

  it("explains the SG change with the analyzer: the target's security group has no ingress for the connector SG", () => {
    const targetSg = result.lab.network.idOf('security-group', 'target-sg');
    const drift = opened.find(
      (o) => o.finding.targetId === 'vpc-target' && o.at.startsWith('2026-06-24T01:17'),
    )?.finding;
    expect(drift?.explanation?.verdict).toBe('blocked');
    expect(drift?.explanation?.blockers).toContainEqual(
      expect.objectContaining({ component: 'security-group', id: targetSg, direction: 'inbound' }),
    );
    const deleted = opened.filter((o) => o.at.startsWith('2026-06-24T01:41'));
    expect(deleted[0]?.finding.explanation?.blockers[0]).toMatchObject({ component: 'network-connector' });
  });

  it("confirms the NAT connector's deletion with a canary run before CloudTrail's event is delivered", () => {
    const confirmed = result.findings.filter(
      (f) => f.rule === 'reachability-drift' && f.status === 'open' && f.summary.includes('nat-egress-connector'),
    );
    expect(confirmed.length).toBeGreaterThan(0);
    const canaryAt = confirmed.map((f) => f.lastSeen).sort()[0]!;
    const deleted = result.lab.deliveries
      .filter(
        (d) => d.functionName === 'ingest' && String(d.envelope.detail.eventName).startsWith('DeleteNetworkConnector'),
      )
      .filter((d) => String(d.envelope.detail.eventTime) >= '2026-06-24T01:40:00')
      .map((d) => d.at)
      .sort();
    expect(deleted.length).toBeGreaterThan(0);
    expect(canaryAt < deleted[0]!).toBe(true);
    expect(confirmed[0]!.summary).toContain('its canary MicroVM still RUNNING');
  });

  it('records MicroVM-seconds per run and never leaves a canary VM behind', () => {
    const probing = result.canaryRuns.filter((r) => !r.blindReason);
    expect(probing.every((r) => r.microvmSeconds >= 1)).toBe(true);
    const canaryVms = result.lab.compute.microvms.list('egress-watch-canary');
    expect(canaryVms.every((vm) => vm.state === 'TERMINATED')).toBe(true);
    expect(result.findings.filter((f) => f.rule === 'monitoring-blind' && f.status === 'open')).toEqual([]);
  });
});
