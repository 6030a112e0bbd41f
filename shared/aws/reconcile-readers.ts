/**
 * Read-only adapters of the reconcile ports (docs/reconcile.md): Lambda Core connectors (the project's
 * SigV4 client), MicroVMs (@aws-sdk/client-lambda-microvms), CloudTrail Event history
 * (@aws-sdk/client-cloudtrail `LookupEvents`) and the trail/rule checks (`DescribeTrails`, `GetTrailStatus`,
 * `GetEventSelectors`; @aws-sdk/client-eventbridge `DescribeRule`). Throttling and 5xx are retried by the
 * clients (jittered backoff honouring throttling errors); what still fails propagates and the run's
 * watermark is not moved.
 */
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetMicrovmCommand, type LambdaMicrovmsClient, ListMicrovmsCommand } from '@aws-sdk/client-lambda-microvms';
import type {
  ConnectorInventory,
  MicrovmInventory,
  MonitoringSetup,
  ObservedConnector,
  ObservedMicrovm,
  TrailHistory,
  TrailRecord,
} from '../app/reconcile-ports.js';
import type { LambdaCoreClient } from './lambda-core-client.js';

/** Concurrent Get calls per inventory (each client retries throttling on its own). */
const DETAIL_CONCURRENCY = 8;
const LIVE = new Set(['PENDING', 'RUNNING', 'SUSPENDING', 'SUSPENDED']);

/** Counts the API calls an adapter makes, per operation (for the report and the benchmark). */
export class ApiCallCounter {
  readonly calls = new Map<string, number>();

  add(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  total(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }
}

/** `ListNetworkConnectors` (every page) then `GetNetworkConnector` per connector (Lambda Core API). */
export class LambdaCoreConnectorInventory implements ConnectorInventory {
  constructor(
    private readonly client: LambdaCoreClient,
    private readonly counter = new ApiCallCounter(),
  ) {}

  async describeConnectors(): Promise<ObservedConnector[]> {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      this.counter.add('ListNetworkConnectors');
      const page = await this.client.listNetworkConnectors(marker === undefined ? {} : { Marker: marker });
      for (const c of page.NetworkConnectors) if (c.Type === undefined || c.Type === 'VPC_EGRESS') ids.push(c.Id);
      marker = page.NextMarker;
    } while (marker !== undefined);
    return mapLimited(ids, DETAIL_CONCURRENCY, async (id) => {
      this.counter.add('GetNetworkConnector');
      return (await this.client.getNetworkConnector(id)) as ObservedConnector;
    });
  }
}

/** `ListMicrovms` (every page), then `GetMicrovm` for live MicroVMs and the ids asked for. */
export class SdkMicrovmInventory implements MicrovmInventory {
  constructor(
    private readonly client: LambdaMicrovmsClient,
    private readonly counter = new ApiCallCounter(),
  ) {}

  async describeMicrovms(detailFor: ReadonlySet<string>): Promise<ObservedMicrovm[]> {
    const items: { microvmId: string; state: string; startedAt: string | null }[] = [];
    let nextToken: string | undefined;
    do {
      this.counter.add('ListMicrovms');
      const page = await this.client.send(new ListMicrovmsCommand({ maxResults: 50, nextToken }));
      for (const item of page.items ?? []) {
        if (!item.microvmId) continue;
        items.push({
          microvmId: item.microvmId,
          state: String(item.state ?? 'UNKNOWN'),
          startedAt: iso(item.startedAt),
        });
      }
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    return mapLimited(items, DETAIL_CONCURRENCY, async (item) => {
      if (!LIVE.has(item.state) && !detailFor.has(item.microvmId)) {
        return { ...item, terminatedAt: null, egressNetworkConnectors: null };
      }
      this.counter.add('GetMicrovm');
      const vm = await this.client.send(new GetMicrovmCommand({ microvmIdentifier: item.microvmId }));
      return {
        microvmId: item.microvmId,
        state: String(vm.state ?? item.state),
        startedAt: iso(vm.startedAt) ?? item.startedAt,
        terminatedAt: iso(vm.terminatedAt),
        egressNetworkConnectors: vm.egressNetworkConnectors ?? [],
      };
    });
  }
}

/** CloudTrail `LookupEvents` with `ReadOnly=false` (management write events), every page. */
export class CloudTrailHistory implements TrailHistory {
  constructor(
    private readonly client: CloudTrailClient,
    private readonly counter = new ApiCallCounter(),
  ) {}

  async lookupWriteEvents(start: Date, end: Date): Promise<TrailRecord[]> {
    const records: TrailRecord[] = [];
    let nextToken: string | undefined;
    do {
      this.counter.add('LookupEvents');
      const page = await this.client.send(
        new LookupEventsCommand({
          StartTime: start,
          EndTime: end,
          LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }],
          MaxResults: 50,
          NextToken: nextToken,
        }),
      );
      for (const e of page.Events ?? []) {
        if (!e.CloudTrailEvent) continue;
        const record = JSON.parse(e.CloudTrailEvent) as TrailRecord;
        if (typeof record.eventID === 'string') records.push(record);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return records;
  }
}

/** Trails logging in the region (`DescribeTrails`, `GetTrailStatus`, `GetEventSelectors`) and ingest rules. */
export class CloudTrailMonitoringSetup implements MonitoringSetup {
  constructor(
    private readonly cloudtrail: CloudTrailClient,
    private readonly ruleStates: () => Promise<{ name: string; state: string }[]>,
  ) {}

  async loggingTrails(): Promise<{ name: string; microvmDataEvents: boolean }[]> {
    const out = await this.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    const trails: { name: string; microvmDataEvents: boolean }[] = [];
    for (const trail of out.trailList ?? []) {
      const name = trail.TrailARN ?? trail.Name;
      if (!name) continue;
      const status = await this.cloudtrail.send(new GetTrailStatusCommand({ Name: name }));
      if (!status.IsLogging) continue;
      const selectors = await this.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: name }));
      const microvmDataEvents = (selectors.AdvancedEventSelectors ?? []).some((s) =>
        (s.FieldSelectors ?? []).some(
          (f) => f.Field === 'resources.type' && (f.Equals ?? []).some((v) => v.toLowerCase().includes('microvm')),
        ),
      );
      trails.push({ name, microvmDataEvents });
    }
    return trails;
  }

  async disabledIngestRules(): Promise<string[]> {
    return (await this.ruleStates()).filter((r) => r.state !== 'ENABLED').map((r) => r.name);
  }
}

function iso(value: Date | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let cursor = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (cursor < items.length) {
        const i = cursor++;
        out[i] = await run(items[i] as T);
      }
    }),
  );
  return out;
}
