/**
 * npm run bench:project — the incremental projection's cost per stream batch with 1,000 and with 100,000
 * events already in the account/region log, side by side in one run on DynamoDB Local: time per batch,
 * DynamoDB read capacity units per batch (ReturnConsumedCapacity TOTAL) and requests per batch, and the
 * big/small ratios. A batch is 5 new connector lifecycles (55 events) in a new hour; a late batch is one
 * lifecycle 5 hours late. The history is many connector lifecycles over six days, projected by the same use
 * case on an in-memory store and copied into DynamoDB Local with direct batch writes (not timed). Prints figures, asserts nothing. docs/projection.md.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { projectBatch } from '../../shared/app/project-incremental.js';
import { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { eventKey } from '../../shared/domain/event-identity.js';
import type { NormalizedEvent } from '../../shared/domain/model.js';
import {
  ACCOUNT,
  type ConnectorSpec,
  connectorArn,
  createConnector,
  createConnectorEni,
  deleteConnector,
  deleteEni,
  normalizeAll,
  type RawEnvelope,
  REGION,
  runMicrovm,
  securityGroupReference,
  terminateMicrovm,
} from '../support/event-builders.js';
import { MemoryStore } from '../support/memory-store.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SIZES = [Number(process.env.BENCH_SMALL ?? 1_000), Number(process.env.BENCH_BIG ?? 100_000)];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SCOPE = { account: ACCOUNT, region: REGION };
const T0 = Date.parse('2026-06-24T00:00:00Z');
const MIN = 60_000;
const TARGET_GROUP = 'sg-0eeeeeeeeeeeeeeee';

let serial = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One connector's life: create, two ENIs, two MicroVM runs, a security-group change, deletes (11 events). */
function lifecycle(start: number): RawEnvelope[] {
  const n = ++serial;
  const spec: ConnectorSpec = {
    id: `nc-00000000-0000-4000-8000-${hex(n, 12)}`,
    name: `egress-${n}`,
    subnetIds: [`subnet-0${hex(n, 16)}`],
    securityGroupIds: [`sg-0${hex(n, 16)}`],
  };
  const subnetId = spec.subnetIds?.[0] as string;
  const eni = (k: number) => `eni-0${hex(n * 4 + k, 16)}`;
  const mvm = (k: number) => `mvm-00000000-0000-4000-8000-${hex(n * 4 + k, 12)}`;
  const at = (minutes: number) => new Date(start + minutes * MIN).toISOString().replace('.000Z', 'Z');
  return [
    createConnector(spec, at(0)),
    createConnectorEni(
      { connector: spec, eniId: eni(0), subnetId, privateIp: '10.0.0.10', purpose: 'validation' },
      at(1),
    ),
    createConnectorEni({ connector: spec, eniId: eni(1), subnetId, privateIp: '10.0.0.11' }, at(2)),
    deleteEni(eni(0), at(3)),
    runMicrovm({ microvmId: mvm(0), connectors: [connectorArn(spec.id)] }, at(5)),
    runMicrovm({ microvmId: mvm(1), connectors: [connectorArn(spec.name)] }, at(6)),
    securityGroupReference(
      'authorize',
      { groupId: TARGET_GROUP, referencedGroupId: spec.securityGroupIds?.[0] as string, port: 443 },
      at(10),
    ),
    terminateMicrovm(mvm(0), at(20)),
    terminateMicrovm(mvm(1), at(21)),
    deleteConnector(spec, at(30)),
    deleteEni(eni(1), at(35)),
  ];
}

/** `count` events of connector lifecycles spread over the six days before T0 (minus two hours). */
function history(count: number): NormalizedEvent[] {
  const lives = Math.ceil(count / 11);
  const span = 6 * 24 * 60 * MIN - 2 * 60 * MIN;
  const raws: RawEnvelope[] = [];
  for (let i = 0; i < lives; i++) raws.push(...lifecycle(T0 - 6 * 24 * 60 * MIN + Math.floor((span * i) / lives)));
  return normalizeAll(raws.slice(0, count));
}

/**
 * Seeds a table with a projected history by direct batch writes: the history is appended to an in-memory store
 * with DynamoDB's semantics and projected there by the same use case, then every item is copied.
 */
