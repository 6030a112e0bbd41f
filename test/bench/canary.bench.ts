/**
 * npm run bench:canary — MicroVM-seconds per connector-day of egress-watch's canary scheme (one canary
 * MicroVM per connector, suspended between runs and auto-resumed by the next probe request, recycled before
 * the 8-hour lifetime) against the naive scheme (RunMicrovm for every run, probe, TerminateMicrovm), measured
 * side by side in ONE lab run: same connectors, same interval, same virtual hours, same MicroVM boot and
 * transition delays. The figures are the lab's billing meter (time in PENDING, RUNNING, SUSPENDING), not the
 * product's own estimate. The chosen scheme is the real canary handler fired by the lab's schedule; the naive
 * scheme is driven here with the official MicroVMs client through the same endpoint proxy and agent.
 *
 *   npm run bench:canary     (BENCH_CANARY_HOURS=9 virtual hours: past one 8-hour recycle, BENCH_CANARY_CONNECTORS=4, interval 5m)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateMicrovmAuthTokenCommand,
  LambdaMicrovmsClient,
  RunMicrovmCommand,
  TerminateMicrovmCommand,
} from '@aws-sdk/client-lambda-microvms';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { LAB_CANARY_IMAGE, Lab } from '../../lab/lab.js';
import { articleNetworkSpec } from '../../lab/world/network-spec.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { LambdaCoreClient } from '../../shared/aws/lambda-core-client.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOURS = Number(process.env.BENCH_CANARY_HOURS ?? 9);
const CONNECTORS = Number(process.env.BENCH_CANARY_CONNECTORS ?? 4);
const INTERVAL_MS = 5 * 60_000;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const START = '2026-07-01T00:00:00Z';
const NAIVE_IMAGE = { name: 'naive-canary', appKind: 'canary-agent' };

async function main(): Promise<void> {
  const ddbLocal = await startDynamoDbLocal();
  const dir = await mkdtemp(join(tmpdir(), 'bench-canary-'));
  try {
    const tableName = `bench-canary-${randomUUID().slice(0, 8)}`;
    const ddb = new DynamoDBClient({
      endpoint: ddbLocal.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await ensureTable(ddb, tableName);
    // Only the canary function: the bench measures MicroVM time, not ingest.
    const serverlessYml = join(dir, 'serverless.yml');
    await writeFile(
      serverlessYml,
      `functions:\n  canary:\n    handler: functions/canary.handler\n    events:\n      - schedule:\n          rate: rate(1 minute)\n`,
    );
    const monitor = {
      echoUrl: 'http://checkip.amazonaws.com/',
      defaults: { interval: '5m', timeout: '3s', failuresToOpen: 2, successesToResolve: 2 },
      connectors: [
        {
          select: { namePrefix: 'bench-' },
          egressIps: ['203.0.113.25'],
          targets: [{ url: 'http://10.0.0.126/', expect: 'reachable', status: 200 }],
        },
      ],
    };
    const lab = await Lab.start({
      account: ACCOUNT,
      region: REGION,
      start: START,
      network: articleNetworkSpec(),
      images: [NAIVE_IMAGE],
      callers: {},
      compute: { activationDelayMs: 60_000 },
      dynamodbEndpoint: ddbLocal.endpoint,
      tableName,
      serverlessYml,
      monitor,
    });
    const common = {
      endpoint: lab.url,
      region: REGION,
      credentials: { accessKeyId: 'LABBENCH', secretAccessKey: 'x' },
    };
    const core = new LambdaCoreClient(common);
    const microvms = new LambdaMicrovmsClient(common);
    const subnet = lab.network.idOf('subnet', 'nat-subnet-1a');
    const sg = lab.network.idOf('security-group', 'connector-sg');
    const arns: string[] = [];
    for (let i = 0; i < CONNECTORS; i++) {
      const c = await core.createNetworkConnector({
        Name: `bench-${i}`,
        Configuration: {
          VpcEgressConfiguration: {
            SubnetIds: [subnet],
            SecurityGroupIds: [sg],
            NetworkProtocol: 'IPv4',
            AssociatedComputeResourceTypes: ['MicroVm'],
          },
        },
        OperatorRole: `arn:aws:iam::${ACCOUNT}:role/NetworkConnectorOperatorRole`,
      });
      arns.push(c.Arn);
    }
    await lab.advanceTo(new Date(Date.parse(START) + 90_000)); // every connector ACTIVE
    const measuredFrom = lab.clock.nowMs();

    // The naive scheme, driven on the same clock: per connector and interval, run, probe when booted, terminate.
    const naive = { runs: 0, met: 0 };
    const naiveImageArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:microvm-image:${NAIVE_IMAGE.name}`;
    const plan = [
      { id: 'vpc', kind: 'http', url: 'http://10.0.0.126/', timeoutMs: 3000, expectStatus: 200 },
      { id: 'ip', kind: 'egress-ip', url: 'http://checkip.amazonaws.com/', timeoutMs: 3000 },
    ];
    const naiveRun = (arn: string) => async () => {
      lab.clock.after(INTERVAL_MS, naiveRun(arn));
      const vm = await microvms.send(
        new RunMicrovmCommand({
          imageIdentifier: naiveImageArn,
          egressNetworkConnectors: [arn],
          runHookPayload: JSON.stringify({ allow: ['10.0.0.126:80', 'checkip.amazonaws.com:80'] }),
        }),
      );
      lab.clock.after(6_000, async () => {
        const token = await microvms.send(
          new CreateMicrovmAuthTokenCommand({
            microvmIdentifier: vm.microvmId,
            expirationInMinutes: 5,
            allowedPorts: [{ port: 8080 }],
          }),
        );
        const res = await fetch(`${lab.url}/.lab/microvms/${vm.microvmId}/probe`, {
          method: 'POST',
          headers: { 'x-aws-proxy-auth': token.authToken?.['X-aws-proxy-auth'] ?? '' },
          body: JSON.stringify({ probes: plan }),
        });
        const body = (await res.json()) as { probes?: { reached: boolean }[] };
        naive.runs++;
        if (res.status === 200 && body.probes?.every((p) => p.reached)) naive.met++;
        await microvms.send(new TerminateMicrovmCommand({ microvmIdentifier: vm.microvmId }));
      });
    };
    for (const [i, arn] of arns.entries()) lab.clock.after((INTERVAL_MS / CONNECTORS) * i, naiveRun(arn));

    const wall = Date.now();
    await lab.advanceTo(new Date(measuredFrom + HOURS * 3_600_000));
    const wallSeconds = (Date.now() - wall) / 1000;
    const days = (lab.clock.nowMs() - measuredFrom) / 86_400_000;
    const canaryImageArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:microvm-image:${LAB_CANARY_IMAGE.name}`;
    const chosenSeconds = lab.compute.microvms.billedSeconds({ imageArn: canaryImageArn });
    const naiveSeconds = lab.compute.microvms.billedSeconds({ imageArn: naiveImageArn });
    const canaryVms = lab.compute.microvms.list(canaryImageArn);
    const runs = await countRuns(ddb, tableName);
    const perDay = (s: number) => s / CONNECTORS / days;
    const ratio = chosenSeconds / naiveSeconds;
    const errors = lab.errors();
    console.log(
      `bench:canary — ${CONNECTORS} connectors, interval 5 min, ${HOURS} virtual hours (${wallSeconds.toFixed(1)} s wall)`,
    );
    console.log(
      `  chosen (suspend between runs, auto-resume, recycle < 8 h): ${perDay(chosenSeconds).toFixed(0)} MicroVM-s per connector-day · ${runs.total} runs (${runs.met} met) · ${canaryVms.length} canary VMs started`,
    );
    console.log(
      `  naive  (RunMicrovm → probe → TerminateMicrovm per run):   ${perDay(naiveSeconds).toFixed(0)} MicroVM-s per connector-day · ${naive.runs} runs (${naive.met} met)`,
    );
    console.log(`  ratio chosen / naive = ${ratio.toFixed(3)} (target ≤ 0.5)${ratio <= 0.5 ? '' : '  ✗ ABOVE TARGET'}`);
    if (errors.length > 0) throw new Error(`canary handler failed: ${JSON.stringify(errors.slice(0, 3))}`);
    if (runs.total === 0 || naive.runs === 0) throw new Error('a scheme made no runs: the comparison is void');
    microvms.destroy();
    ddb.destroy();
    await lab.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
    await ddbLocal.stop();
  }
}

async function countRuns(ddb: DynamoDBClient, tableName: string): Promise<{ total: number; met: number }> {
  const { DynamoDbCanaryStore } = await import('../../shared/aws/canary-store.js');
  const store = new DynamoDbCanaryStore(ddb, tableName);
  let total = 0;
  let met = 0;
  const ids = new Set((await store.listStates()).map((s) => s.connectorId));
  for (const id of ids) {
    for (const run of await store.listRuns(id)) {
      total++;
      if (run.met) met++;
    }
  }
  return { total, met };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
