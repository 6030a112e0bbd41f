/**
 * Fault injection: DynamoDB Local behind test/support/fault-proxy.ts answering 5xx, throttling, losing
 * responses or freezing. Ingest and replay either end in the state of a fault-free run, or stop with a clear
 * error saying how far they got, after which the next run completes the state (docs/ingest.md, "Faults").
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type ReplayOutput, replayEvents } from '../../../cli/replay.js';
import { IngestInterruptedError, ingestEvents } from '../../../shared/app/ingest-events.js';
import { type AwsClientLimits, awsClientOptions } from '../../../shared/aws/client-options.js';
import { DynamoDbStore } from '../../../shared/aws/dynamodb-store.js';
import { ensureTable } from '../../../shared/aws/dynamodb-table.js';
import { type FaultProxy, type FaultSettings, startFaultProxy } from '../../support/fault-proxy.js';
import { loadScenario } from '../../support/fixtures.js';

const ALLOWED = new Set(['111122223333']);
const clock = { now: () => new Date('2026-06-25T00:00:00Z') };
/** Fast limits for tests: the same strategy as production, with short time-outs and backoffs. */
const FAST: Partial<AwsClientLimits> = { requestTimeoutMs: 3_000, connectionTimeoutMs: 1_000, maxBackoffMs: 40 };

const events = (() => {
  const scenario = loadScenario('article-connector-lifecycle');
  return [...scenario, ...scenario.slice(3, 9)];
})();

const clients: DynamoDBClient[] = [];
const proxies: FaultProxy[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const proxy of proxies.splice(0)) await proxy.close();
});

