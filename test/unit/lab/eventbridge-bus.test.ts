import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { type BusSubscriber, type EventBridgeEnvelope, LabEventBus } from '../../../lab/eventbridge/bus.js';
import { buildCloudTrailRecord, type CloudTrailRecord, type RecordInput } from '../../../lab/trail/record.js';

const ACCOUNT = '111122223333';

function record(clock: VirtualClock, eventName: string, overrides: Partial<RecordInput> = {}): CloudTrailRecord {
  return buildCloudTrailRecord({
    time: clock.now(),
    account: ACCOUNT,
    region: 'us-east-1',
    caller: { kind: 'user', account: ACCOUNT, userName: 'lab-admin' },
    eventSource: 'ec2.amazonaws.com',
    eventName,
    requestParameters: {},
    responseElements: {},
    ...overrides,
  });
}

function collector(name: string, patterns: unknown[]): BusSubscriber & { received: EventBridgeEnvelope[] } {
  const received: EventBridgeEnvelope[] = [];
  return {
    name,
    patterns,
    received,
    deliver: async (event) => {
      received.push(event);
    },
  };
}

const ec2Pattern = { source: ['aws.ec2'], 'detail-type': ['AWS API Call via CloudTrail'] };
const lambdaPattern = { source: ['aws.lambda'], detail: { eventName: [{ prefix: 'CreateNetworkConnector' }] } };

