/**
 * npm run bench:reconcile — one reconcile of a lab with 1,000 network connectors (two subnets in two AZs each)
 * and 5,000 RUNNING MicroVMs, over the real HTTP edge with the real clients and DynamoDB Local
 * (docs/reconcile.md#benchmark). Two runs side by side: the first finds an empty event log (everything is
 * repaired from LookupEvents or observed), the second is the steady state. EC2 throttles every 7th Describe
 * call (`RequestLimitExceeded`): a run only succeeds if every throttled call was retried.
 *
 * Prints, per run: wall time, API calls (total, per connector, per operation), the sum of the calls' own
 * times and its ratio to the wall time (how much the calls overlap), throttled calls retried.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { Lab } from '../../lab/lab.js';
import type { CallerIdentity } from '../../lab/trail/record.js';
import type { NetworkSpec } from '../../lab/world/network-spec.js';
import { type ReconcileReport, reconcileScope } from '../../shared/app/reconcile.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { createReconcileWiring } from '../../shared/aws/reconcile-wiring.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CONNECTORS = Number(process.env.BENCH_RECONCILE_CONNECTORS ?? 1000);
const MICROVMS = Number(process.env.BENCH_RECONCILE_MICROVMS ?? 5000);
const THROTTLE_EVERY_NTH_DESCRIBE = 7;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const ZONES = ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'];
const SUBNETS = 6;
const VPC = 'bench-vpc';
const TABLE = 'egress-watch-reconcile-bench';
const CALLER: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'bench' };

function network(): NetworkSpec {
  return {
    vpcs: [{ name: VPC, cidr: '10.0.0.0/16', tags: { Name: VPC } }],
    subnets: Array.from({ length: SUBNETS }, (_, i) => ({
      name: `bench-subnet-${i}`,
      vpc: VPC,
      cidr: `10.0.${i * 16}.0/20`,
      availabilityZone: ZONES[i % ZONES.length] as string,
    })),
    securityGroups: [
      { name: 'bench-sg', vpc: VPC, description: 'bench', egress: [{ protocol: '-1' as const, cidr: '0.0.0.0/0' }] },
    ],
  };
}

async function main(): Promise<void> {
  let ddb: DynamoDbLocal | undefined;
  let lab: Lab | undefined;
  const tempDir = await mkdtemp(join(tmpdir(), 'egress-watch-reconcile-bench-'));
  try {
    ddb = await startDynamoDbLocal();
    const client = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await ensureTable(client, TABLE);
    client.destroy();
    const serverlessYml = join(tempDir, 'serverless.yml');
    await writeFile(serverlessYml, 'service: egress-watch-reconcile-bench\nfunctions: {}\n');
    lab = await Lab.start({
      account: ACCOUNT,
      region: REGION,
      start: '2026-06-24T01:00:00Z',
      network: network(),
      images: [{ name: 'bench-image', appKind: 'egress-test-app' }],
      callers: { LABBENCH: CALLER },
      compute: { activationDelayMs: 1000, microvmStartDelayMs: 1000 },
      delivery: { delayMs: 0, jitterMs: 0, reorder: false, duplicateRate: 0, lossRate: 0 },
      dynamodbEndpoint: ddb.endpoint,
      tableName: TABLE,
      serverlessYml,
    });

    // The world: connectors and MicroVMs made in-process (the edge is measured by bench:lab, not here).
    let t0 = performance.now();
    const subnetIds = Array.from({ length: SUBNETS }, (_, i) => lab?.network.idOf('subnet', `bench-subnet-${i}`));
    const sg = lab.network.idOf('security-group', 'bench-sg');
    const arns: string[] = [];
    for (let i = 0; i < CONNECTORS; i++) {
      const created = lab.compute.connectors.create(
        {
          Name: `bench-${String(i).padStart(4, '0')}`,
          Configuration: {
            VpcEgressConfiguration: {
              SubnetIds: [subnetIds[i % SUBNETS], subnetIds[(i + 1) % SUBNETS]],
              SecurityGroupIds: [sg],
              NetworkProtocol: 'IPv4',
            },
          },
          OperatorRole: `arn:aws:iam::${ACCOUNT}:role/bench-operator`,
        },
        CALLER,
      );
      arns.push(created.Arn);
    }
    await lab.clock.advanceBy(1000);
    const imageArn = lab.compute.microvms.getImage('bench-image').imageArn;
    for (let i = 0; i < MICROVMS; i++) {
      lab.compute.microvms.run({ imageIdentifier: imageArn, egressNetworkConnectors: [arns[i % CONNECTORS]] }, CALLER);
    }
    await lab.clock.advanceBy(16 * 60_000); // past the settle time: the whole history is in the window
    console.log(
      `reconcile bench: ${CONNECTORS} connectors over ${SUBNETS} subnets in ${ZONES.length} AZs, ${MICROVMS} MicroVMs, ` +
        `${lab.trail.lookup().length} management events in CloudTrail; world built in ${seconds(performance.now() - t0)}`,
    );
    lab.ec2Faults.throttle(THROTTLE_EVERY_NTH_DESCRIBE);

    for (const label of ['first run (empty log)', 'second run (steady state)']) {
      const throttledBefore = lab.ec2Faults.throttled;
      const wiring = createReconcileWiring({
        region: REGION,
        tableName: TABLE,
        allowedAccounts: new Set([ACCOUNT]),
        dynamodbEndpoint: ddb.endpoint,
        clock: lab.clock,
        aws: { region: REGION, endpoint: lab.url, credentials: { accessKeyId: 'LABBENCH', secretAccessKey: 'lab' } },
      });
      t0 = performance.now();
      let report: ReconcileReport;
      try {
        report = await reconcileScope(wiring.deps, { account: ACCOUNT, region: REGION });
      } finally {
        wiring.destroy();
      }
      const wallMs = performance.now() - t0;
      const calls = wiring.calls.total();
      const throttled = lab.ec2Faults.throttled - throttledBefore;
      console.log(`\n${label}: ${seconds(wallMs)} wall`);
      console.log(
        `  ${report.repaired.length} events repaired, ${report.observations.length} observations written, ` +
          `${report.conditions.length} conditions; ${report.connectors} connectors, ${report.microvms} MicroVMs, ` +
          `${report.networkInterfaces} ENIs seen`,
      );
      console.log(
        `  API calls: ${calls} (${(calls / CONNECTORS).toFixed(2)} per connector) — ${[...wiring.calls.calls]
          .map(([op, n]) => `${op} ${n} (${seconds(wiring.calls.msByOperation.get(op) ?? 0)})`)
          .join(', ')}`,
      );
      console.log(
        `  sum of the calls' own times ${seconds(wiring.calls.callMs)} / wall ${seconds(wallMs)} = ` +
          `${(wiring.calls.callMs / wallMs).toFixed(2)}× (calls overlapping)`,
      );
      for (const o of report.observations.slice(0, 5)) console.log(`  observation ${o.kind}: ${o.summary}`);
      console.log(`  EC2 RequestLimitExceeded: ${throttled} throttled, all retried (the run succeeded; 0 left)`);
      await lab.clock.advanceBy(10 * 60_000);
    }
  } finally {
    await lab?.close();
    await ddb?.stop();
    await rm(tempDir, { recursive: true, force: true });
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