function client(endpoint: string, limits: Partial<AwsClientLimits> = FAST): DynamoDBClient {
  const c = new DynamoDBClient({
    ...awsClientOptions(limits),
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  clients.push(c);
  return c;
}

async function freshTable(): Promise<string> {
  const tableName = `fault-${randomUUID().slice(0, 8)}`;
  await ensureTable(client(inject('dynamodbEndpoint')), tableName);
  return tableName;
}

async function proxiedStore(
  tableName: string,
  settings: Partial<FaultSettings> & { seed?: number },
  limits: Partial<AwsClientLimits> = FAST,
): Promise<{ store: DynamoDbStore; proxy: FaultProxy }> {
  const proxy = await startFaultProxy(inject('dynamodbEndpoint'), settings);
  proxies.push(proxy);
  return { store: new DynamoDbStore({ client: client(proxy.endpoint, limits), tableName }), proxy };
}

function directStore(tableName: string): DynamoDbStore {
  return new DynamoDbStore({ client: client(inject('dynamodbEndpoint')), tableName });
}

let reference: ReplayOutput | undefined;
async function referenceOutput(): Promise<ReplayOutput> {
  reference ??= (await replayEvents(directStore(await freshTable()), events, ALLOWED)).output;
  return reference;
}

/** Runs replay until it completes (at most `runs` times); every failed run must be a clear, counted stop. */
async function replayUntilComplete(
  store: DynamoDbStore,
  runs: number,
): Promise<{ output: ReplayOutput; failures: string[] }> {
  const failures: string[] = [];
  for (let run = 1; run <= runs; run++) {
    try {
      return { output: (await replayEvents(store, events, ALLOWED)).output, failures };
    } catch (error) {
      expect(error).toBeInstanceOf(IngestInterruptedError);
      expect((error as Error).message).toMatch(
        new RegExp(`^ingest stopped after \\d+ of ${events.length} events \\(stored \\d+, duplicates \\d+`),
      );
      failures.push((error as Error).message);
    }
  }
  throw new Error(`replay did not complete in ${runs} runs:\n${failures.join('\n')}`);
}

function expectSameState(actual: ReplayOutput, expected: ReplayOutput): void {
  expect(actual.connectors).toEqual(expected.connectors);
  expect(actual.findings).toEqual(expected.findings);
  expect(actual.rejected).toEqual(expected.rejected);
  expect(actual.ignored).toEqual(expected.ignored);
  // A write whose answer was lost is retried and found: stored in fact, counted as a duplicate.
  const { stored, duplicates, ...rest } = actual.counts;
  const { stored: s, duplicates: d, ...expectedRest } = expected.counts;
  expect(rest).toEqual(expectedRest);
  expect(stored + duplicates).toBe(s + d);
}

describe('fault injection on DynamoDB', () => {
  it('replay under 30% throttling (the case that crashed after 278 requests) ends in the fault-free state', async () => {
    const expected = await referenceOutput();
    const { store, proxy } = await proxiedStore(await freshTable(), { throttleRate: 0.3, seed: 30 });

    const { output } = await replayUntilComplete(store, 3);

    expectSameState(output, expected);
    expect(proxy.stats.throttled).toBeGreaterThan(10);
    const c = output.counts;
    expect(c.received).toBe(events.length);
    expect(c.stored + c.duplicates + c.ignored + c.rejected).toBe(c.received);
  });

  it('replay under 10% 5xx and 20% throttling ends in the fault-free state', async () => {
    const expected = await referenceOutput();
    const { store, proxy } = await proxiedStore(await freshTable(), { errorRate: 0.1, throttleRate: 0.2, seed: 11 });

    const { output } = await replayUntilComplete(store, 3);

    expectSameState(output, expected);
    expect(proxy.stats.errors).toBeGreaterThan(3);
  });

  it('ingest with lost responses (the write happened, the answer was a 500) stores the same event log', async () => {
    const referenceTable = await freshTable();
    await ingestEvents({ log: directStore(referenceTable), allowedAccounts: ALLOWED, clock }, events);
    const tableName = await freshTable();
    const { store, proxy } = await proxiedStore(tableName, { lostResponseRate: 0.3, only: ['PutItem'], seed: 5 });

    const report = await ingestEvents({ log: store, allowedAccounts: ALLOWED, clock, concurrency: 4 }, events);

    expect(proxy.stats.lostResponses).toBeGreaterThan(3);
    const c = report.counts;
    expect(c.stored + c.duplicates + c.ignored + c.rejected).toBe(c.received);
    const scope = { account: '111122223333', region: 'ap-northeast-1' };
    const ids = async (name: string) => (await directStore(name).loadEvents(scope)).map((e) => e.eventId).sort();
    expect(await ids(tableName)).toEqual(await ids(referenceTable));
    expect((await ids(tableName)).length).toBeGreaterThan(10);
  });

  it('a frozen DynamoDB ends the run with a clear error within the time-outs; the next run completes the state', async () => {
    const expected = await referenceOutput();
    const tableName = await freshTable();
    const { store, proxy } = await proxiedStore(
      tableName,
      { freezeFrom: 12, seed: 2 },
      { ...FAST, requestTimeoutMs: 400, maxAttempts: 2 },
    );

    const started = Date.now();
    const error = await replayEvents(store, events, ALLOWED).then(
      () => null,
      (e: unknown) => e,
    );

    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(IngestInterruptedError);
    const interrupted = error as IngestInterruptedError;
    expect(interrupted.message).toMatch(new RegExp(`^ingest stopped after \\d+ of ${events.length} events`));
    expect(interrupted.message).toMatch(/TimeoutError after 2 attempts/);
    expect(interrupted.message).toMatch(/run it again to complete/);
    expect(interrupted.unprocessed).toBeGreaterThan(0);
    const c = interrupted.report.counts;
    expect(c.stored + c.duplicates + c.ignored + c.rejected + interrupted.unprocessed).toBe(events.length);
    expect(proxy.stats.held).toBeGreaterThan(0);

    proxy.set({ freezeFrom: null });
    // The next run is a new process with the default time-outs (400 ms was for the frozen run only).
    const { output } = await replayUntilComplete(directStore(tableName), 1);
    expectSameState(output, expected);
  });
});
