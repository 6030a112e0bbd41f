import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerlessYaml, readServerlessRules } from '../../../lab/eventbridge/serverless-rules.js';

const serverlessYml = `
service: egress-watch
provider:
  name: aws
  runtime: nodejs22.x
  environment:
    TABLE_NAME: !Ref StateTable
    TOPIC_ARN: !GetAtt AlertsTopic.TopicArn
functions:
  ingest:
    handler: functions/ingest.handler
    events:
      - eventBridge:
          pattern:
            source: [aws.lambda]
            detail-type: [AWS API Call via CloudTrail]
            detail:
              eventSource: [lambda.amazonaws.com]
              eventName:
                - prefix: CreateNetworkConnector
                - prefix: DeleteNetworkConnector
          deadLetterQueueArn: !GetAtt EventsDLQ.Arn
          retryPolicy:
            maximumRetryAttempts: 8
      - eventBridge:
          pattern:
            source: [aws.ec2]
            detail:
              errorCode: [{ exists: false }]
  reconcile:
    handler: functions/reconcile.handler
    events:
      - schedule: rate(5 minutes)
      - schedule:
          rate: rate(1 hour)
          input:
            mode: full
      - schedule:
          rate: rate(1 day)
          enabled: false
  report:
    handler: functions/report.handler
    environment:
      BUCKET: !Sub '\${AWS::StackName}-reports'
      JOINED: !Join ['-', [a, !Ref B]]
      PICKED: !Select [0, !GetAZs '']
      CHOICE: !If [IsProd, yes, no]
    events:
      - eventBridge:
          schedule: cron(0 8 * * ? *)
          input: { kind: daily }
`;

describe('readServerlessRules', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'serverless-rules-'));
    await writeFile(join(directory, 'serverless.yml'), serverlessYml);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('returns the patterns and schedules of every function', async () => {
    const rules = await readServerlessRules(join(directory, 'serverless.yml'));
    expect(rules).toEqual([
      {
        functionName: 'ingest',
        handler: 'functions/ingest.handler',
        patterns: [
          {
            source: ['aws.lambda'],
            'detail-type': ['AWS API Call via CloudTrail'],
            detail: {
              eventSource: ['lambda.amazonaws.com'],
              eventName: [{ prefix: 'CreateNetworkConnector' }, { prefix: 'DeleteNetworkConnector' }],
            },
          },
          { source: ['aws.ec2'], detail: { errorCode: [{ exists: false }] } },
        ],
        schedules: [],
      },
      {
        functionName: 'reconcile',
        handler: 'functions/reconcile.handler',
        patterns: [],
        schedules: [{ rate: 'rate(5 minutes)' }, { rate: 'rate(1 hour)', input: { mode: 'full' } }],
      },
      {
        functionName: 'report',
        handler: 'functions/report.handler',
        patterns: [],
        schedules: [{ rate: 'cron(0 8 * * ? *)', input: { kind: 'daily' } }],
      },
    ]);
  });

  it('parses CloudFormation intrinsics to their long form', () => {
    const config = parseServerlessYaml(serverlessYml) as {
      provider: { environment: Record<string, unknown> };
      functions: { report: { environment: Record<string, unknown> } };
    };
    expect(config.provider.environment).toEqual({
      TABLE_NAME: { Ref: 'StateTable' },
      TOPIC_ARN: { 'Fn::GetAtt': ['AlertsTopic', 'TopicArn'] },
    });
    expect(config.functions.report.environment).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation substitution, not a JS template
      BUCKET: { 'Fn::Sub': '${AWS::StackName}-reports' },
      JOINED: { 'Fn::Join': ['-', ['a', { Ref: 'B' }]] },
      PICKED: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      CHOICE: { 'Fn::If': ['IsProd', 'yes', 'no'] },
    });
  });
});
