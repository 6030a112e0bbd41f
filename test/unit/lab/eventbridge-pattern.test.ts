import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../lab/eventbridge/pattern.js';

interface Example {
  name: string;
  pattern: Record<string, unknown>;
  matching: Record<string, unknown>;
  nonMatching: Record<string, unknown>;
}

const detail = (fields: Record<string, unknown>) => ({ detail: fields });

/** The user guide's examples (content filtering / comparison operators), one or more per operator. */
const documentedExamples: Example[] = [
  {
    name: 'equals',
    pattern: { Name: ['Alice'] },
    matching: { Name: 'Alice' },
    nonMatching: { Name: 'alice' },
  },
  {
    name: 'and across keys',
    pattern: { Location: ['New York'], Day: ['Monday'] },
    matching: { Location: 'New York', Day: 'Monday' },
    nonMatching: { Location: 'New York', Day: 'Tuesday' },
  },
  {
    name: 'or within a key',
    pattern: { PaymentType: ['Credit', 'Debit'] },
    matching: { PaymentType: 'Debit' },
    nonMatching: { PaymentType: 'Cash' },
  },
  {
    name: 'event array intersects pattern array',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    matching: {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    nonMatching: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
  },
  {
    name: 'null value',
    pattern: { UserID: [null] },
    matching: { UserID: null },
    nonMatching: { UserID: 'null' },
  },
  {
    name: 'empty string',
    pattern: { LastName: [''] },
    matching: { LastName: '' },
    nonMatching: { LastName: 'Smith' },
  },
  {
    name: 'number equals',
    pattern: { Price: [100] },
    matching: { Price: 100 },
    nonMatching: { Price: '100' },
  },
  {
    name: 'boolean equals',
    pattern: detail({ enabled: [true] }),
    matching: detail({ enabled: true }),
    nonMatching: detail({ enabled: 'true' }),
  },
  {
    name: 'nested objects',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      ...detail({ state: ['terminated'] }),
    },
    matching: {
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      ...detail({ 'instance-id': 'i-1234567890abcdef0', state: 'terminated' }),
    },
    nonMatching: {
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      ...detail({ 'instance-id': 'i-1234567890abcdef0', state: 'running' }),
    },
  },
  {
    name: 'prefix',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    matching: { time: '2017-10-02T18:43:48Z' },
    nonMatching: { time: '2017-10-03T18:43:48Z' },
  },
  {
    name: 'prefix ignoring case',
    pattern: detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }),
    matching: detail({ service: 'eventbridge' }),
    nonMatching: detail({ service: 'lambda' }),
  },
  {
    name: 'suffix',
    pattern: { FileName: [{ suffix: '.png' }] },
    matching: { FileName: 'image.png' },
    nonMatching: { FileName: 'image.PNG' },
  },
  {
    name: 'suffix ignoring case',
    pattern: detail({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }),
    matching: detail({ FileName: 'IMAGE.PNG' }),
    nonMatching: detail({ FileName: 'image.jpg' }),
  },
  {
    name: 'equals-ignore-case',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    matching: { Name: 'ALICE' },
    nonMatching: { Name: 'Alicia' },
  },
  {
    name: 'wildcard',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    matching: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' },
    nonMatching: { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myBus' },
  },
  {
    name: 'wildcard in a folder',
    pattern: { Filename: [{ wildcard: 'dir/*.png' }] },
    matching: { Filename: 'dir/photo.png' },
    nonMatching: { Filename: 'other/photo.png' },
  },
  {
    name: 'wildcard with an escaped star',
    pattern: { key: [{ wildcard: 'a\\*b*' }] },
    matching: { key: 'a*bcd' },
    nonMatching: { key: 'axbcd' },
  },
  {
    name: 'anything-but a string',
    pattern: detail({ state: [{ 'anything-but': 'initializing' }] }),
    matching: detail({ state: 'running' }),
    nonMatching: detail({ state: 'initializing' }),
  },
  {
    name: 'anything-but a number',
    pattern: detail({ 'x-limit': [{ 'anything-but': 123 }] }),
    matching: detail({ 'x-limit': 456 }),
    nonMatching: detail({ 'x-limit': 123 }),
  },
  {
    name: 'anything-but a list of strings',
    pattern: detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }),
    matching: detail({ state: 'running' }),
    nonMatching: detail({ state: 'overloaded' }),
  },
  {
    name: 'anything-but a list of numbers',
    pattern: detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }),
    matching: detail({ 'x-limit': 101 }),
    nonMatching: detail({ 'x-limit': 200 }),
  },
  {
    name: 'anything-but (begins with)',
    pattern: detail({ state: [{ 'anything-but': { prefix: 'init' } }] }),
    matching: detail({ state: 'running' }),
    nonMatching: detail({ state: 'initializing' }),
  },
  {
    name: 'anything-but (ends with)',
    pattern: detail({ FileName: [{ 'anything-but': { suffix: '.txt' } }] }),
    matching: detail({ FileName: 'notes.md' }),
    nonMatching: detail({ FileName: 'notes.txt' }),
  },
  {
    name: 'anything-but (ignore case)',
    pattern: detail({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }),
    matching: detail({ state: 'running' }),
    nonMatching: detail({ state: 'INITIALIZING' }),
  },
  {
    name: 'anything-but (ignore case, list)',
    pattern: detail({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }),
    matching: detail({ state: 'running' }),
    nonMatching: detail({ state: 'Stopped' }),
  },
  {
    name: 'anything-but using a wildcard',
    pattern: detail({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }),
    matching: detail({ FilePath: '/usr/bin/tool' }),
    nonMatching: detail({ FilePath: '/usr/lib/libc.so' }),
  },
  {
    name: 'anything-but using a list of wildcards',
    pattern: detail({ FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }),
    matching: detail({ FilePath: '/usr/share/doc' }),
    nonMatching: detail({ FilePath: '/usr/bin/tool' }),
  },
  {
    name: 'exists',
    pattern: detail({ state: [{ exists: true }] }),
    matching: detail({ state: 'initializing' }),
    nonMatching: detail({ other: 'x' }),
  },
  {
    name: 'does not exist',
    pattern: detail({ 'c-count': [{ exists: false }] }),
    matching: detail({ state: 'initializing' }),
    nonMatching: detail({ 'c-count': 3 }),
  },
  {
    name: 'numeric equals',
    pattern: detail({ 'x-limit': [{ numeric: ['=', 3.018e2] }] }),
    matching: detail({ 'x-limit': 301.8 }),
    nonMatching: detail({ 'x-limit': 301 }),
  },
  {
    name: 'numeric range',
    pattern: detail({ 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }] }),
    matching: detail({ 'c-count': 5, 'd-count': 3 }),
    nonMatching: detail({ 'c-count': 0, 'd-count': 3 }),
  },
  {
    name: 'numeric range between 10 and 20',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    matching: { Price: 20 },
    nonMatching: { Price: 10 },
  },
  {
    name: 'numeric does not match strings',
    pattern: { Price: [{ numeric: ['>=', 0] }] },
    matching: { Price: 0 },
    nonMatching: { Price: '5' },
  },
  {
    name: 'IPv4 cidr',
    pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }),
    matching: detail({ sourceIPAddress: '10.0.0.255' }),
    nonMatching: detail({ sourceIPAddress: '10.0.1.0' }),
  },
  {
    name: 'IPv6 cidr',
    pattern: detail({ sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] }),
    matching: detail({ sourceIPAddress: '2001:db8:1234:1a00:9691:9503:25ad:1761' }),
    nonMatching: detail({ sourceIPAddress: '2001:db8:1234:1a01::1' }),
  },
  {
    name: '$or across keys',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    matching: { Location: 'Boston', Day: 'Monday' },
    nonMatching: { Location: 'Boston', Day: 'Friday' },
  },
  {
    name: '$or inside detail with numeric alternatives',
    pattern: detail({
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    }),
    matching: detail({ 'c-count': 100, 'd-count': 100, 'x-limit': 301.8 }),
    nonMatching: detail({ 'c-count': 100, 'd-count': 100, 'x-limit': 1 }),
  },
  {
    name: '$or next to a plain key',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    matching: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    nonMatching: { source: 'aws.ec2', namespace: 'AWS/ES' },
  },
];

