/**
 * serverless.yml: the canary function's path-change stream (docs/canaries.md#path-changes). Its filter is
 * checked with the lab's pattern matcher (the one the lab applies when it feeds the stream) on records shaped
 * like the projection's and the check's own writes; reads files only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../lab/eventbridge/pattern.js';
import { parseServerlessYaml } from '../../../lab/eventbridge/serverless-rules.js';
import { REPO_ROOT } from '../../../scripts/build.js';

type Node = Record<string, unknown>;
const config = parseServerlessYaml(readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8')) as Node;
const canary = (config.functions as Record<string, Node>).canary as Node;
const stream = ((canary.events as Node[]).map((e) => e.stream).find(Boolean) ?? {}) as Node;
const filters = (stream.filterPatterns as unknown[]) ?? [];

function record(eventName: string, item: Record<string, unknown>): unknown {
  const { pk, sk } = item;
  return { eventName, dynamodb: { Keys: marshall({ pk, sk }), NewImage: marshall(item) } };
}
const finding = (over: Record<string, unknown> = {}) => ({
  pk: 'FINDING#network-path-changed:abc',
  sk: 'META',
  rule: 'network-path-changed',
  status: 'open',
  connectorId: 'nc-1',
  body: '{}',
  ...over,
});
const accepted = (r: unknown) => filters.some((p) => matchesPattern(p, r));

describe('serverless.yml: the canary path-change stream', () => {
  it('reads the table stream with partial-batch failures, few retries and the canary DLQ', () => {
    expect(stream).toMatchObject({
      type: 'dynamodb',
      arn: { 'Fn::GetAtt': ['MonitorTable', 'StreamArn'] },
      functionResponseType: 'ReportBatchItemFailures',
      destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['CanaryDeadLetterQueue', 'Arn'] } } },
    });
    expect(stream.maximumRetryAttempts).toBeGreaterThan(0);
  });

  it('passes an open network-path-changed finding about one connector, inserted or changed by the projection', () => {
    expect(accepted(record('INSERT', finding()))).toBe(true);
    expect(accepted(record('MODIFY', finding()))).toBe(true);
  });

  it('filters out the check it writes itself, resolved and scope-wide findings, other rules and other items', () => {
    expect(accepted(record('MODIFY', finding({ pathCheck: '{"flips":[]}' })))).toBe(false);
    expect(accepted(record('MODIFY', finding({ status: 'resolved' })))).toBe(false);
    expect(accepted(record('INSERT', finding({ connectorId: '*' })))).toBe(false);
    expect(accepted(record('INSERT', finding({ rule: 'reachability-drift' })))).toBe(false);
    expect(accepted(record('INSERT', finding({ pk: 'VIEWS#111122223333#ap-northeast-1', sk: 'FINDING#x' })))).toBe(
      false,
    );
    expect(accepted(record('REMOVE', finding()))).toBe(false);
  });

  it('runs one invocation at a time and may update only finding items', () => {
    expect(canary.reservedConcurrency).toBe(1);
    const updates = (canary.iamRoleStatements as Node[]).filter((s) =>
      ([] as unknown[]).concat(s.Action).includes('dynamodb:UpdateItem'),
    );
    expect(updates).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': ['MonitorTable', 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FINDING#*'] } },
      },
    ]);
  });
});
