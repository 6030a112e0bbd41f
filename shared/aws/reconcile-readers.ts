/**
 * Read-only adapters of the reconcile ports (docs/reconcile.md): Lambda Core connectors (the project's
 * SigV4 client), MicroVMs (@aws-sdk/client-lambda-microvms), CloudTrail Event history
 * (@aws-sdk/client-cloudtrail `LookupEvents`). Throttling and 5xx are retried by the
 * clients (jittered backoff honouring throttling errors); what still fails propagates and the run's
 * watermark is not moved.
 */
import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetMicrovmCommand, type LambdaMicrovmsClient, ListMicrovmsCommand } from '@aws-sdk/client-lambda-microvms';
import type {
  ConnectorInventory,
  MicrovmInventory,
  ObservedConnector,
  ObservedMicrovm,
  TrailHistory,
  TrailRecord,
} from '../app/reconcile-ports.js';
import type { LambdaCoreClient } from './lambda-core-client.js';

/** Concurrent Get calls per inventory (each client retries throttling on its own). */
const DETAIL_CONCURRENCY = 8;

/** Counts the API calls adapters make, per operation, and the time each took (for the report and the benchmark). */
export class ApiCallCounter {
  readonly calls = new Map<string, number>();
  /** Per operation: the sum of its calls' own durations (ms, client-observed, retries included). */
  readonly msByOperation = new Map<string, number>();
  /** Sum of all calls' own durations (ms). */
  callMs = 0;

  add(operation: string, ms = 0): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    this.msByOperation.set(operation, (this.msByOperation.get(operation) ?? 0) + ms);
    this.callMs += ms;
  }

  /** Runs one call, counting it and its duration. */
  async track<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.add(operation, performance.now() - started);
    }
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
      const page = await this.counter.track('ListNetworkConnectors', () =>
        this.client.listNetworkConnectors(marker === undefined ? {} : { Marker: marker }),
      );
      for (const c of page.NetworkConnectors) if (c.Type === undefined || c.Type === 'VPC_EGRESS') ids.push(c.Id);
      marker = page.NextMarker;
    } while (marker !== undefined);
    return mapLimited(ids, DETAIL_CONCURRENCY, async (id) => {
      return (await this.counter.track('GetNetworkConnector', () =>
        this.client.getNetworkConnector(id),
      )) as ObservedConnector;
    });
  }
}

/** `ListMicrovms` (every page) and `GetMicrovm` for the ids asked for. */
export class SdkMicrovmInventory implements MicrovmInventory {
  constructor(
    private readonly client: LambdaMicrovmsClient,
    private readonly counter = new ApiCallCounter(),
  ) {}

  async listMicrovms(): Promise<ObservedMicrovm[]> {
    const items: ObservedMicrovm[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.counter.track('ListMicrovms', () =>
        this.client.send(new ListMicrovmsCommand({ maxResults: 50, nextToken: token })),
      );
      for (const item of page.items ?? []) {
        if (!item.microvmId) continue;
        items.push({
          microvmId: item.microvmId,
          state: String(item.state ?? 'UNKNOWN'),
          startedAt: iso(item.startedAt),
          terminatedAt: null,
          egressNetworkConnectors: null,
        });
      }
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    return items;
  }

  async getMicrovms(ids: readonly string[]): Promise<ObservedMicrovm[]> {
    return mapLimited(ids, DETAIL_CONCURRENCY, async (id) => {
      const vm = await this.counter.track('GetMicrovm', () =>
        this.client.send(new GetMicrovmCommand({ microvmIdentifier: id })),
      );
      return {
        microvmId: id,
        state: String(vm.state ?? 'UNKNOWN'),
        startedAt: iso(vm.startedAt),
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
      const token = nextToken;
      const page = await this.counter.track('LookupEvents', () =>
        this.client.send(
          new LookupEventsCommand({
            StartTime: start,
            EndTime: end,
            LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }],
            MaxResults: 50,
            NextToken: token,
          }),
        ),
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
