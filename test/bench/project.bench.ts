/**
 * npm run bench:project — the incremental projection's cost per stream batch with 1,000 and with 100,000
 * events already in the account/region log, side by side in one run, each on its own DynamoDB Local: time per batch,
 * DynamoDB read capacity units per batch (ReturnConsumedCapacity TOTAL) and requests per batch, and the
 * big/small ratios. A batch is 5 new connector lifecycles (55 events) in a new hour; a late batch is one
 * lifecycle 5 hours late. The history is many connector lifecycles over six days, projected by the same use
 * case on an in-memory store and written into DynamoDB Local in the store's item shapes with BatchWriteItem (not
 * timed). Prints figures, asserts nothing. docs/projection.md.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { projectBatch } from '../../shared/app/project-incremental.js';
import { DEFAULT_LOG_HORIZON_SECONDS, DynamoDbStore, logRecord, stateRecord } from '../../shared/aws/dynamodb-store.js';
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const LATE_ROUNDS = Number(process.env.BENCH_LATE_ROUNDS ?? 3);
const SCOPE = { account: ACCOUNT, region: REGION };
const HOUR = 3_600_000;
/**
 * The first measured batch's hour, ROUNDS + 2 hours before now: the history's six days before it lie within
 * the log horizon (7 days), so items carry the TTLs production would give them.
 */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - (ROUNDS + 2) * HOUR;
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

const SEED_CONCURRENCY = 8;

/**
 * Writes items with BatchWriteItem, 25 per call and SEED_CONCURRENCY calls in flight, retrying
 * UnprocessedItems with exponential backoff. Prints progress every 15 s.
 */
async function batchWrite(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[], label: string) {
  let cursor = 0;
  let written = 0;
  let lastReport = performance.now();
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (cursor < items.length) {
        const chunk = items.slice(cursor, cursor + 25);
        cursor += 25;
        let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
        written += chunk.length;
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          console.log(`  … ${label}: ${written}/${items.length} items written`);
        }
      }
    }),
  );
}

/**
 * Seeds a table with a projected history, as production would hold it after ingesting and projecting it:
 * the log items are the ingest's own items (logRecord: key, hash, ttl), written directly; the projection's
 * items (index entries, hourly core checkpoints, connector snapshots, views, findings) come from running the
 * same use case once over the whole history on an in-memory store with DynamoDB's semantics, and are written
 * in the store's item shape (stateRecord). Returns the item count and the seconds each phase took.
 */
