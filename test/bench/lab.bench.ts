/**
 * npm run bench:lab — how fast the embedded lab serves paginated listings at scale, over the real HTTP edge
 * with the real clients. Builds a lab with 1,000 network connectors (created through the project's
 * LambdaCoreClient) and 5,000 MicroVMs (RunMicrovm through the official SDK), then pages through
 * ListNetworkConnectors, ListMicrovms, DescribeNetworkInterfaces (the connector ENIs) and CloudTrail
 * LookupEvents, asserting that every item comes back exactly once. Prints figures; throws on a lost or
 * repeated item. The product's handlers do not run: the lab reads an empty serverless.yml (`functions: {}`),
 * so setup measures the world and the edge, not ingest.
 *
 *   npm run bench:lab            (BENCH_LAB_SECONDS=4 per listing, the time box for repeated passes)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
import { LambdaMicrovmsClient, paginateListMicrovms, RunMicrovmCommand } from '@aws-sdk/client-lambda-microvms';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { Lab } from '../../lab/lab.js';
import type { NetworkSpec } from '../../lab/world/network-spec.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { LambdaCoreClient } from '../../shared/aws/lambda-core-client.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CONNECTORS = 1000;
const MICROVMS = 5000;
const SUBNETS_PER_CONNECTOR = 2;
const CONCURRENCY = 16;
const SECONDS_PER_LISTING = Number(process.env.BENCH_LAB_SECONDS ?? 4);
const MAX_PASSES = 200;

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const ZONES = ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'];
const SUBNETS = 6;
const SECURITY_GROUPS = 4;
const VPC = 'bench-vpc';
const IMAGE = 'bench-image';
/** SigV4 access key ids the lab maps to callers: letters and digits only. */
const ACCESS_KEY = 'LABBENCH';
const OPERATOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/bench-connector-operator`;
const ACTIVATION_DELAY_MS = 1_000;
const MICROVM_START_DELAY_MS = 1_000;

/** One /16 VPC, six /20 subnets (4,091 usable addresses each) over three AZs, a few security groups. */
function benchNetworkSpec(): NetworkSpec {
  return {
    vpcs: [{ name: VPC, cidr: '10.0.0.0/16', tags: { Name: VPC } }],
    subnets: Array.from({ length: SUBNETS }, (_, i) => ({
      name: subnetName(i),
      vpc: VPC,
      cidr: `10.0.${i * 16}.0/20`,
      availabilityZone: ZONES[i % ZONES.length] as string,
    })),
    securityGroups: Array.from({ length: SECURITY_GROUPS }, (_, i) => ({
      name: `bench-sg-${i}`,
      vpc: VPC,
      description: `bench connector security group ${i}`,
      egress: [{ protocol: '-1' as const, cidr: '0.0.0.0/0' }],
    })),
  };
}

function subnetName(i: number): string {
  return `bench-subnet-${i}`;
}

async function runLimited<T>(items: T[], run: (item: T, index: number) => Promise<void>): Promise<void> {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (cursor < items.length) {
        const index = cursor++;
        await run(items[index] as T, index);
      }
    }),
  );
}

/** Throws unless `got` holds every expected id exactly once and nothing else. */
function assertExactlyOnce(listing: string, expected: ReadonlySet<string>, got: readonly string[]): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of got) (seen.has(id) ? repeated : seen).add(id);
  const missing = [...expected].filter((id) => !seen.has(id));
  const unexpected = [...seen].filter((id) => !expected.has(id));
  if (got.length === expected.size && repeated.size === 0 && missing.length === 0 && unexpected.length === 0) return;
  const sample = (ids: Iterable<string>) => [...ids].slice(0, 3).join(', ');
  throw new Error(
    `${listing}: expected ${expected.size} items exactly once, got ${got.length} ` +
      `(${repeated.size} repeated${repeated.size ? ` e.g. ${sample(repeated)}` : ''}; ` +
      `${missing.length} missing${missing.length ? ` e.g. ${sample(missing)}` : ''}; ` +
      `${unexpected.length} unexpected${unexpected.length ? ` e.g. ${sample(unexpected)}` : ''})`,
  );
}

interface PassResult {
  ids: string[];
  pages: number;
}

interface ListingFigures {
  name: string;
  items: number;
  pages: number;
  passes: number;
  meanMs: number;
  bestMs: number;
  itemsPerSecond: number;
}

/** One checked pass, then repeated checked passes until the time box is used up. */
async function measure(
  name: string,
  expected: ReadonlySet<string>,
  maxPageSize: number,
  pass: (pageSizes: number[]) => Promise<PassResult>,
): Promise<ListingFigures> {
  const times: number[] = [];
  let pages = 0;
  const deadline = performance.now() + SECONDS_PER_LISTING * 1000;
  // The first pass warms the connection pool and the JIT; it is checked but not timed.
  for (let round = 0; round <= MAX_PASSES; round++) {
    const pageSizes: number[] = [];
    const t0 = performance.now();
    const result = await pass(pageSizes);
    const ms = performance.now() - t0;
    assertExactlyOnce(name, expected, result.ids);
    const oversized = pageSizes.find((size) => size > maxPageSize);
    if (oversized !== undefined) throw new Error(`${name}: a page held ${oversized} items, more than ${maxPageSize}`);
    pages = result.pages;
    if (round > 0) times.push(ms);
    if (round > 0 && performance.now() >= deadline) break;
  }
  const total = times.reduce((a, b) => a + b, 0);
  return {
    name,
    items: expected.size,
    pages,
    passes: times.length,
    meanMs: total / times.length,
    bestMs: Math.min(...times),
    itemsPerSecond: (expected.size * times.length) / (total / 1000),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function perSecond(count: number, ms: number): string {
  return `${Math.round(count / (ms / 1000))}/s`;
}

async function main(): Promise<void> {
  let ddb: DynamoDbLocal | undefined;
  let lab: Lab | undefined;
  let ddbClient: DynamoDBClient | undefined;
  const sdkClients: { destroy(): void }[] = [];
  const tempDir = await mkdtemp(join(tmpdir(), 'egress-watch-lab-bench-'));
  try {
    let t0 = performance.now();
    ddb = await startDynamoDbLocal();
    ddbClient = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await ensureTable(ddbClient, 'egress-watch-lab-bench');
    const ddbMs = performance.now() - t0;

    // No functions: the lab wires no EventBridge targets, schedules or stream consumer, so no handler runs.
    const serverlessYml = join(tempDir, 'serverless.yml');
    await writeFile(serverlessYml, 'service: egress-watch-lab-bench\nfunctions: {}\n');
    t0 = performance.now();
    lab = await Lab.start({
      account: ACCOUNT,
      region: REGION,
      start: '2026-06-24T01:00:00Z',
      network: benchNetworkSpec(),
      images: [{ name: IMAGE, appKind: 'egress-test-app' }],
      callers: { [ACCESS_KEY]: { kind: 'user', account: ACCOUNT, userName: 'bench' } },
      compute: { activationDelayMs: ACTIVATION_DELAY_MS, microvmStartDelayMs: MICROVM_START_DELAY_MS },
      delivery: { delayMs: 0, jitterMs: 0, reorder: false, duplicateRate: 0, lossRate: 0 },
      dynamodbEndpoint: ddb.endpoint,
      tableName: 'egress-watch-lab-bench',
      serverlessYml,
    });
    const labStartMs = performance.now() - t0;

    const credentials = { accessKeyId: ACCESS_KEY, secretAccessKey: 'lab-secret' };
    const common = { endpoint: lab.url, region: REGION, credentials, maxAttempts: 1 };
    let lambdaCoreRequests = 0;
    const lambdaCore = new LambdaCoreClient({
      ...common,
      fetch: (input, init) => {
        lambdaCoreRequests++;
        return globalThis.fetch(input, init);
      },
    });
    const microvms = new LambdaMicrovmsClient(common);
    const ec2 = new EC2Client(common);
    const cloudtrail = new CloudTrailClient(common);
    sdkClients.push(microvms, ec2, cloudtrail);

    // ---- setup: 1,000 connectors through the API, ACTIVE after the activation delay
    const subnetIds = Array.from({ length: SUBNETS }, (_, i) => lab?.network.idOf('subnet', subnetName(i)) as string);
    const groupIds = Array.from(
      { length: SECURITY_GROUPS },
      (_, i) => lab?.network.idOf('security-group', `bench-sg-${i}`) as string,
    );
    const connectors: { id: string; arn: string }[] = new Array(CONNECTORS);
    t0 = performance.now();
    await runLimited(
      Array.from({ length: CONNECTORS }, (_, i) => i),
      async (i) => {
        // Two subnets in different AZs (i and i+1 of six), one or two security groups.
        const subnets = Array.from({ length: SUBNETS_PER_CONNECTOR }, (_, k) => subnetIds[(i + k) % SUBNETS] as string);
        const groups =
          i % 3 === 0
            ? [groupIds[i % SECURITY_GROUPS], groupIds[(i + 1) % SECURITY_GROUPS]]
            : [groupIds[i % SECURITY_GROUPS]];
        const created = await lambdaCore.createNetworkConnector({
          Name: `bench-connector-${String(i).padStart(4, '0')}`,
          Configuration: {
            VpcEgressConfiguration: {
              SubnetIds: subnets,
              SecurityGroupIds: groups as string[],
              NetworkProtocol: 'IPv4',
            },
          },
          OperatorRole: OPERATOR_ROLE,
        });
        connectors[i] = { id: created.Id, arn: created.Arn };
      },
    );
    const createMs = performance.now() - t0;
    t0 = performance.now();
    await lab.clock.advanceBy(ACTIVATION_DELAY_MS);
    const activateMs = performance.now() - t0;
    const notActive = lab.compute.connectors.list().filter((c) => c.State !== 'ACTIVE');
    if (notActive.length > 0) {
      const first = notActive[0] ? lab.compute.connectors.get(notActive[0].Id) : undefined;
      throw new Error(
        `${notActive.length} connectors are not ACTIVE after activation, e.g. ${first?.Name} ${first?.State}: ` +
          `${first?.StateReasonCode} ${first?.StateReason}`,
      );
    }

    // ---- setup: 5,000 MicroVMs spread over the connectors, RUNNING after the start delay
    const imageArn = lab.compute.microvms.getImage(IMAGE).imageArn;
    const microvmIds: string[] = new Array(MICROVMS);
    t0 = performance.now();
    await runLimited(
      Array.from({ length: MICROVMS }, (_, i) => i),
      async (i) => {
        const connector = connectors[i % CONNECTORS] as { arn: string };
        const out = await microvms.send(
          new RunMicrovmCommand({ imageIdentifier: imageArn, egressNetworkConnectors: [connector.arn] }),
        );
        if (!out.microvmId) throw new Error(`RunMicrovm #${i} returned no microvmId`);
        microvmIds[i] = out.microvmId;
      },
    );
    const runMs = performance.now() - t0;
    t0 = performance.now();
    await lab.clock.advanceBy(MICROVM_START_DELAY_MS);
    const startMs = performance.now() - t0;

    // ---- expectations, from the API responses and the lab's own state
    const expectedConnectors = new Set(connectors.map((c) => c.id));
    const expectedMicrovms = new Set(microvmIds);
    const expectedEnis = new Set(
      connectors.flatMap((c) => lab?.compute.connectors.enisOf(c.id).map((e) => e.networkInterfaceId) ?? []),
    );
    const expectedEvents = new Set(lab.trail.lookup().map((entry) => entry.record.eventID));
    const checkRunning = lab.compute.microvms.list().filter((vm) => vm.state !== 'RUNNING').length;
    if (checkRunning > 0) throw new Error(`${checkRunning} MicroVMs are not RUNNING after the start delay`);

    console.log(
      `lab bench: ${CONNECTORS} connectors (${expectedEnis.size} connector ENIs in ${SUBNETS} /20 subnets over ` +
        `${ZONES.length} AZs, ${SECURITY_GROUPS} SGs), ${MICROVMS} MicroVMs; handlers: none (empty serverless.yml, ` +
        'functions: {}); edge 127.0.0.1',
    );
    console.log(`setup: DynamoDB Local + table ${seconds(ddbMs)}, Lab.start ${seconds(labStartMs)}`);
    console.log(
      `setup: create ${CONNECTORS} connectors ${seconds(createMs)} (${perSecond(CONNECTORS, createMs)}), ` +
        `activate ${seconds(activateMs)}, run ${MICROVMS} MicroVMs ${seconds(runMs)} (${perSecond(MICROVMS, runMs)}), ` +
        `start ${seconds(startMs)}; create + run total ${seconds(createMs + activateMs + runMs + startMs)}`,
    );

    // The service caps a page at 50 whatever MaxItems says: check the cap once, unpaginated.
    const capped = await lambdaCore.listNetworkConnectors({ MaxItems: 100 });
    if (capped.NetworkConnectors.length !== 50) {
      throw new Error(`ListNetworkConnectors MaxItems=100: page of ${capped.NetworkConnectors.length}, expected 50`);
    }

    // ---- measurements
    const results: ListingFigures[] = [];
    results.push(
      await measure('ListNetworkConnectors (LambdaCoreClient)', expectedConnectors, 50, async () => {
        const before = lambdaCoreRequests;
        const ids: string[] = [];
        for await (const summary of lambdaCore.paginateNetworkConnectors({ MaxItems: 50 })) {
          if (summary.State !== 'ACTIVE') throw new Error(`connector ${summary.Id} is ${summary.State}, not ACTIVE`);
          ids.push(summary.Id);
        }
        return { ids, pages: lambdaCoreRequests - before };
      }),
    );
    results.push(
      await measure('ListMicrovms (paginateListMicrovms)', expectedMicrovms, 50, async (pageSizes) => {
        const ids: string[] = [];
        for await (const page of paginateListMicrovms({ client: microvms, pageSize: 50 }, {})) {
          const items = page.items ?? [];
          pageSizes.push(items.length);
          for (const item of items) {
            if (item.state !== 'RUNNING') throw new Error(`MicroVM ${item.microvmId} is ${item.state}, not RUNNING`);
            ids.push(item.microvmId ?? '(no id)');
          }
        }
        return { ids, pages: pageSizes.length };
      }),
    );
    results.push(
      await measure('DescribeNetworkInterfaces (managed)', expectedEnis, 100, async (pageSizes) => {
        const ids: string[] = [];
        const pager = paginateDescribeNetworkInterfaces(
          { client: ec2, pageSize: 100 },
          { IncludeManagedResources: true, MaxResults: 100 },
        );
        for await (const page of pager) {
          const enis = page.NetworkInterfaces ?? [];
          pageSizes.push(enis.length);
          for (const eni of enis) ids.push(eni.NetworkInterfaceId ?? '(no id)');
        }
        return { ids, pages: pageSizes.length };
      }),
    );
    results.push(
      await measure('CloudTrail LookupEvents', expectedEvents, 50, async (pageSizes) => {
        const ids: string[] = [];
        for await (const page of paginateLookupEvents({ client: cloudtrail, pageSize: 50 }, { MaxResults: 50 })) {
          const events = page.Events ?? [];
          pageSizes.push(events.length);
          for (const event of events) ids.push(event.EventId ?? '(no id)');
        }
        return { ids, pages: pageSizes.length };
      }),
    );

    console.log('');
    console.log(
      `${'listing'.padEnd(42)}${'items'.padStart(7)}${'pages'.padStart(7)}${'passes'.padStart(8)}` +
        `${'ms/pass'.padStart(10)}${'best ms'.padStart(10)}${'items/s'.padStart(10)}`,
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(42)}${String(r.items).padStart(7)}${String(r.pages).padStart(7)}` +
          `${String(r.passes).padStart(8)}${r.meanMs.toFixed(1).padStart(10)}${r.bestMs.toFixed(1).padStart(10)}` +
          `${String(Math.round(r.itemsPerSecond)).padStart(10)}`,
      );
    }
    console.log('');
    console.log('every listing returned every item exactly once on every pass');
  } finally {
    for (const client of sdkClients) client.destroy();
    ddbClient?.destroy();
    await lab?.close();
    await ddb?.stop();
    await rm(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`lab bench FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
