/**
 * serverless.yml against the code it deploys: the table matches tableDefinition(), every function has its own
 * least-privilege role, the EventBridge rules deliver every event the ingest understands (checked with the
 * lab's pattern matcher on the real fixtures), failures dead-letter, and the bundle options are the ones
 * scripts/build.ts measures. Reads files only: no network, no `sls` run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../lab/eventbridge/pattern.js';
import { parseServerlessYaml } from '../../../lab/eventbridge/serverless-rules.js';
import {
  listHandlerEntries,
  REPO_ROOT,
  readServerlessEsbuildConfig,
  toEsbuildOptions,
} from '../../../scripts/build.js';
import { SCOPE_INDEX, TTL_ATTRIBUTE, tableDefinition } from '../../../shared/aws/table-definition.js';
import { normalizeEvent } from '../../../shared/domain/normalize.js';
import { listFixtures, loadFixture } from '../../support/fixtures.js';

type Node = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const serverlessText = readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8');
const config = parseServerlessYaml(serverlessText) as Node;

function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const functions = at(config, 'functions') as Record<string, Node>;
const resources = at(config, 'resources', 'Resources') as Record<string, Node>;
const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });

function eventsOf(functionName: string, type: string): Node[] {
  const events = (at(functions, functionName, 'events') as Node[] | undefined) ?? [];
  return events.map((event) => event[type]).filter((event): event is Node => typeof event === 'object' && !!event);
}

const ingestRules = eventsOf('ingest', 'eventBridge');
const ingestPatterns = ingestRules.map((rule) => rule.pattern);
const ALLOWED = { allowedAccounts: new Set(['111122223333']) };
const fixtures = listFixtures().map((entry) => ({ ...entry, event: loadFixture(entry.source, entry.variant) }));
const eventNameOf = (event: unknown) => at(event, 'detail', 'eventName') as string;

describe('serverless.yml: the table', () => {
  const table = resources.MonitorTable as Node;
  const properties = table.Properties as Node;
  const definition = tableDefinition('x');

  it('has the keys, index and billing of shared/aws/table-definition.ts', () => {
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(properties.BillingMode).toBe(definition.BillingMode);
    expect(properties.AttributeDefinitions).toEqual(definition.AttributeDefinitions);
    expect(properties.KeySchema).toEqual(definition.KeySchema);
    expect(properties.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(at(properties, 'GlobalSecondaryIndexes', 0, 'IndexName')).toBe(SCOPE_INDEX);
  });

  it('streams the same view, expires on the TTL attribute, and is protected', () => {
    expect(at(properties, 'StreamSpecification', 'StreamViewType')).toBe(
      definition.StreamSpecification?.StreamViewType,
    );
    expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('is the table the functions are told to use', () => {
    expect(at(config, 'provider', 'environment', 'EGRESS_WATCH_TABLE')).toBe(properties.TableName);
  });
});

describe('serverless.yml: packaging and environment', () => {
  it('never calls AWS while packaging (no aws/ssm/cf/s3 variable sources)', () => {
    expect(JSON.stringify(config)).not.toMatch(/\$\{(aws|ssm|cf|s3):/);
  });

  it('defaults the account allow-list to the deploying account', () => {
    const allowed = at(config, 'provider', 'environment', 'EGRESS_WATCH_ALLOWED_ACCOUNTS');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Serverless variable, not a JS template
    expect(allowed).toBe('${param:allowedAccounts, self:custom.deployingAccount}');
    expect(at(config, 'custom', 'deployingAccount')).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('declares exactly the handlers under functions/, each packaged with functions/package.json', async () => {
    const entries = (await listHandlerEntries()).map((path) => path.slice(REPO_ROOT.length));
    const handlers = Object.values(functions).map((fn) => `${String(fn.handler).replace(/\.handler$/, '')}.ts`);
    expect(handlers.sort()).toEqual(entries);
    expect(at(config, 'package', 'individually')).toBe(true);
    expect(at(config, 'package', 'patterns')).toContain('functions/package.json');
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'functions', 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });

  it('bundles ESM with the SDK inside, as scripts/build.ts does', async () => {
    const options = toEsbuildOptions(await readServerlessEsbuildConfig());
    expect(options).toMatchObject({
      bundle: true,
      minify: true,
      target: 'node20',
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      external: [],
    });
    expect(options.banner?.js).toContain('createRequire');
    expect(options.outExtension).toBeUndefined(); // .js: invoke local and the Lambda runtime both load it
    expect(at(config, 'provider', 'runtime')).toBe('nodejs22.x');
    expect(at(config, 'provider', 'architecture')).toBe('arm64');
  });
});

describe('serverless.yml: least-privilege roles', () => {
  for (const [name, fn] of Object.entries(functions)) {
    it(`${name} has its own statements, none with a wildcard action or resource`, () => {
      const statements = fn.iamRoleStatements as Statement[] | undefined;
      expect(statements?.length).toBeGreaterThan(0);
      for (const statement of statements ?? []) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) expect(action).not.toContain('*');
        // Resource "*" only for read-only actions that support no resource-level permissions (EC2 Describe*,
        // CloudTrail LookupEvents, Lambda List/Get); anything that writes names its resources.
        const readOnly = actions.every((a) => /^(ec2|cloudtrail|lambda):(Describe|List|Get|Lookup)[A-Za-z]+$/.test(a));
        if (!readOnly) expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
      }
    });
  }

  it('reconcile reads AWS and writes only its own table and dead-letter queue', () => {
    const statements = functions.reconcile?.iamRoleStatements as Statement[];
    const actions = statements.flatMap((s) => s.Action);
    const writes = actions.filter((a) => !/:(Describe|List|Get|Lookup|Query)[A-Za-z]*$/.test(a));
    expect(writes.sort()).toEqual(['dynamodb:PutItem', 'sqs:SendMessage', 'sts:AssumeRole']);
    // Only the member template's read-only role (docs/organizations.md#targets).
    const assume = statements.find((s) => s.Action.includes('sts:AssumeRole'));
    expect(JSON.stringify(assume?.Resource)).toContain(`:role/${['$', '{param:memberRoleName}'].join('')}`);
    expect(at(config, 'params', 'default', 'memberRoleName')).toBe('egress-watch-read-only');
    expect(at(config, 'functions', 'reconcile', 'events')).toEqual([
      { schedule: { rate: ['$', '{param:reconcileSchedule}'].join('') } },
    ]);
    expect(at(config, 'params', 'default', 'reconcileSchedule')).toBe('rate(10 minutes)');
  });

  it('ingest may only put items and dead-letter', () => {
    const statements = functions.ingest?.iamRoleStatements as Statement[];
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(['dynamodb:PutItem', 'sqs:SendMessage']);
    expect(statements.find((s) => s.Action.includes('dynamodb:PutItem'))?.Resource).toEqual(
      getAtt('MonitorTable', 'Arn'),
    );
  });
});

describe('serverless.yml: EventBridge rules for ingest', () => {
  it('deliver every sample event (events/ec2, events/lambda), including failed ENI creations', () => {
    const undelivered = fixtures.filter(
      ({ event }) => !ingestPatterns.some((pattern) => matchesPattern(pattern, event)),
    );
    expect(undelivered.map((f) => `${f.source}/${f.variant}`)).toEqual([]);
    const failedCreate = fixtures.find(
      ({ variant }) => variant === 'create-network-interface-connector-insufficient-ips',
    );
    expect(at(failedCreate?.event, 'detail', 'errorCode')).toBeTruthy();
  });

  it('subscribe only to events the ingest understands (each name has a sample it accepts)', () => {
    const accepted = fixtures
      .filter(({ event }) => normalizeEvent(event, ALLOWED).outcome === 'accepted')
      .map(({ event }) => eventNameOf(event));
    const ec2Names = ingestPatterns.flatMap((pattern) =>
      at(pattern, 'source', 0) === 'aws.ec2' ? (at(pattern, 'detail', 'eventName') as string[]) : [],
    );
    const lambdaPrefixes = ingestPatterns.flatMap((pattern) =>
      at(pattern, 'source', 0) === 'aws.lambda'
        ? (at(pattern, 'detail', 'eventName') as { prefix: string }[]).map((entry) => entry.prefix)
        : [],
    );
    expect(ec2Names.length).toBeGreaterThan(0);
    expect(lambdaPrefixes.length).toBeGreaterThan(0);
    expect(ec2Names.filter((name) => !accepted.includes(name))).toEqual([]);
    expect(lambdaPrefixes.filter((prefix) => !accepted.some((name) => name.startsWith(prefix)))).toEqual([]);
  });

  it('do not deliver other services, read-only calls or other EC2 names', () => {
    const sample = fixtures.find(({ variant }) => variant === 'delete-route')?.event as Node;
    const variants = [
      { ...sample, detail: { ...(sample.detail as Node), eventName: 'DescribeRouteTables' } },
      { ...sample, source: 'aws.s3', detail: { ...(sample.detail as Node), eventSource: 's3.amazonaws.com' } },
    ];
    for (const event of variants) expect(ingestPatterns.some((pattern) => matchesPattern(pattern, event))).toBe(false);
  });

  it('retry for an hour and then dead-letter into the ingest DLQ, which EventBridge may write to', () => {
    expect(ingestRules).toHaveLength(2);
    const ruleNames = ingestRules.map((rule) => String(rule.name));
    for (const rule of ingestRules) {
      expect(rule.deadLetterQueueArn).toEqual(getAtt('IngestDeadLetterQueue', 'Arn'));
      expect(rule.retryPolicy).toEqual({ maximumEventAge: 3600, maximumRetryAttempts: 8 });
    }
    expect(at(resources, 'IngestDeadLetterQueue', 'Type')).toBe('AWS::SQS::Queue');
    const statement = at(resources, 'IngestDeadLetterQueuePolicy', 'Properties', 'PolicyDocument', 'Statement', 0);
    expect(at(statement, 'Principal', 'Service')).toBe('events.amazonaws.com');
    const sourceArns = JSON.stringify(at(statement, 'Condition', 'ArnEquals', 'aws:SourceArn'));
    for (const name of ruleNames) expect(sourceArns).toContain(`:rule/${name}`);
  });

  it('send function errors to the same DLQ after Lambda retries the async invocation', () => {
    expect(at(functions, 'ingest', 'destinations', 'onFailure')).toEqual({
      type: 'sqs',
      arn: getAtt('IngestDeadLetterQueue', 'Arn'),
    });
  });
});

describe('serverless.yml: the projector stream', () => {
  const [stream] = eventsOf('project', 'stream');
  const filter = at(stream, 'filterPatterns', 0);
  const record = (eventName: string, pk: string) => ({
    eventName,
    dynamodb: { Keys: { pk: { S: pk }, sk: { S: 'x' } } },
  });

  it('reads the table stream with partial-batch failures and a DLQ', () => {
    expect(stream).toMatchObject({
      type: 'dynamodb',
      arn: getAtt('MonitorTable', 'StreamArn'),
      startingPosition: 'LATEST',
      bisectBatchOnFunctionError: true,
      functionResponseType: 'ReportBatchItemFailures',
      destinations: { onFailure: { type: 'sqs', arn: getAtt('ProjectDeadLetterQueue', 'Arn') } },
    });
    expect(stream?.maximumRetryAttempts).toBeGreaterThan(0);
  });

  it('passes only inserts of event-log items, not the projector’s own writes', () => {
    expect(matchesPattern(filter, record('INSERT', 'LOG#111122223333#us-east-1'))).toBe(true);
    expect(matchesPattern(filter, record('MODIFY', 'LOG#111122223333#us-east-1'))).toBe(false);
    expect(matchesPattern(filter, record('INSERT', 'CONN#nc-1'))).toBe(false);
    expect(matchesPattern(filter, record('INSERT', 'QUARANTINE#2026-06-24'))).toBe(false);
  });
});
