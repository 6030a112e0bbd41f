import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../lab/scenarios/runner.js';
import { DynamoDbIncidents } from '../../shared/aws/dynamodb-incidents.js';
import type { Incident } from '../../shared/domain/incidents.js';
import { storedIncidents } from '../support/alerts.js';
import { labTableClient, playScenarioForTest } from '../support/play-scenario.js';

describe('e2e alerts: a silenced connector sends nothing, and its incidents are recorded as silenced', () => {
  let result: ScenarioResult;
  let incidents: Incident[];
  beforeAll(async () => {
    result = await playScenarioForTest('article', undefined, {
      // What `egress-watch silence add --connector nat-egress-connector --for 2h --reason …` writes.
      prepare: async (lab) => {
        const { client, tableName } = labTableClient(lab);
        await new DynamoDbIncidents({ client, tableName }).putSilence({
          silenceId: 'sil-e2e',
          match: { connectorId: 'nat-egress-connector' },
          reason: 'planned NAT migration',
          startsAt: lab.options.start,
          expiresAt: new Date(Date.parse(lab.options.start) + 3 * 3600_000).toISOString(),
          source: 'silence',
        });
        client.destroy();
      },
      beforeClose: async (lab) => {
        incidents = await storedIncidents(lab);
      },
    });
  }, 180_000);

  it('sends nothing about the silenced connector to Slack or SNS', () => {
    expect(result.findings.filter((f) => f.status === 'open').length).toBeGreaterThan(0);
    const sent = [
      ...result.lab.slack.received.map((r) => JSON.stringify(r.payload)),
      ...result.lab.sns.published.map((p) => p.message),
    ];
    expect(sent.filter((text) => text.includes('nat-egress-connector'))).toEqual([]);
    expect(result.lab.errors()).toEqual([]);
  });

  it('records every incident naming the connector as silenced, with the reason', () => {
    const named = incidents.filter((i) => i.members.some((m) => m.connectorName === 'nat-egress-connector'));
    expect(named.map((i) => i.rule)).toEqual(
      expect.arrayContaining([
        'network-path-changed',
        'microvm-multiple-egress-connectors',
        'connector-deleted-while-in-use',
      ]),
    );
    for (const incident of named) {
      expect(incident.silenced, incident.rule).toEqual({
        silenceId: 'sil-e2e',
        reason: 'planned NAT migration',
        source: 'silence',
      });
    }
  });
});
