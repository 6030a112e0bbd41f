// Writes the report fixtures (test/support/report-fixtures.ts) into a DynamoDB Local table the way the
// product does: connector views and findings through the store's projection write, events through the
// ingest append, quarantine through the store; canary runs and incidents as the items their owners write
// (`CANARY#<connectorId>` / `RUN#<startedAt>` in the CanaryRun shape, `INCIDENT#<id>` / `META`).

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import type { NormalizedEvent } from '../../shared/domain/model.js';
import * as f from './report-fixtures.js';

function eniDeleted(eventId: string, eventTime: string): NormalizedEvent {
  return {
    kind: 'eni.deleted',
    eventId,
    eventTime,
    eventName: 'DeleteNetworkInterface',
    eventSource: eventId.startsWith('obs-') ? 'egress-watch.reconcile' : 'ec2.amazonaws.com',
    account: f.ACCOUNT,
    region: f.REGION,
    actor: {
      type: 'AssumedRole',
      arn: null,
      name: 'NetworkTeam',
      sessionName: 'bob',
      invokedBy: null,
      accountId: f.ACCOUNT,
    },
    errorCode: null,
    errorMessage: null,
    eniId: `eni-${eventId
      .replace(/[^0-9a-f]/g, '')
      .padEnd(17, '0')
      .slice(0, 17)}`,
  };
}

/** What the seed wrote that a test can count on. */
export const SEEDED = {
  /** Events with eventTime inside [SINCE, UNTIL): 3 from CloudTrail + 1 reconcile observation. */
  eventsInWindow: 4,
  repairedInWindow: 1,
  quarantinedInWindow: 2,
  /** Canary run items written: every fixture run, plus one that is not a CanaryRun (skipped). */
  canaryRuns: 56,
};

/**
 * Seeds the table. `withIncidents` adds one alerts-style incident grouping the SG finding of both
 * connectors (silenced); without it the report falls back to findings.
 */
export async function seedReportTable(
  client: DynamoDBClient,
  tableName: string,
  store: DynamoDbStore,
  options: { withIncidents?: boolean } = {},
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const scope = { account: f.ACCOUNT, region: f.REGION };
  // The projection's current views (docs/projection.md: VIEWS#<account>#<region>, CONN#… and FINDING#…).
  const views = `VIEWS#${scope.account}#${scope.region}`;
  await store.putItems([
    { pk: 'SCOPES', sk: `${scope.account}#${scope.region}`, body: JSON.stringify(scope), attributes: { ...scope } },
    ...f.connectors().map((c) => ({ pk: views, sk: `CONN#${c.id}`, body: JSON.stringify(c) })),
    ...f.findings().map((x) => ({ pk: views, sk: `FINDING#${x.fingerprint}`, body: JSON.stringify(x) })),
  ]);

  for (const [id, at] of [
    ['e-before', '2026-06-19T23:59:59.000Z'],
    ['e-1', '2026-06-21T09:00:00.000Z'],
    ['e-2', '2026-06-22T00:00:00.000Z'],
    ['e-3', '2026-06-22T18:00:00.000Z'],
    ['obs-1a2b3c4d5e6f', '2026-06-23T00:00:00.000Z'],
    ['e-after', '2026-06-27T00:00:01.000Z'],
  ] as const) {
    await store.appendEvent(eniDeleted(id, at));
  }
  for (const receivedAt of ['2026-06-21T10:00:00.000Z', '2026-06-26T23:00:00.000Z', '2026-06-27T01:00:00.000Z']) {
    await store.quarantine({
      eventId: null,
      error: 'detail.eventTime: expected an ISO-8601 timestamp string',
      raw: '{}',
      receivedAt,
    });
  }

  const runs = f.canaryRuns();
  for (const [i, run] of runs.entries()) {
    // Half as plain attributes, half as a JSON body: the report reads either.
    const item =
      i % 2 === 0
        ? { pk: `CANARY#${run.connectorId}`, sk: `RUN#${run.startedAt}`, ...run, ttl: 1_900_000_000 }
        : {
            pk: `CANARY#${run.connectorId}`,
            sk: `RUN#${run.startedAt}`,
            body: JSON.stringify(run),
            ttl: 1_900_000_000,
          };
    await doc.send(new PutCommand({ TableName: tableName, Item: item }));
  }
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CANARY#${f.NAT}`,
        sk: 'RUN#2026-06-23T01:00:00.000Z',
        startedAt: '2026-06-23T01:00:00.000Z',
        met: 'yes',
      },
    }),
  );

  if (options.withIncidents) {
    // As alerts writes it (shared/aws/dynamodb-incidents.ts): public attributes, gsi1 by scope, the full
    // incident in `body` with its member findings.
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'INCIDENT#inc-sg-0db',
          sk: 'META',
          gsi1pk: `INCIDENTS#${f.ACCOUNT}#${f.REGION}`,
          gsi1sk: '2026-06-22T00:00:00.000Z#inc-sg-0db',
          incidentId: 'inc-sg-0db',
          kind: 'change',
          rule: 'network-path-changed',
          severity: 'high',
          status: 'resolved',
          account: f.ACCOUNT,
          region: f.REGION,
          connectorIds: [f.NAT, f.ISOLATED],
          openedAt: '2026-06-22T00:00:00.000Z',
          resolvedAt: '2026-06-22T18:00:00.000Z',
          actors: ['role/NetworkTeam/bob'],
          silenced: true,
          silenceReason: 'maintenance window',
          body: JSON.stringify({
            incidentId: 'inc-sg-0db',
            members: [
              {
                fingerprint: 'fp-sg-rule-removed',
                summary: 'sg-0db: rule allowing the connector SG on tcp/5432 revoked',
              },
            ],
            silenced: { silenceId: 's-1', reason: 'maintenance window' },
          }),
        },
      }),
    );
    // Not an incident (no rule): skipped with a warning, never guessed.
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'INCIDENT#broken', sk: 'META', gsi1pk: `INCIDENTS#${f.ACCOUNT}#${f.REGION}`, gsi1sk: 'x' },
      }),
    );
  }
}