describe('LabEventBus', () => {
  it('wraps records in the CloudTrail envelope and routes them by pattern', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock });
    const ec2 = collector('ec2-ingest', [ec2Pattern]);
    const lambda = collector('lambda-ingest', [lambdaPattern]);
    bus.subscribe(ec2);
    bus.subscribe(lambda);

    const eni = record(clock, 'CreateNetworkInterface');
    const connector = record(clock, 'CreateNetworkConnector', { eventSource: 'lambda.amazonaws.com' });
    bus.publish(eni);
    bus.publish(connector);
    expect(ec2.received).toEqual([]);
    await clock.advanceBy(0);

    expect(ec2.received).toHaveLength(1);
    expect(ec2.received[0]).toMatchObject({
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      account: ACCOUNT,
      time: eni.eventTime,
      region: 'us-east-1',
      resources: [],
      detail: eni,
    });
    expect(ec2.received[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lambda.received.map((event) => event.source)).toEqual(['aws.lambda']);
  });

  it('does not deliver read-only management events to ENABLED rules, nor unlogged data events', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock });
    const everything = collector('all', [{ 'detail-type': ['AWS API Call via CloudTrail'] }]);
    bus.subscribe(everything);
    bus.publish(record(clock, 'DescribeNetworkInterfaces', { readOnly: true }));
    bus.publish(record(clock, 'RunMicrovm', { eventSource: 'lambda.amazonaws.com', eventCategory: 'Data' }));
    await clock.drain();
    expect(everything.received).toEqual([]);
    expect(bus.deliveryLog().map((entry) => entry.outcome)).toEqual(['skipped-read-only', 'skipped-data-event']);

    const optedIn = new LabEventBus({
      clock,
      ruleState: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      trailLogsDataEvents: true,
    });
    optedIn.subscribe(everything);
    optedIn.publish(record(clock, 'DescribeNetworkInterfaces', { readOnly: true }));
    optedIn.publish(record(clock, 'RunMicrovm', { eventSource: 'lambda.amazonaws.com', eventCategory: 'Data' }));
    await clock.drain();
    expect(everything.received.map((event) => event.detail.eventName)).toEqual([
      'DescribeNetworkInterfaces',
      'RunMicrovm',
    ]);
  });

  it('delivers on the virtual clock after the configured delay and jitter', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock, behaviour: { delayMs: 60_000, jitterMs: 10_000, seed: 7 } });
    const target = collector('t', [ec2Pattern]);
    bus.subscribe(target);
    bus.publish(record(clock, 'CreateRoute'));
    await clock.advanceBy(59_999);
    expect(target.received).toHaveLength(0);
    expect(bus.pendingDeliveries()).toBe(1);
    await clock.advanceBy(10_001);
    expect(target.received).toHaveLength(1);
    expect(bus.pendingDeliveries()).toBe(0);
  });

  it('is reproducible for a seed', async () => {
    async function run(seed: number) {
      const clock = new VirtualClock();
      const bus = new LabEventBus({
        clock,
        behaviour: { seed, jitterMs: 30_000, reorder: true, duplicateRate: 0.3, lossRate: 0.2 },
      });
      const target = collector('t', [ec2Pattern]);
      bus.subscribe(target);
      const names = Array.from({ length: 30 }, (_, index) => `CreateRoute${index}`);
      for (const name of names) {
        bus.publish(record(clock, name));
        await clock.advanceBy(1_000);
      }
      await clock.drain();
      return bus.deliveryLog().map(({ outcome, eventName, envelopeId, at, duplicate }) => ({
        outcome,
        eventName,
        envelopeId,
        at,
        duplicate,
      }));
    }
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
    expect(first.some((entry) => entry.outcome === 'lost')).toBe(true);
    expect(first.some((entry) => entry.duplicate)).toBe(true);
  });

  it('re-delivers duplicates as new envelopes around the same detail', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock, behaviour: { duplicateRate: 1 } });
    const target = collector('t', [ec2Pattern]);
    bus.subscribe(target);
    const eni = record(clock, 'DeleteNetworkInterface');
    bus.publish(eni);
    await clock.drain();
    expect(target.received).toHaveLength(2);
    const [original, copy] = target.received as [EventBridgeEnvelope, EventBridgeEnvelope];
    expect(copy.id).not.toBe(original.id);
    expect(copy.detail.eventID).toBe(eni.eventID);
    expect(bus.deliveryLog().map((entry) => entry.duplicate)).toEqual([false, true]);
  });

  it('loses events at the configured rate and logs them', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock, behaviour: { lossRate: 1 } });
    const target = collector('t', [ec2Pattern]);
    bus.subscribe(target);
    bus.publish(record(clock, 'DeleteRoute'));
    await clock.drain();
    expect(target.received).toEqual([]);
    expect(bus.deliveryLog()).toMatchObject([{ outcome: 'lost', eventName: 'DeleteRoute' }]);
  });

  it('reorders deliveries when reorder is on', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock, behaviour: { reorder: 120_000, seed: 3 } });
    const target = collector('t', [ec2Pattern]);
    bus.subscribe(target);
    const names = Array.from({ length: 20 }, (_, index) => `Step${String(index).padStart(2, '0')}`);
    for (const name of names) bus.publish(record(clock, name));
    await clock.drain();
    const delivered = target.received.map((event) => event.detail.eventName);
    expect([...delivered].sort()).toEqual(names);
    expect(delivered).not.toEqual(names);
  });

  it('retries a failing target with backoff on the clock, then dead-letters it', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock, behaviour: { maxAttempts: 3, retryBaseMs: 10_000 } });
    let calls = 0;
    const flaky: BusSubscriber = {
      name: 'flaky',
      patterns: [ec2Pattern],
      deliver: async () => {
        calls++;
        if (calls < 3) throw new Error(`throttled ${calls}`);
      },
    };
    const broken: BusSubscriber = {
      name: 'broken',
      patterns: [ec2Pattern],
      deliver: async () => {
        throw new Error('handler crashed');
      },
    };
    bus.subscribe(flaky);
    bus.subscribe(broken);
    bus.publish(record(clock, 'CreateNetworkAclEntry'));

    await clock.advanceBy(0);
    expect(calls).toBe(1);
    await clock.advanceBy(4_999);
    expect(calls).toBe(1); // the first retry waits at least half of retryBaseMs
    await clock.drain();
    expect(calls).toBe(3);

    const outcomes = (name: string) =>
      bus
        .deliveryLog()
        .filter((entry) => entry.subscriber === name)
        .map((entry) => [entry.outcome, entry.attempt]);
    expect(outcomes('flaky')).toEqual([
      ['attempt-failed', 1],
      ['attempt-failed', 2],
      ['delivered', 3],
    ]);
    expect(outcomes('broken')).toEqual([
      ['attempt-failed', 1],
      ['attempt-failed', 2],
      ['dead-lettered', 3],
    ]);
    expect(bus.deadLettersOf('flaky')).toEqual([]);
    expect(bus.deadLettersOf('broken')).toMatchObject([{ attempts: 3, error: 'handler crashed' }]);
    expect(bus.allDeadLetters()).toHaveLength(1);
  });

  it('rejects invalid patterns at subscribe time and can unsubscribe', async () => {
    const clock = new VirtualClock();
    const bus = new LabEventBus({ clock });
    expect(() => bus.subscribe(collector('bad', [{ source: 'aws.ec2' }]))).toThrow(/invalid event pattern #0 for bad/);
    expect(() => bus.subscribe(collector('none', []))).toThrow(/no event pattern/);
    const target = collector('t', [ec2Pattern]);
    const unsubscribe = bus.subscribe(target);
    unsubscribe();
    bus.publish(record(clock, 'CreateRoute'));
    await clock.drain();
    expect(target.received).toEqual([]);
  });
});
