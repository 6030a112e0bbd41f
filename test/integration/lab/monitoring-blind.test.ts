/**
 * monitoring-blind from the trail and rule checks, end to end on the lab (docs/reconcile.md#monitoring-blind):
 * the scheduled reconcile reads DescribeTrails / GetTrailStatus / GetEventSelectors / DescribeRule over real
 * HTTP from the lab edge; a scenario stops the trail, removes its MicroVM data selectors and disables an
 * ingest rule, each restored later. Each opens monitoring-blind with its subject and resolves once restored,
 * and the bus really stops delivering what the setup no longer sends. DynamoDB Local underneath.
 */
import { randomUUID } from 'node:crypto';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { playScenario, type ScenarioResult } from '../../../lab/scenarios/runner.js';
import { ScenarioSchema } from '../../../lab/scenarios/scenario-file.js';
import { DynamoDbStore } from '../../../shared/aws/dynamodb-store.js';
import { ensureTable } from '../../../shared/aws/dynamodb-table.js';
import { CloudTrailMonitoringSetup } from '../../../shared/aws/reconcile-monitoring.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';

const scenario = ScenarioSchema.parse({
  name: 'monitoring-blind',
  title: 'The trail stops, its MicroVM selectors go, an ingest rule is disabled — and each comes back',
  description: 'test scenario',
  account: ACCOUNT,
  region: REGION,
  start: '2026-07-02T09:00:00Z',
  network: 'article',
  actors: { alice: { role: 'PlatformAdmin', session: 'alice' } },
  steps: [
    { at: '5m', say: 'StopLogging', world: { trail: { logging: false } } },
    { at: '25m', say: 'StartLogging', world: { trail: { logging: true } } },
    { at: '32m', say: 'MicroVM data selectors removed', world: { trail: { microvmDataEvents: false } } },
    { at: '45m', say: 'MicroVM data selectors back', world: { trail: { microvmDataEvents: true } } },
    { at: '52m', say: 'DisableRule', world: { ingestRule: { rule: 'ec2-network-changes', enabled: false } } },
    {
      at: '55m',
      as: 'alice',
      say: 'a change while the EC2 rule is disabled',
      call: 'ec2.AuthorizeSecurityGroupEgress',
      with: {
        GroupId: `\${sg:connector-sg}`,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
      },
    },
    { at: '65m', say: 'EnableRule', world: { ingestRule: { rule: 'ec2-network-changes', enabled: true } } },
  ],
  expect: { open: [], resolved: ['monitoring-blind'] },
});

/** monitoring-blind status per subject after each scheduled reconcile, in order. */
type Timeline = { at: string; open: string[] }[];

describe('lab: monitoring-blind from trails and ingest rules', () => {
  let result: ScenarioResult;
  const timeline: Timeline = [];
  const adapterSeen: { at: string; trails: unknown; disabled: string[] }[] = [];

  beforeAll(async () => {
    const endpoint = inject('dynamodbEndpoint');
    const tableName = `monitoring-blind-${randomUUID().slice(0, 8)}`;
    const ddb = new DynamoDBClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    await ensureTable(ddb, tableName);
    const store = new DynamoDbStore({ client: ddb, tableName });
    result = await playScenario({
      scenario,
      dynamodbEndpoint: endpoint,
      tableName,
      prepare: (lab) => {
        const clients = {
          endpoint: lab.url,
          region: REGION,
          credentials: { accessKeyId: 'LABT', secretAccessKey: 't' },
        };
        const adapter = new CloudTrailMonitoringSetup(
          new CloudTrailClient(clients),
          new EventBridgeClient(clients),
          lab.monitoring.ruleNames(),
        );
        lab.afterScheduled(async (functionName, at) => {
          if (functionName !== 'reconcile') return;
          const findings = await store.listFindings({ account: ACCOUNT, region: REGION });
          timeline.push({
            at: at.toISOString(),
            open: findings
              .filter((f) => f.rule === 'monitoring-blind' && f.status === 'open')
              .map((f) => f.subject ?? '?')
              .sort(),
          });
          adapterSeen.push({
            at: at.toISOString(),
            trails: await adapter.loggingTrails(),
            disabled: await adapter.disabledIngestRules(),
          });
        });
      },
    });
    ddb.destroy();
  }, 300_000);

  const openAt = (minute: number) =>
    timeline.find((t) => t.at === new Date(Date.parse(scenario.start) + minute * 60_000).toISOString())?.open;

  it('plays every step without handler errors', () => {
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });

  it('opens monitoring-blind with the subject of each blind spot and resolves it once restored', () => {
    expect(openAt(10)).toEqual(['no-trail']);
    expect(openAt(20)).toEqual(['no-trail']);
    expect(openAt(30)).toEqual([]);
    expect(openAt(40)).toEqual(['no-microvm-data-events']);
    expect(openAt(50)).toEqual([]);
    expect(openAt(60)).toEqual(['rules-disabled']);
    // The rule is back; the one change made while it was disabled is now repaired, and it was the window's
    // only change: nothing of the window was delivered (subject no-delivery), until the next run.
    expect(openAt(70)).toEqual(['no-delivery']);
    expect(openAt(80)).toEqual([]);
    const blind = result.findings.filter((f) => f.rule === 'monitoring-blind');
    expect(blind.map((f) => [f.subject, f.status]).sort()).toEqual([
      ['no-delivery', 'resolved'],
      ['no-microvm-data-events', 'resolved'],
      ['no-trail', 'resolved'],
      ['rules-disabled', 'resolved'],
    ]);
    const rules = blind.find((f) => f.subject === 'rules-disabled');
    expect(rules?.summary).toContain('egress-watch-lab-ec2-network-changes');
    expect(rules?.source).toBe('reconcile');
  });

  it('answers the production adapter over HTTP as the setup changes', () => {
    const seen = (minute: number) =>
      adapterSeen.find((s) => s.at === new Date(Date.parse(scenario.start) + minute * 60_000).toISOString());
    expect(seen(10)).toMatchObject({ trails: [], disabled: [] });
    expect(seen(40)).toMatchObject({ trails: [{ name: 'egress-watch-lab-trail', microvmDataEvents: false }] });
    expect(seen(60)).toMatchObject({ disabled: ['egress-watch-lab-ec2-network-changes'] });
    expect(seen(70)).toMatchObject({
      trails: [{ name: 'egress-watch-lab-trail', microvmDataEvents: true }],
      disabled: [],
    });
  });

  it('delivers nothing through a disabled rule; reconcile repairs the change it missed', () => {
    const skipped = result.lab.bus.deliveryLog().filter((d) => d.outcome === 'skipped-rule-disabled');
    expect(skipped.map((d) => d.eventName)).toEqual(['AuthorizeSecurityGroupEgress']);
    const missed = result.findings.find((f) => f.rule === 'missed-event');
    expect(missed?.summary).toContain('AuthorizeSecurityGroupEgress');
  });
});
