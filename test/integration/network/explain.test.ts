/**
 * `explain` against the lab over HTTP: the article's connectors found through Lambda Core, the facts read
 * with the official EC2 client, and the analyzer's verdicts checked against the lab's own ground truth for
 * the same ENIs; then a revoked SG-to-SG rule is named as the blocker.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { explainCommand } from '../../../cli/explain.js';
import { evaluateEgress } from '../../../lab/network/reachability.js';
import { accessKeyOf, playScenario, type ScenarioResult } from '../../../lab/scenarios/runner.js';
import { loadScenarioFile } from '../../../lab/scenarios/scenario-file.js';
import { ConnectorNotFound, explainPath } from '../../../shared/app/explain-path.js';
import { ensureTable } from '../../../shared/aws/dynamodb-table.js';
import { createEc2Client, Ec2NetworkFactsSource } from '../../../shared/aws/ec2-network-facts.js';
import { LambdaCoreClient } from '../../../shared/aws/lambda-core-client.js';
import { LambdaCoreConnectorDirectory } from '../../../shared/aws/lambda-core-connectors.js';
import type { PathDestination } from '../../../shared/domain/path-analysis.js';

const REGION = 'ap-northeast-1';
let result: ScenarioResult;
let env: Record<string, string>;

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `explain-${randomUUID().slice(0, 8)}`;
  const ddb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'e', secretAccessKey: 'e' },
  });
  await ensureTable(ddb, tableName);
  ddb.destroy();
  // The two connectors of the article, then time for them to become ACTIVE.
  result = await playScenario({
    scenario: loadScenarioFile('article'),
    dynamodbEndpoint: endpoint,
    tableName,
    keepOpen: true,
    stepLimit: 2,
  });
  await result.lab.clock.advanceBy(8 * 60_000);
  env = {
    AWS_ENDPOINT_URL: result.lab.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: accessKeyOf('alice'),
    AWS_SECRET_ACCESS_KEY: 'lab-secret',
  };
});

afterAll(async () => {
  await result?.lab.close();
});

function explain(connector: string, destination: PathDestination) {
  const ec2 = createEc2Client({ region: REGION, endpoint: result.lab.url });
  return explainPath(
    {
      connectors: new LambdaCoreConnectorDirectory(new LambdaCoreClient({ region: REGION, env })),
      facts: new Ec2NetworkFactsSource(ec2),
      clock: { now: () => result.lab.clock.now() },
    },
    { connector, destination, region: REGION },
  ).finally(() => ec2.destroy());
}

/** The lab's ground truth for the same connector ENIs. */
function labVerdicts(connectorName: string, destination: PathDestination): string[] {
  const world = result.lab.network;
  return [...world.networkInterfaces.values()]
    .filter((eni) => eni.tags['aws:lambda:networkConnectorName'] === connectorName)
    .map((eni) => {
      const outcome = evaluateEgress(world, eni, destination);
      return outcome.reachable || outcome.failure === 'refused' ? 'reachable' : 'blocked';
    });
}

describe('egress-watch explain on the lab', () => {
  it('the NAT connector reaches the VPC target and the internet through the NAT gateway, as the lab says', async () => {
    for (const destination of [
      { host: '10.0.0.126', port: 80, protocol: 'tcp' as const },
      { host: '198.51.100.20', port: 80, protocol: 'tcp' as const },
    ]) {
      const out = await explain('nat-egress-connector', destination);
      expect(out.verdict).toBe('reachable');
      expect(out.blockers).toEqual([]);
      expect(labVerdicts('nat-egress-connector', destination)).toEqual(out.paths.map((p) => p.verdict));
    }
    const internet = await explain('nat-egress-connector', { host: '198.51.100.20', port: 80, protocol: 'tcp' });
    expect(internet.hops.map((h) => h.component)).toEqual(
      expect.arrayContaining(['route-table', 'nat-gateway', 'internet-gateway']),
    );
  });

  it('the isolated connector has no route to the internet, but resolves and reaches the private name', async () => {
    const directory = new LambdaCoreConnectorDirectory(new LambdaCoreClient({ region: REGION, env }));
    const connectorId = (await directory.findConnector('isolated-egress-connector'))?.id ?? 'missing';
    expect(connectorId).toMatch(/^nc-/);
    const blocked = await explain(connectorId, { host: '198.51.100.20', port: 80, protocol: 'tcp' });
    expect(blocked.verdict).toBe('blocked');
    // Every blocker, not just the first: the isolated SG allows no egress there AND the table has no route.
    for (const path of blocked.paths) {
      expect(path.blockers.map((b) => [b.component, b.direction])).toEqual([
        ['security-group', 'outbound'],
        ['route-table', 'none'],
      ]);
      expect(path.blockers[1]?.detail).toMatch(/no route to 198\.51\.100\.20/);
    }
    const privateName = await explain('isolated-egress-connector', {
      host: 'ip-10-0-0-126.ap-northeast-1.compute.internal',
      port: 80,
      protocol: 'tcp',
    });
    expect(privateName.verdict).toBe('reachable');
    expect(privateName.resolvedIp).toBe('10.0.0.126');
  });

  it('a public name is unknown on the lab (no public resolver), and an unknown connector is an error', async () => {
    const out = await explain('nat-egress-connector', { host: 'checkip.amazonaws.com', port: 80, protocol: 'tcp' });
    expect(out.verdict).toBe('unknown');
    await expect(explain('no-such-connector', { host: '10.0.0.126', port: 80, protocol: 'tcp' })).rejects.toThrow(
      ConnectorNotFound,
    );
  });

  it('names the security group that blocks once the SG-to-SG rule is revoked, in the --json document', async () => {
    const world = result.lab.network;
    const ec2 = new EC2Client({
      region: REGION,
      endpoint: result.lab.url,
      credentials: { accessKeyId: accessKeyOf('bob'), secretAccessKey: 'lab-secret' },
    });
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: world.idOf('security-group', 'target-sg'),
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 80,
            ToPort: 80,
            UserIdGroupPairs: [{ GroupId: world.idOf('security-group', 'connector-sg') }],
          },
        ],
      }),
    );
    ec2.destroy();

    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await explainCommand(['--connector', 'nat-egress-connector', '--to', '10.0.0.126:80', '--json'], env);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(3);
    const doc = JSON.parse(writes.join(''));
    expect(doc.verdict).toBe('blocked');
    // One blocker per connector ENI, each naming the target's security group on the inbound side.
    expect(doc.blockers.length).toBe(doc.paths.length);
    for (const blocker of doc.blockers) {
      expect(blocker).toMatchObject({
        component: 'security-group',
        id: world.idOf('security-group', 'target-sg'),
        direction: 'inbound',
      });
    }
    expect(labVerdicts('nat-egress-connector', { host: '10.0.0.126', port: 80, protocol: 'tcp' })).toEqual(
      doc.paths.map(() => 'blocked'),
    );
  });
});
