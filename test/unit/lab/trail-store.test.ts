import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createCloudTrailEmulator } from '../../../lab/emulators/cloudtrail.js';
import type { LabRequest } from '../../../lab/emulators/http.js';
import { createSnsEmulator } from '../../../lab/emulators/sns.js';
import { buildCloudTrailRecord, type CloudTrailRecord } from '../../../lab/trail/record.js';
import { eventHistoryResources, LabTrail } from '../../../lab/trail/store.js';

const ACCOUNT = '111122223333';

function record(time: Date, eventName: string, extra: Partial<Parameters<typeof buildCloudTrailRecord>[0]> = {}) {
  return buildCloudTrailRecord({
    time,
    account: ACCOUNT,
    region: 'us-east-1',
    caller: {
      kind: 'assumed-role',
      account: ACCOUNT,
      roleName: 'NetworkConnectorOperatorRole',
      sessionName: 'request-validation-session',
      invokedBy: 'network-connectors.lambda.amazonaws.com',
    },
    eventSource: 'ec2.amazonaws.com',
    eventName,
    requestParameters: { subnetId: 'subnet-0abc', groupSet: { items: [{ groupId: 'sg-0def' }] } },
    responseElements: { networkInterface: { networkInterfaceId: 'eni-0123' } },
    ...extra,
  });
}

function request(target: string, body: unknown): LabRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

describe('LabTrail', () => {
  it('keeps every record and forwards each to its listeners', () => {
    const trail = new LabTrail();
    const heard: CloudTrailRecord[] = [];
    const stop = trail.onRecord((written) => heard.push(written));
    const first = record(new Date('2026-06-24T01:00:00Z'), 'CreateNetworkInterface');
    trail.emit(first);
    stop();
    trail.emit(record(new Date('2026-06-24T01:01:00Z'), 'DeleteNetworkInterface'));
    expect(heard).toEqual([first]);
    expect(trail.records().map((written) => written.eventName)).toEqual([
      'CreateNetworkInterface',
      'DeleteNetworkInterface',
    ]);
  });

  it('indexes the session name as Username and ids found in the call as Resources', () => {
    const trail = new LabTrail();
    const written = record(new Date('2026-06-24T01:00:00Z'), 'CreateNetworkInterface');
    trail.emit(written);
    expect(trail.lookup({ attribute: { key: 'Username', value: 'request-validation-session' } })).toHaveLength(1);
    expect(eventHistoryResources(written)).toEqual([
      { ResourceType: 'AWS::EC2::Subnet', ResourceName: 'subnet-0abc' },
      { ResourceType: 'AWS::EC2::SecurityGroup', ResourceName: 'sg-0def' },
      { ResourceType: 'AWS::EC2::NetworkInterface', ResourceName: 'eni-0123' },
    ]);
    expect(trail.lookup({ attribute: { key: 'ResourceType', value: 'AWS::EC2::SecurityGroup' } })).toHaveLength(1);
  });

  it('shows records in Event history only after the lookup delay, and for 90 days', async () => {
    const clock = new VirtualClock('2026-06-24T01:00:00Z');
    const trail = new LabTrail({ clock, lookupDelayMs: 5 * 60_000 });
    trail.emit(record(clock.now(), 'CreateRoute'));
    expect(trail.lookup()).toHaveLength(0);
    await clock.advanceBy(5 * 60_000);
    expect(trail.lookup()).toHaveLength(1);
    await clock.advanceBy(91 * 24 * 3600_000);
    expect(trail.lookup()).toHaveLength(0);
    expect(trail.records()).toHaveLength(1);
  });
});

describe('CloudTrail emulator (direct calls)', () => {
  const trail = new LabTrail();
  trail.emit(record(new Date('2026-06-24T01:00:00Z'), 'CreateNetworkInterface'));
  const emulator = createCloudTrailEmulator(trail);

  it('accepts the long and the short x-amz-target forms', async () => {
    for (const target of [
      'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      'CloudTrail_20131101.LookupEvents',
    ]) {
      const response = await emulator(request(target, {}));
      expect(response.status).toBe(200);
      expect(JSON.parse(String(response.body)).Events).toHaveLength(1);
    }
  });

  it('answers JSON 1.1 errors for other operations and bad bodies', async () => {
    const other = await emulator(request('CloudTrail_20131101.CreateTrail', {}));
    expect([other.status, JSON.parse(String(other.body)).__type]).toEqual([400, 'UnknownOperationException']);
    const bad = await emulator({ ...request('CloudTrail_20131101.LookupEvents', {}), body: Buffer.from('{') });
    expect(JSON.parse(String(bad.body))).toEqual({
      __type: 'SerializationException',
      message: 'The request body is not valid JSON.',
    });
  });
});

describe('SNS emulator (direct calls)', () => {
  it('escapes what it echoes into XML', async () => {
    const sns = createSnsEmulator({ topics: [] });
    const response = await sns({
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from(new URLSearchParams({ Action: 'Frobnicate<x>', Version: '2010-03-31' }).toString()),
    });
    expect(response.status).toBe(400);
    expect(String(response.body)).toContain('<Code>InvalidAction</Code>');
    expect(String(response.body)).toContain('Frobnicate&lt;x&gt;');
  });
});
