/**
 * The `MonitoringSetup` port of reconcile (docs/reconcile.md#monitoring-blind): how the region is watched.
 * CloudTrail `DescribeTrails` (shadow trails included) → per trail `GetTrailStatus` (IsLogging) and
 * `GetEventSelectors` (basic or advanced selectors); EventBridge `DescribeRule` for each ingest rule.
 * Read-only. Throttling and 5xx are retried by the clients; other errors propagate (the run's watermark stays),
 * except a trail deleted between DescribeTrails and its status (`TrailNotFoundException`: skipped) and an
 * ingest rule that does not exist (`ResourceNotFoundException`: reported as not ENABLED).
 *
 * Sources: CloudTrail API Reference (service model `cloudtrail/2013-11-01`): DescribeTrails, GetTrailStatus,
 * GetEventSelectors, EventSelector, AdvancedEventSelector, AdvancedFieldSelector
 * (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html); EventBridge
 * API Reference (service model `eventbridge/2015-10-07`): DescribeRule.
 */
import {
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type CloudTrailClient,
  DescribeTrailsCommand,
  type EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { DescribeRuleCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { MonitoringSetup } from '../app/reconcile-ports.js';
import { ApiCallCounter } from './reconcile-readers.js';

/**
 * CloudTrail `resources.type` values of MicroVM data events. `RunMicrovm` records carry the image
 * (`AWS::Lambda::MicrovmImage`), `TerminateMicrovm` records the MicroVM (`AWS::Lambda::Microvm`): both are
 * unverified record shapes (events/README.md). A selector on either counts as MicroVM data events.
 */
export const MICROVM_DATA_RESOURCE_TYPES: readonly string[] = ['AWS::Lambda::Microvm', 'AWS::Lambda::MicrovmImage'];

/** The data events egress-watch needs from a trail (write events, data-plane). */
const MICROVM_EVENT_NAMES = ['RunMicrovm', 'TerminateMicrovm'] as const;

/** What a trail's event selectors make it log, as far as egress-watch cares. */
export interface SelectorCoverage {
  /** Write management events (EC2 and Lambda Core changes). */
  managementWrites: boolean;
  /** `RunMicrovm` / `TerminateMicrovm` data events. */
  microvmDataEvents: boolean;
}

/**
 * Judges a `GetEventSelectors` answer. No selectors at all: a trail logs every management event and no data
 * event (the CloudTrail default, PutEventSelectors API reference). Basic `EventSelectors` log data events only
 * for S3 objects, Lambda functions and DynamoDB tables (API_DataResource), so never MicroVM data events.
 * Advanced selectors: a selector matches when every field selector admits the event; management writes need
 * `eventCategory = Management` not restricted to `readOnly = true`; MicroVM data events need
 * `eventCategory = Data`, a MicroVM `resources.type`, and `RunMicrovm` or `TerminateMicrovm` admitted by any
 * `eventName` and `readOnly` conditions (`resources.ARN` conditions are taken as covering).
 */
export function selectorCoverage(answer: {
  EventSelectors?: EventSelector[] | undefined;
  AdvancedEventSelectors?: AdvancedEventSelector[] | undefined;
}): SelectorCoverage {
  const basic = answer.EventSelectors ?? [];
  const advanced = answer.AdvancedEventSelectors ?? [];
  if (basic.length === 0 && advanced.length === 0) return { managementWrites: true, microvmDataEvents: false };
  if (advanced.length === 0) {
    return {
      managementWrites: basic.some((s) => s.IncludeManagementEvents !== false && s.ReadWriteType !== 'ReadOnly'),
      microvmDataEvents: false,
    };
  }
  const managementWrites = advanced.some((s) =>
    admitsAll(s.FieldSelectors ?? [], {
      eventCategory: 'Management',
      readOnly: 'false',
      eventSource: 'ec2.amazonaws.com',
      eventType: 'AwsApiCall',
    }),
  );
  const microvmDataEvents = advanced.some((s) =>
    MICROVM_DATA_RESOURCE_TYPES.some((type) =>
      MICROVM_EVENT_NAMES.some((eventName) =>
        admitsAll(s.FieldSelectors ?? [], {
          eventCategory: 'Data',
          readOnly: 'false',
          'resources.type': type,
          eventName,
          eventSource: 'lambda.amazonaws.com',
          eventType: 'AwsApiCall',
        }),
      ),
    ),
  );
  return { managementWrites, microvmDataEvents };
}

/**
 * Whether every field selector admits `event`'s field values. A selector without `eventCategory` (required by
 * CloudTrail) matches nothing. Fields whose value is not known for every event (`resources.ARN`,
 * `userIdentity.arn`, `sessionCredentialFromConsole`, …) are taken as admitting.
 */
function admitsAll(fields: readonly AdvancedFieldSelector[], event: Record<string, string>): boolean {
  if (!fields.some((f) => f.Field === 'eventCategory')) return false;
  return fields.every((f) => {
    const value = event[f.Field ?? ''];
    return value === undefined || admits(f, value);
  });
}

/** AdvancedFieldSelector semantics: each operator present must hold (positive ones: any value matches). */
function admits(f: AdvancedFieldSelector, value: string): boolean {
  const any = (values: string[] | undefined, test: (v: string) => boolean) =>
    values === undefined || values.length === 0 || values.some(test);
  const none = (values: string[] | undefined, test: (v: string) => boolean) => !(values ?? []).some(test);
  return (
    any(f.Equals, (v) => v === value) &&
    any(f.StartsWith, (v) => value.startsWith(v)) &&
    any(f.EndsWith, (v) => value.endsWith(v)) &&
    none(f.NotEquals, (v) => v === value) &&
    none(f.NotStartsWith, (v) => value.startsWith(v)) &&
    none(f.NotEndsWith, (v) => value.endsWith(v))
  );
}

function errorName(error: unknown): string {
  return (error as { name?: string } | null)?.name ?? '';
}

/** CloudTrail trails and their selectors, and the ingest EventBridge rules (names from the configuration). */
export class CloudTrailMonitoringSetup implements MonitoringSetup {
  /**
   * @param ingestRuleNames names of the EventBridge rules that feed the ingest function (on the default bus);
   *   empty: the rule check finds nothing (and `events` is never called).
   */
  constructor(
    private readonly cloudtrail: CloudTrailClient,
    private readonly events: EventBridgeClient,
    private readonly ingestRuleNames: readonly string[],
    private readonly counter = new ApiCallCounter(),
  ) {}

  /**
   * Trails that log write management events in the client's region, with whether they log MicroVM data events.
   * A trail that is not logging (`IsLogging` false) or whose selectors exclude write management events is
   * left out. Calls are made with the trail ARN, so shadow trails of multi-region trails are answered.
   */
  async loggingTrails(): Promise<{ name: string; microvmDataEvents: boolean }[]> {
    const described = await this.counter.track('DescribeTrails', () =>
      this.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
    );
    const out: { name: string; microvmDataEvents: boolean }[] = [];
    for (const trail of described.trailList ?? []) {
      const id = trail.TrailARN ?? trail.Name;
      if (!id) continue;
      try {
        const status = await this.counter.track('GetTrailStatus', () =>
          this.cloudtrail.send(new GetTrailStatusCommand({ Name: id })),
        );
        if (status.IsLogging !== true) continue;
        const selectors = await this.counter.track('GetEventSelectors', () =>
          this.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: id })),
        );
        const coverage = selectorCoverage(selectors);
        if (!coverage.managementWrites) continue;
        out.push({ name: trail.Name ?? id, microvmDataEvents: coverage.microvmDataEvents });
      } catch (error) {
        if (errorName(error) === 'TrailNotFoundException') continue; // deleted meanwhile
        throw error;
      }
    }
    return out;
  }

  /** Ingest rules whose `DescribeRule` State is not ENABLED (missing rules are named `<name> (not found)`). */
  async disabledIngestRules(): Promise<string[]> {
    const out: string[] = [];
    for (const name of this.ingestRuleNames) {
      try {
        const rule = await this.counter.track('DescribeRule', () =>
          this.events.send(new DescribeRuleCommand({ Name: name })),
        );
        // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS also delivers (read-only events too).
        if (!String(rule.State ?? '').startsWith('ENABLED')) out.push(name);
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
        out.push(`${name} (not found)`);
      }
    }
    return out;
  }
}
