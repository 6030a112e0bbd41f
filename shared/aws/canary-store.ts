/**
 * CanaryStore on the monitor table (docs/canaries.md#storage):
 *
 *   CANARY#<connectorId>   STATE              the canary's VM and finding streaks (gsi1: CANARIES / <connectorId>)
 *   CANARY#<connectorId>   RUN#<startedAt>    one run (CanaryRun JSON in `body`), `ttl` epoch seconds
 *   FINDING#<fingerprint>  META               canary findings, same item shape as the projection's
 *                                             (gsi1: SCOPE#<account>#<region> / FINDING#<firstSeen>#<fingerprint>)
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CanaryState, CanaryStore } from '../canary-ports.js';
import type { CanaryFinding, CanaryRun } from '../domain/canary.js';
import type { Scope } from '../ports.js';

const STATES_INDEX_KEY = 'CANARIES';

export class DynamoDbCanaryStore implements CanaryStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async listStates(): Promise<CanaryState[]> {
    const items = await this.query({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': STATES_INDEX_KEY },
    });
    return items.map((i) => JSON.parse(String(i.body)) as CanaryState);
  }

  async saveState(state: CanaryState): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `CANARY#${state.connectorId}`,
          sk: 'STATE',
          gsi1pk: STATES_INDEX_KEY,
          gsi1sk: state.connectorId,
          body: JSON.stringify(state),
        },
      }),
    );
  }

  async deleteState(connectorId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `CANARY#${connectorId}`, sk: 'STATE' } }),
    );
  }

  async putRun(run: CanaryRun, ttlEpochSeconds: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `CANARY#${run.connectorId}`,
          sk: `RUN#${run.startedAt}`,
          met: run.met,
          microvmSeconds: run.microvmSeconds,
          ttl: ttlEpochSeconds,
          body: JSON.stringify(run),
        },
      }),
    );
  }

  /** Runs of one connector, oldest first, optionally from an ISO-8601 time on. */
  async listRuns(connectorId: string, since = ''): Promise<CanaryRun[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':p': `CANARY#${connectorId}`, ':from': `RUN#${since}`, ':to': 'RUN#~' },
    });
    return items.map((i) => JSON.parse(String(i.body)) as CanaryRun);
  }

  async loadFinding(fingerprint: string): Promise<CanaryFinding | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `FINDING#${fingerprint}`, sk: 'META' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? (JSON.parse(String(out.Item.body)) as CanaryFinding) : undefined;
  }

  async putFinding(finding: CanaryFinding): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `FINDING#${finding.fingerprint}`,
          sk: 'META',
          gsi1pk: `SCOPE#${finding.account}#${finding.region}`,
          gsi1sk: `FINDING#${finding.firstSeen}#${finding.fingerprint}`,
          rule: finding.rule,
          severity: finding.severity,
          status: finding.status,
          connectorId: finding.connectorId,
          source: 'canary',
          body: JSON.stringify(finding),
        },
      }),
    );
  }

  /** Canary findings of a scope (the projection's listing only knows its own). */
  async listFindings(scope: Scope): Promise<CanaryFinding[]> {
    const items = await this.query({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p AND begins_with(gsi1sk, :f)',
      FilterExpression: '#source = :canary',
      ExpressionAttributeNames: { '#source': 'source' },
      ExpressionAttributeValues: {
        ':p': `SCOPE#${scope.account}#${scope.region}`,
        ':f': 'FINDING#',
        ':canary': 'canary',
      },
    });
    return items.map((i) => JSON.parse(String(i.body)) as CanaryFinding);
  }

  private async query(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let key: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: key }));
      items.push(...((out.Items as Record<string, unknown>[] | undefined) ?? []));
      key = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (key);
    return items;
  }
}