async function seed(client: DynamoDBClient, table: string, events: NormalizedEvent[]): Promise<string> {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const phases: string[] = [];
  let t = performance.now();
  const lap = (label: string) => {
    phases.push(`${label} ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
  };
  const now = Date.now();
  const logItems = events.map((e) => logRecord(e, DEFAULT_LOG_HORIZON_SECONDS, now));
  await batchWrite(doc, table, logItems, `${events.length} log items`);
  lap(`${logItems.length} log items written`);
  const memory = new MemoryStore();
  for (const e of events) await memory.appendWithKey(e);
  await projectBatch({ store: memory }, SCOPE, 'all');
  const stateItems = memory
    .allItems()
    .filter((item) => !item.pk.startsWith('LOG#'))
    .map(stateRecord);
  lap('projected in memory');
  await batchWrite(doc, table, stateItems, `${stateItems.length} projection items`);
  lap(`${stateItems.length} projection items written`);
  return phases.join(', ');
}

interface Sample {
  ms: number;
  /** Wall-clock ms with at least one DynamoDB request in flight. */
  dynamoMs: number;
  /** CPU ms of this process (the projection's own work, the SDK's marshalling). */
  cpuMs: number;
  rcu: number;
  requests: number;
  events: number;
}

/** Counts a client's requests and the wall-clock time during which at least one is in flight. */
class RequestMeter {
  requests = 0;
  busyMs = 0;
  private inFlight = 0;
  private since = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.requests++;
        if (this.inFlight++ === 0) this.since = performance.now();
        try {
          return await next(args);
        } finally {
          if (--this.inFlight === 0) this.busyMs += performance.now() - this.since;
        }
      },
      { step: 'initialize', name: 'benchMeter' },
    );
  }

  reset(): void {
    this.requests = 0;
    this.busyMs = 0;
  }
}

async function timedBatch(store: DynamoDbStore, meter: RequestMeter, events: NormalizedEvent[]): Promise<Sample> {
  for (const e of events) await store.appendEvent(e);
  const keys = events.map((e) => eventKey(e));
  store.consumed.reset();
  meter.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const out = await projectBatch({ store }, SCOPE, keys);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    ms,
    dynamoMs: meter.busyMs,
    cpuMs: (used.user + used.system) / 1000,
    rcu: store.consumed.read,
    requests: meter.requests,
    events: out.events,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  // One DynamoDB Local per size: on one process, the table created second answers the same requests about
  // 2.4 times slower whatever its size (docs/projection.md, "Measured"), which would pass for history cost.
  const locals: Awaited<ReturnType<typeof startDynamoDbLocal>>[] = [];
  try {
    const setups = [];
    for (const size of SIZES) {
      const ddb = await startDynamoDbLocal();
      locals.push(ddb);
      const meter = new RequestMeter();
      const client = new DynamoDBClient({
        endpoint: ddb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      meter.attach(client);
      const table = `bench-${size}`;
      await ensureTable(client, table);
      const store = new DynamoDbStore({ client, tableName: table });
      const started = performance.now();
      const events = history(size);
      const generated = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`seeding ${events.length} events (generated and normalized in ${generated} s)`);
      const phases = await seed(client, table, events);
      console.log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${phases}`);
      setups.push({ size: events.length, store, meter, samples: [] as Sample[], late: [] as Sample[] });
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 0 ? [...setups].reverse() : setups;
      for (const setup of order) {
        const start = T0 + round * 60 * MIN;
        const raws = Array.from({ length: 5 }, (_, i) => lifecycle(start + i * 2 * MIN)).flat();
        setup.samples.push(await timedBatch(setup.store, setup.meter, normalizeAll(raws)));
      }
    }
    // Late batches: one lifecycle 5 hours before the newest batch (its hours are re-folded).
    for (let round = 0; round < LATE_ROUNDS; round++) {
      const order = round % 2 === 0 ? [...setups].reverse() : setups;
      for (const setup of order) {
        const late = normalizeAll(lifecycle(T0 + (ROUNDS - 5) * 60 * MIN + round * 10 * MIN));
        setup.late.push(await timedBatch(setup.store, setup.meter, late));
      }
    }

    const row = (label: string, s: Sample[]) =>
      `${label.padEnd(34)} ${median(s.map((x) => x.ms))
        .toFixed(1)
        .padStart(9)} ms (DynamoDB ${median(s.map((x) => x.dynamoMs))
        .toFixed(0)
        .padStart(5)} ms, CPU ${median(s.map((x) => x.cpuMs))
        .toFixed(0)
        .padStart(4)} ms)  ${mean(s.map((x) => x.rcu))
        .toFixed(1)
        .padStart(8)} RCU  ${mean(s.map((x) => x.requests))
        .toFixed(0)
        .padStart(6)} requests  ${mean(s.map((x) => x.events))
        .toFixed(0)
        .padStart(6)} log items folded`;
    console.log(
      `\nper batch (median times of ${ROUNDS} batches of 55 events and ${LATE_ROUNDS} late batches of 11, interleaved; mean read units and requests):`,
    );
    for (const s of setups) console.log(row(`${s.size} events in the log`, s.samples));
    for (const s of setups) console.log(row(`${s.size} events, batch 5 h late`, s.late));
    const [small, big] = setups as [(typeof setups)[0], (typeof setups)[0]];
    const ratio = median(big.samples.map((x) => x.ms)) / median(small.samples.map((x) => x.ms));
    const cpuRatio = median(big.samples.map((x) => x.cpuMs)) / median(small.samples.map((x) => x.cpuMs));
    const rcuRatio = mean(big.samples.map((x) => x.rcu)) / Math.max(1e-9, mean(small.samples.map((x) => x.rcu)));
    const lateRatio = median(big.late.map((x) => x.ms)) / median(small.late.map((x) => x.ms));
    console.log(
      `\nratio ${big.size}/${small.size}: time ${ratio.toFixed(2)} (target <= 1.5), CPU ${cpuRatio.toFixed(2)}, read units ${rcuRatio.toFixed(2)}, late batch time ${lateRatio.toFixed(2)}`,
    );
  } finally {
    await Promise.all(locals.map((l) => l.stop()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