async function seed(client: DynamoDBClient, table: string, events: NormalizedEvent[]): Promise<number> {
  const memory = new MemoryStore();
  for (const e of events) await memory.appendWithKey(e);
  await projectBatch({ store: memory }, SCOPE, 'all');
  const items = memory.allItems().map((item): Record<string, unknown> => {
    if (item.pk.startsWith('LOG#')) {
      const event = JSON.parse(item.body) as NormalizedEvent;
      return {
        pk: item.pk,
        sk: item.sk,
        eventId: event.eventId,
        kind: event.kind,
        hash: item.attributes?.hash,
        e: item.body,
      };
    }
    return {
      ...(item.attributes ?? {}),
      pk: item.pk,
      sk: item.sk,
      body: item.body,
      ...(item.basis !== undefined ? { basis: item.basis } : {}),
      ...(item.ttl !== undefined ? { ttl: item.ttl } : {}),
    };
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let cursor = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (cursor < items.length) {
        const chunk = items.slice(cursor, cursor + 25);
        cursor += 25;
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] = chunk.map((Item) => ({
          PutRequest: { Item },
        }));
        while (requests.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
    }),
  );
  return items.length;
}

interface Sample {
  ms: number;
  rcu: number;
  requests: number;
  events: number;
}

async function timedBatch(
  store: DynamoDbStore,
  counter: { requests: number },
  events: NormalizedEvent[],
): Promise<Sample> {
  for (const e of events) await store.appendEvent(e);
  const keys = events.map((e) => eventKey(e));
  store.consumed.reset();
  counter.requests = 0;
  const started = performance.now();
  const out = await projectBatch({ store }, SCOPE, keys);
  return { ms: performance.now() - started, rcu: store.consumed.read, requests: counter.requests, events: out.events };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  try {
    const setups = [];
    for (const size of SIZES) {
      const counter = { requests: 0 };
      const client = new DynamoDBClient({
        endpoint: ddb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      client.middlewareStack.add(
        (next) => async (args) => {
          counter.requests++;
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
      const table = `bench-${size}`;
      await ensureTable(client, table);
      const store = new DynamoDbStore({ client, tableName: table });
      const events = history(size);
      const started = performance.now();
      const items = await seed(client, table, events);
      console.log(
        `seeded ${events.length} events, projected, as ${items} items in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      setups.push({ size: events.length, store, counter, samples: [] as Sample[], late: [] as Sample[] });
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 0 ? [...setups].reverse() : setups;
      for (const setup of order) {
        const start = T0 + round * 60 * MIN;
        const raws = Array.from({ length: 5 }, (_, i) => lifecycle(start + i * 2 * MIN)).flat();
        setup.samples.push(await timedBatch(setup.store, setup.counter, normalizeAll(raws)));
      }
    }
    for (const setup of setups) {
      const late = normalizeAll(lifecycle(T0 + (ROUNDS - 5) * 60 * MIN));
      setup.late.push(await timedBatch(setup.store, setup.counter, late));
    }

    const row = (label: string, s: Sample[]) =>
      `${label.padEnd(34)} ${median(s.map((x) => x.ms))
        .toFixed(1)
        .padStart(9)} ms  ${mean(s.map((x) => x.rcu))
        .toFixed(1)
        .padStart(8)} RCU  ${mean(s.map((x) => x.requests))
        .toFixed(0)
        .padStart(6)} requests  ${mean(s.map((x) => x.events))
        .toFixed(0)
        .padStart(6)} log items folded`;
    console.log(`\nper batch (median time of ${ROUNDS} batches of 55 events; mean read units and requests):`);
    for (const s of setups) console.log(row(`${s.size} events in the log`, s.samples));
    for (const s of setups) console.log(row(`${s.size} events, batch 5 h late`, s.late));
    const [small, big] = setups as [(typeof setups)[0], (typeof setups)[0]];
    const ratio = median(big.samples.map((x) => x.ms)) / median(small.samples.map((x) => x.ms));
    const rcuRatio = mean(big.samples.map((x) => x.rcu)) / Math.max(1e-9, mean(small.samples.map((x) => x.rcu)));
    const lateRatio = median(big.late.map((x) => x.ms)) / median(small.late.map((x) => x.ms));
    console.log(
      `\nratio ${big.size}/${small.size}: time ${ratio.toFixed(2)} (target <= 1.5), read units ${rcuRatio.toFixed(2)}, late batch time ${lateRatio.toFixed(2)}`,
    );
  } finally {
    await ddb.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
