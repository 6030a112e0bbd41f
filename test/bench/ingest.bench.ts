/**
 * npm run bench:ingest — events per second through the real ingest path (validate, normalize, one
 * conditional write) against a plain conditional PutItem loop on the same DynamoDB Local, alternated in one
 * run, printed as a ratio; plus DynamoDB requests per event. Prints figures, asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { ingestEvents } from '../../shared/app/ingest-events.js';
import { DynamoDbStore } from '../../shared/aws/dynamodb-store.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { listFixtures, loadFixture, loadScenario } from '../support/fixtures.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const EVENTS_PER_ROUND = Number(process.env.BENCH_EVENTS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONCURRENCY = 8;

type Envelope = { id: string; time: string; detail: { eventID: string; eventTime: string } };

function templates(): Envelope[] {
  const fromFixtures = listFixtures()
    .map((f) => loadFixture(f.source, f.variant) as Envelope)
    .filter((e) => (e as unknown as { account: string }).account === '111122223333');
  return [...loadScenario('article-connector-lifecycle'), ...fromFixtures] as Envelope[];
}

/** Fresh copies of real-shaped events with new eventIDs and times, so every write is a new event. */
function makeEvents(count: number, base: Envelope[]): Envelope[] {
  const start = Date.parse('2026-06-24T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const copy = structuredClone(base[i % base.length] as Envelope);
    const time = new Date(start + i * 1000).toISOString().replace('.000Z', 'Z');
    copy.id = randomUUID();
    copy.time = time;
    copy.detail.eventID = randomUUID();
    copy.detail.eventTime = time;
    return copy;
  });
}

async function runLimited<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (cursor < items.length) await run(items[cursor++] as T);
    }),
  );
}

async function main(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  let requests = 0;
  const client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  try {
    await ensureTable(client, 'bench');
    const store = new DynamoDbStore({ client, tableName: 'bench' });
    const base = templates();
    const allowed = new Set(['111122223333']);
    const clock = { now: () => new Date() };

    const rawPut = async (events: Envelope[]) => {
      await runLimited(events, async (e) => {
        await client.send(
          new PutItemCommand({
            TableName: 'bench',
            Item: {
              pk: { S: `RAW#${e.detail.eventID.slice(0, 2)}` },
              sk: { S: `EVT#${e.detail.eventTime}#${e.detail.eventID}` },
              e: { S: JSON.stringify(e) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      });
    };
    const ingest = async (events: Envelope[]) => {
      // The Lambda receives one event per invocation: call the use case per event, as the handler does.
      await runLimited(events, async (e) => {
        const report = await ingestEvents({ log: store, allowedAccounts: allowed, clock }, [e]);
        if (report.rejected.length > 0) throw new Error(`bench event rejected: ${report.rejected[0]?.error}`);
      });
    };

    // Warm up both paths (JIT, connection pool, DynamoDB Local's JIT).
    await rawPut(makeEvents(300, base));
    await ingest(makeEvents(300, base));

    const totals = { raw: 0, ingest: 0, ingestRequests: 0, ingestEvents: 0, ignored: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const order: ('raw' | 'ingest')[] = round % 2 === 0 ? ['raw', 'ingest'] : ['ingest', 'raw'];
      for (const path of order) {
        const events = makeEvents(EVENTS_PER_ROUND, base);
        requests = 0;
        const t0 = performance.now();
        await (path === 'raw' ? rawPut(events) : ingest(events));
        const ms = performance.now() - t0;
        totals[path] += ms;
        if (path === 'ingest') {
          totals.ingestRequests += requests;
          totals.ingestEvents += events.length;
        }
      }
    }
    const eventsTotal = EVENTS_PER_ROUND * ROUNDS;
    const rawRate = eventsTotal / (totals.raw / 1000);
    const ingestRate = eventsTotal / (totals.ingest / 1000);
    console.log(
      `bench:ingest — ${ROUNDS} alternating rounds × ${EVENTS_PER_ROUND} events, concurrency ${CONCURRENCY}, DynamoDB Local`,
    );
    console.log(`  plain conditional PutItem loop : ${rawRate.toFixed(0)} events/s`);
    console.log(`  egress-watch ingest path       : ${ingestRate.toFixed(0)} events/s`);
    console.log(`  ratio ingest / raw             : ${(ingestRate / rawRate).toFixed(2)}  (target >= 0.80)`);
    console.log(
      `  DynamoDB requests per event    : ${(totals.ingestRequests / totals.ingestEvents).toFixed(2)}  (target <= 1.00; ignored events cost 0)`,
    );
  } finally {
    client.destroy();
    await ddb.stop();
  }
}

await main();
