/**
 * npm run bench:notify — (1) Slack and SNS calls per incident transition through the real notify path
 * (stream records → incident fold → ledger → official Slack WebClient and SNS client → the lab's Slack and
 * SNS over loopback HTTP), with every stream batch delivered twice and to two concurrent invocations; target
 * exactly 1.0. (2) Transitions per second through that path against a bare conditional PutItem per
 * transition on the same DynamoDB Local, alternated in one run, printed as a ratio. Prints, asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../lab/dynamodb-local.js';
import { startEdge } from '../../lab/edge.js';
import { createSlackWebhookReceiver } from '../../lab/emulators/slack-webhook.js';
import { createSnsEmulator } from '../../lab/emulators/sns.js';
import { createSqsEmulator } from '../../lab/emulators/sqs.js';
import { createSsmEmulator } from '../../lab/emulators/ssm.js';
import { loadAlertsConfig } from '../../shared/alerts-config.js';
import type { FindingChangeRecord } from '../../shared/alerts-ports.js';
import { notifyFindingChanges } from '../../shared/app/notify.js';
import { ensureTable } from '../../shared/aws/dynamodb-table.js';
import { wireNotify } from '../../shared/aws/notify-wiring.js';
import type { NotifiableFinding } from '../../shared/domain/incidents.js';
import { noMetrics, silentLogger } from '../../shared/ports.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 20;
const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';

function findings(round: number): NotifiableFinding[] {
  const start = Date.parse('2026-06-24T00:00:00Z') + round * 86_400_000;
  return Array.from({ length: FINDINGS }, (_, i) => {
    const at = new Date(start + i * 1000).toISOString();
    const fingerprint = `eni-deleted-while-active:${round}-${i}-${randomUUID().slice(0, 8)}`;
    return {
      rule: 'eni-deleted-while-active',
      severity: 'high',
      status: 'open',
      connectorId: `nc-bench-${round}-${i}`,
      account: ACCOUNT,
      region: REGION,
      fingerprint,
      firstSeen: at,
      lastSeen: at,
      resolvedAt: null,
      summary: `ENI eni-${i} deleted while the connector is ACTIVE`,
      evidence: [
        { eventId: randomUUID(), eventName: 'DeleteNetworkInterface', at, actor: 'role/NetworkTeam/bob', detail: '' },
      ],
    };
  });
}

/** Stream batches: every finding opens then resolves (2 transitions each). */
function batches(list: NotifiableFinding[]): FindingChangeRecord[][] {
  const opens = list.map((finding) => ({ finding, previousStatus: null }));
  const resolves = list.map((f) => ({
    finding: {
      ...f,
      status: 'resolved' as const,
      resolvedAt: new Date(Date.parse(f.firstSeen) + 60_000).toISOString(),
    },
    previousStatus: 'open' as const,
  }));
  const out: FindingChangeRecord[][] = [];
  for (const records of [opens, resolves]) {
    for (let i = 0; i < records.length; i += BATCH) out.push(records.slice(i, i + BATCH));
  }
  return out;
}

async function main(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  const slack = createSlackWebhookReceiver();
  const sns = createSnsEmulator({ topics: [] });
  const sqs = createSqsEmulator();
  const ssm = createSsmEmulator({ account: ACCOUNT, region: REGION });
  const edge = await startEdge({ routes: { dynamodbEndpoint: ddb.endpoint, slack, sns, sqs, ssm } });
  const tableName = `bench-notify-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    await ensureTable(client, tableName);
    const token = `xoxb-bench-${randomUUID()}`;
    ssm.putParameter('/egress-watch/bench/slack', token);
    slack.setBotToken(token);
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:bench-alerts`;
    sns.addTopic(topic);
    const dlq = `${edge.url}/${ACCOUNT}/bench-dlq`;
    sqs.createQueue(dlq);
    const alerts = loadAlertsConfig({
      EGRESS_WATCH_SLACK_MODE: 'bot',
      EGRESS_WATCH_SLACK_SECRET_NAME: '/egress-watch/bench/slack',
      EGRESS_WATCH_SLACK_API_URL: `${edge.url}/api/`,
      EGRESS_WATCH_SNS_TOPIC_ARN: topic,
      EGRESS_WATCH_NOTIFY_DLQ_URL: dlq,
    });
    const wiring = wireNotify(
      { tableName, region: REGION, dynamodbEndpoint: undefined },
      alerts,
      { logger: silentLogger, metrics: noMetrics },
      { region: REGION, endpoint: edge.url, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } },
    );

    let transitions = 0;
    let notifyMs = 0;
    let bareMs = 0;
    let bareWrites = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const list = findings(round);
      // Notify path: each batch delivered twice, to two concurrent invocations (at-least-once stream).
      let started = performance.now();
      for (const batch of batches(list)) {
        const outcomes = await Promise.all([
          notifyFindingChanges(wiring.deps, batch),
          notifyFindingChanges(wiring.deps, batch),
        ]);
        transitions += outcomes.reduce((sum, o) => sum + o.transitions, 0);
        const again = await notifyFindingChanges(wiring.deps, batch);
        transitions += again.transitions;
      }
      notifyMs += performance.now() - started;
      // Bare path: one conditional put per transition.
      started = performance.now();
      for (const f of list) {
        for (const kind of ['opened', 'resolved#1']) {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { pk: { S: `BARE#${f.fingerprint}` }, sk: { S: kind } },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          bareWrites++;
        }
      }
      bareMs += performance.now() - started;
    }
    const slackCalls = slack.received.length;
    const snsCalls = sns.published.length;
    const perSecond = (n: number, ms: number) => (n / ms) * 1000;
    const notifyRate = perSecond(transitions, notifyMs);
    const bareRate = perSecond(bareWrites, bareMs);
    console.log(
      `incident transitions decided: ${transitions} (${ROUNDS} rounds × ${FINDINGS} findings × open+resolve)`,
    );
    console.log(`stream batches delivered 3× each (2 concurrent + 1 retry)`);
    console.log(
      `Slack calls per transition: ${(slackCalls / transitions).toFixed(3)} (${slackCalls} calls: ${slack.received.filter((r) => r.method === 'chat.postMessage').length} chat.postMessage, ${slack.received.filter((r) => r.method === 'chat.update').length} chat.update)`,
    );
    console.log(`SNS publishes per transition: ${(snsCalls / transitions).toFixed(3)} (${snsCalls} publishes)`);
    console.log(`dead letters: ${sqs.queues.get(dlq)?.length ?? 0}`);
    console.log(
      `notify path: ${notifyRate.toFixed(1)} transitions/s · bare conditional put: ${bareRate.toFixed(1)} puts/s · ratio ${(notifyRate / bareRate).toFixed(3)}`,
    );
    wiring.destroy();
  } finally {
    client.destroy();
    await edge.close();
    await ddb.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
