/** Plays a scenario file on a fresh table of the run's DynamoDB Local (one scenario per test file: the
 * handler modules read their configuration once per process, as in Lambda). */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { Lab } from '../../lab/lab.js';
import { type PlayOptions, playScenario, type ScenarioResult } from '../../lab/scenarios/runner.js';
import { loadScenarioFile } from '../../lab/scenarios/scenario-file.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';

/**
 * `delivery` overrides the scenario's EventBridge behaviour (e.g. `{ lossRate: 0.3 }`); `hooks` run once the
 * lab is up (`prepare`) and before it closes (`beforeClose`); `environment` overrides the functions' environment.
 */
export async function playScenarioForTest(
  name: string,
  delivery?: Record<string, unknown>,
  hooks: Pick<PlayOptions, 'prepare' | 'beforeClose' | 'environment'> = {},
): Promise<ScenarioResult> {
  const { dynamodbEndpoint: endpoint, tableName } = await playScenarioTable(name);
  return playScenario({
    scenario: loadScenarioFile(name),
    dynamodbEndpoint: endpoint,
    tableName,
    ...(delivery ? { delivery } : {}),
    ...hooks,
  });
}

/**
 * Runs `work` with a DynamoDB client on the lab's DynamoDB Local (what a test reads or seeds in the table
 * while the lab is up), and destroys the client afterwards.
 */
export async function withLabTable<T>(
  lab: Lab,
  work: (client: DynamoDBClient, tableName: string) => Promise<T>,
): Promise<T> {
  const client = new DynamoDBClient({
    endpoint: lab.options.dynamodbEndpoint,
    region: lab.options.region,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
  try {
    return await work(client, lab.options.tableName);
  } finally {
    client.destroy();
  }
}

/** A fresh table on the run's DynamoDB Local, for `playScenario` with an inline scenario. */
export async function playScenarioTable(name: string): Promise<{ dynamodbEndpoint: string; tableName: string }> {
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  const tableName = `e2e-${name}-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
  await ensureTable(client, tableName);
  client.destroy();
  return { dynamodbEndpoint, tableName };
}

export function openFindings(result: ScenarioResult, rule: string) {
  const names = new Map(result.connectors.map((c) => [c.id, c.name]));
  return result.findings
    .filter((f) => f.rule === rule && f.status === 'open')
    .map((f) => ({ connector: names.get(f.connectorId), severity: f.severity }));
}

/** A DynamoDB client on a running lab's table (destroy it when done), for scenario hooks. */
export function labTableClient(lab: Pick<Lab, 'options'>): { client: DynamoDBClient; tableName: string } {
  const client = new DynamoDBClient({
    endpoint: lab.options.dynamodbEndpoint,
    region: lab.options.region,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
  return { client, tableName: lab.options.tableName };
}
