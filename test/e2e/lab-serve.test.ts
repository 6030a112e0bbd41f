import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetMicrovmCommand, LambdaMicrovmsClient, RunMicrovmCommand } from '@aws-sdk/client-lambda-microvms';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freeLoopbackPort } from '../../lab/dynamodb-local.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('e2e: egress-watch lab serve, used with only the official AWS SDK clients', () => {
  let child: ChildProcess;
  let output = '';
  let endpoint = '';
  const config = () => ({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'LABALICE', secretAccessKey: 'lab' },
  });

  beforeAll(async () => {
    const port = await freeLoopbackPort();
    endpoint = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [join(repoRoot, 'bin', 'egress-watch.js'), 'lab', 'serve', '--port', String(port), '--speed', '20'],
      {
        cwd: repoRoot,
        env: { ...process.env, EGRESS_WATCH_DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'), NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lab serve did not get ready:\n${output}`)), 45_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/^ready$/m.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`lab serve exited with ${code}:\n${output}`)));
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
  });

  it('prints the environment to use it', () => {
    expect(output).toContain(`export AWS_ENDPOINT_URL=${endpoint}`);
    expect(output).toMatch(
      /MicroVM image: arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-test-app-v3/,
    );
  });

  it("lists the scenario's security groups, authorizes an ingress rule and finds its record with LookupEvents", async () => {
    const ec2 = new EC2Client(config());
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({}));
    const target = groups.SecurityGroups?.find((g) => g.GroupName === 'target-sg');
    expect(target?.GroupId).toMatch(/^sg-/);

    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: target?.GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
      }),
    );

    const trail = new CloudTrailClient(config());
    const events = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AuthorizeSecurityGroupIngress' }],
      }),
    );
    const record = events.Events?.map((e) => JSON.parse(e.CloudTrailEvent ?? '{}')).find(
      (r) => r.requestParameters?.groupId === target?.GroupId,
    );
    expect(record?.userIdentity?.arn).toMatch(/assumed-role\/PlatformAdmin\/alice$/);
    ec2.destroy();
    trail.destroy();
  });

  it("runs a MicroVM from the scenario's image and sees it RUNNING with GetMicrovm", async () => {
    const microvms = new LambdaMicrovmsClient(config());
    const run = await microvms.send(
      new RunMicrovmCommand({
        imageIdentifier: 'arn:aws:lambda:ap-northeast-1:111122223333:microvm-image:egress-test-app-v3',
      }),
    );
    let state = run.state;
    for (let i = 0; i < 100 && state !== 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await microvms.send(new GetMicrovmCommand({ microvmIdentifier: run.microvmId }))).state;
    }
    expect(state).toBe('RUNNING');
    microvms.destroy();
  });
});