/** The monitor's own rules (EventBridge User Guide, "Events from AWS services") against lab-shaped envelopes. */
const lambdaConnectorPattern = {
  source: ['aws.lambda'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['lambda.amazonaws.com'],
    eventName: [
      { prefix: 'CreateNetworkConnector' },
      { prefix: 'UpdateNetworkConnector' },
      { prefix: 'DeleteNetworkConnector' },
    ],
  },
};

const ec2Pattern = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: [
      'CreateNetworkInterface',
      'DeleteNetworkInterface',
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'ModifySecurityGroupRules',
      'CreateRoute',
      'DeleteRoute',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteNatGateway',
      'CreateNetworkAclEntry',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
    ],
    errorCode: [{ exists: false }],
  },
};

const envelope = (source: string, record: Record<string, unknown>) => ({
  version: '0',
  id: 'cf2cd0c9-6ac0-21a3-9573-7f789fd531ae',
  'detail-type': 'AWS API Call via CloudTrail',
  source,
  account: '111122223333',
  time: '2026-09-30T10:01:02Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '1.11', awsRegion: 'us-east-1', readOnly: false, ...record },
});

const projectExamples: Example[] = [
  {
    name: 'connector change, with a version-suffixed name',
    pattern: lambdaConnectorPattern,
    matching: envelope('aws.lambda', {
      eventSource: 'lambda.amazonaws.com',
      eventName: 'DeleteNetworkConnector20260404',
    }),
    nonMatching: envelope('aws.lambda', { eventSource: 'lambda.amazonaws.com', eventName: 'GetNetworkConnector' }),
  },
  {
    name: 'connector change from another source is ignored',
    pattern: lambdaConnectorPattern,
    matching: envelope('aws.lambda', { eventSource: 'lambda.amazonaws.com', eventName: 'CreateNetworkConnector' }),
    nonMatching: envelope('aws.ec2', { eventSource: 'lambda.amazonaws.com', eventName: 'CreateNetworkConnector' }),
  },
  {
    name: 'EC2 rule drops failed calls',
    pattern: ec2Pattern,
    matching: envelope('aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: 'CreateNetworkInterface' }),
    nonMatching: envelope('aws.ec2', {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateNetworkInterface',
      errorCode: 'Client.DryRunOperation',
    }),
  },
  {
    name: 'EC2 rule ignores unrelated calls',
    pattern: ec2Pattern,
    matching: envelope('aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: 'ReplaceNetworkAclEntry' }),
    nonMatching: envelope('aws.ec2', { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }),
  },
  {
    name: 'excluding own calls by role ARN prefix',
    pattern: {
      detail: {
        userIdentity: { arn: [{ 'anything-but': { prefix: 'arn:aws:sts::111122223333:assumed-role/Monitor' } }] },
      },
    },
    matching: envelope('aws.ec2', { userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/Deployer/s' } }),
    nonMatching: envelope('aws.ec2', { userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/Monitor/s' } }),
  },
];

describe('matchesPattern', () => {
  describe.each([
    ['documented', documentedExamples],
    ['project', projectExamples],
  ])('%s examples', (_label, examples) => {
    it.each(examples.map((example) => [example.name, example] as const))('%s', (_name, example) => {
      expect(validatePattern(example.pattern)).toEqual([]);
      expect(matchesPattern(example.pattern, example.matching)).toBe(true);
      expect(matchesPattern(example.pattern, example.nonMatching)).toBe(false);
    });
  });

  it('requires fields named in the pattern to be present', () => {
    expect(matchesPattern({ detail: { state: ['running'] } }, { source: 'x' })).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'x' }] } }, { detail: {} })).toBe(false);
  });

  it('treats objects as non-leaves for exists', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    expect(matchesPattern(pattern, { detail: { state: { nested: 1 } } })).toBe(false);
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, { detail: { state: { nested: 1 } } })).toBe(true);
  });

  it('matches exists:false when the whole parent object is missing', () => {
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, { source: 'aws.ec2' })).toBe(true);
  });

  it('matches anything-but when any array element is outside the excluded set', () => {
    const pattern = { price: [{ 'anything-but': [100, 500] }] };
    expect(matchesPattern(pattern, { price: [100, 50] })).toBe(true);
    expect(matchesPattern(pattern, { price: [100, 500] })).toBe(false);
  });

  it('requires conditions on an array of objects to hold on the same element', () => {
    const pattern = { items: { key: ['a'], value: ['2'] } };
    expect(matchesPattern(pattern, { items: [{ key: 'a', value: '2' }] })).toBe(true);
    expect(
      matchesPattern(pattern, {
        items: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    ).toBe(false);
  });

  it('matches IPv4-mapped IPv6 and single-address cidr blocks', () => {
    expect(matchesPattern({ ip: [{ cidr: '::ffff:10.0.0.0/120' }] }, { ip: '::ffff:10.0.0.7' })).toBe(true);
    expect(matchesPattern({ ip: [{ cidr: '203.0.113.10' }] }, { ip: '203.0.113.10' })).toBe(true);
    expect(matchesPattern({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '2001:db8::1' })).toBe(false);
  });
});

