/** The monitoring-blind adapter (shared/aws/reconcile-monitoring.ts) against mocked CloudTrail and EventBridge. */
import {
  type AdvancedFieldSelector,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { DescribeRuleCommand, EventBridgeClient, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudTrailMonitoringSetup, selectorCoverage } from '../../../shared/aws/reconcile-monitoring.js';
import { ApiCallCounter } from '../../../shared/aws/reconcile-readers.js';

const cloudtrail = mockClient(CloudTrailClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  cloudtrail.reset();
  events.reset();
});

const management = { Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
const microvm = (type: string, extra: AdvancedFieldSelector[] = []) => ({
  Name: 'd',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: [type] }, ...extra],
});

describe('selectorCoverage', () => {
  it('no selectors: the CloudTrail default, every management event and no data event', () => {
    expect(selectorCoverage({})).toEqual({ managementWrites: true, microvmDataEvents: false });
  });

  it('basic selectors never select MicroVM data events; ReadOnly or no management events exclude writes', () => {
    const lambdaData = { DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] };
    expect(
      selectorCoverage({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, ...lambdaData }] }),
    ).toEqual({ managementWrites: true, microvmDataEvents: false });
    expect(
      selectorCoverage({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] }),
    ).toEqual({
      managementWrites: false,
      microvmDataEvents: false,
    });
    expect(selectorCoverage({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] })).toEqual({
      managementWrites: false,
      microvmDataEvents: false,
    });
  });

  it('advanced selectors: management and a MicroVM resources.type (either type)', () => {
    expect(selectorCoverage({ AdvancedEventSelectors: [management, microvm('AWS::Lambda::Microvm')] })).toEqual({
      managementWrites: true,
      microvmDataEvents: true,
    });
    expect(selectorCoverage({ AdvancedEventSelectors: [microvm('AWS::Lambda::MicrovmImage')] })).toEqual({
      managementWrites: false,
      microvmDataEvents: true,
    });
  });

  it('advanced selectors that exclude what egress-watch needs do not count', () => {
    const readOnlyOnly = { Field: 'readOnly', Equals: ['true'] };
    expect(
      selectorCoverage({
        AdvancedEventSelectors: [
          { Name: 'reads', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, readOnlyOnly] },
          microvm('AWS::Lambda::Microvm', [readOnlyOnly]),
          microvm('AWS::Lambda::Microvm', [{ Field: 'eventName', NotEquals: ['RunMicrovm', 'TerminateMicrovm'] }]),
          microvm('AWS::S3::Object'),
          { Name: 'no category', FieldSelectors: [{ Field: 'resources.type', Equals: ['AWS::Lambda::Microvm'] }] },
        ],
      }),
    ).toEqual({ managementWrites: false, microvmDataEvents: false });
  });

  it('eventName and resources.ARN conditions that admit RunMicrovm count', () => {
    const selectors = [
      microvm('AWS::Lambda::MicrovmImage', [
        { Field: 'eventName', StartsWith: ['Run'] },
        { Field: 'resources.ARN', StartsWith: ['arn:aws:lambda:us-east-1:111122223333:microvm-image:'] },
      ]),
    ];
    expect(selectorCoverage({ AdvancedEventSelectors: selectors }).microvmDataEvents).toBe(true);
  });
});

describe('CloudTrailMonitoringSetup', () => {
  const arn = (name: string, region = 'us-east-1') => `arn:aws:cloudtrail:${region}:111122223333:trail/${name}`;

  it('keeps logging trails that log write management events, asking by ARN (shadow trails included)', async () => {
    cloudtrail.on(DescribeTrailsCommand, { includeShadowTrails: true }).resolves({
      trailList: [
        { Name: 'org-wide', TrailARN: arn('org-wide', 'eu-west-1'), HomeRegion: 'eu-west-1' },
        { Name: 'stopped', TrailARN: arn('stopped') },
        { Name: 'reads-only', TrailARN: arn('reads-only') },
        { Name: 'gone', TrailARN: arn('gone') },
      ],
    });
    cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudtrail.on(GetTrailStatusCommand, { Name: arn('stopped') }).resolves({ IsLogging: false });
    cloudtrail
      .on(GetTrailStatusCommand, { Name: arn('gone') })
      .rejects(new TrailNotFoundException({ message: 'Unknown trail', $metadata: {} }));
    cloudtrail
      .on(GetEventSelectorsCommand, { TrailName: arn('org-wide', 'eu-west-1') })
      .resolves({ AdvancedEventSelectors: [management, microvm('AWS::Lambda::Microvm')] });
    cloudtrail
      .on(GetEventSelectorsCommand, { TrailName: arn('reads-only') })
      .resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] });
    const counter = new ApiCallCounter();
    const setup = new CloudTrailMonitoringSetup(new CloudTrailClient({}), new EventBridgeClient({}), [], counter);
    expect(await setup.loggingTrails()).toEqual([{ name: 'org-wide', microvmDataEvents: true }]);
    expect(Object.fromEntries(counter.calls)).toEqual({ DescribeTrails: 1, GetTrailStatus: 4, GetEventSelectors: 2 });
  });

  it('propagates other CloudTrail errors (the run fails, the watermark stays)', async () => {
    cloudtrail.on(DescribeTrailsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const setup = new CloudTrailMonitoringSetup(new CloudTrailClient({}), new EventBridgeClient({}), []);
    await expect(setup.loggingTrails()).rejects.toThrow('denied');
  });

  it('names the ingest rules that are not ENABLED, and missing ones', async () => {
    events.on(DescribeRuleCommand, { Name: 'ew-ec2' }).resolves({ Name: 'ew-ec2', State: 'DISABLED' });
    events.on(DescribeRuleCommand, { Name: 'ew-lambda' }).resolves({ Name: 'ew-lambda', State: 'ENABLED' });
    events
      .on(DescribeRuleCommand, { Name: 'ew-all' })
      .resolves({ Name: 'ew-all', State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' });
    events
      .on(DescribeRuleCommand, { Name: 'ew-gone' })
      .rejects(new ResourceNotFoundException({ message: 'Rule ew-gone does not exist', $metadata: {} }));
    const setup = new CloudTrailMonitoringSetup(new CloudTrailClient({}), new EventBridgeClient({}), [
      'ew-ec2',
      'ew-lambda',
      'ew-all',
      'ew-gone',
    ]);
    expect(await setup.disabledIngestRules()).toEqual(['ew-ec2', 'ew-gone (not found)']);
  });

  it('checks no rule when none is configured', async () => {
    const setup = new CloudTrailMonitoringSetup(new CloudTrailClient({}), new EventBridgeClient({}), []);
    expect(await setup.disabledIngestRules()).toEqual([]);
    expect(events.calls()).toHaveLength(0);
  });
});