describe('validatePattern', () => {
  it.each([
    ['not an object', 'x', 'pattern must be a JSON object'],
    ['empty pattern', {}, 'at least one field'],
    ['scalar leaf', { source: 'aws.ec2' }, 'must be an array'],
    ['empty array', { source: [] }, 'empty arrays'],
    ['unknown operator', { source: [{ contains: 'x' }] }, 'unknown operator'],
    ['two operators', { source: [{ prefix: 'a', suffix: 'b' }] }, 'exactly one operator'],
    ['exists not boolean', { source: [{ exists: 'yes' }] }, 'true or false'],
    ['bad numeric operator', { n: [{ numeric: ['!=', 1] }] }, 'unknown numeric operator'],
    ['inverted range', { n: [{ numeric: ['>', 5, '<', 1] }] }, 'below the upper bound'],
    ['two lower bounds', { n: [{ numeric: ['>', 1, '>=', 5] }] }, 'one lower bound'],
    ['numeric out of range', { n: [{ numeric: ['>', 6e9] }] }, 'outside'],
    ['bad cidr', { ip: [{ cidr: '10.0.0.0/33' }] }, 'CIDR'],
    ['mixed anything-but list', { s: [{ 'anything-but': ['a', 1] }] }, 'only strings or only numbers'],
    ['anything-but exists', { s: [{ 'anything-but': { exists: true } }] }, 'unsupported inside anything-but'],
    ['anything-but prefix list', { s: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, 'prefix: must be a string'],
    ['consecutive wildcards', { s: [{ wildcard: 'a**b' }] }, 'consecutive'],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, 'at least two'],
    ['nested array', { s: [['a']] }, 'nested'],
  ])('%s', (_name, pattern, message) => {
    const errors = validatePattern(pattern);
    expect(errors.join('\n')).toContain(message);
  });

  it('rejects patterns over 4096 characters', () => {
    const values = Array.from({ length: 400 }, (_, index) => `CreateSomethingLong${index}`);
    expect(validatePattern({ detail: { eventName: values } }).join('\n')).toContain('limit is 4096');
  });
});
