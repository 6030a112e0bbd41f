/**
 * The lab's CloudTrail: keeps every record the world writes, hands each one to its listeners (the event
 * bus) and answers Event history lookups (management events only, newest first) for LookupEvents.
 */
import type { Clock } from '../clock.js';
import type { CloudTrailRecord, TrailSink } from './record.js';

export type LookupAttributeKey =
  | 'EventId'
  | 'EventName'
  | 'ReadOnly'
  | 'Username'
  | 'ResourceType'
  | 'ResourceName'
  | 'EventSource'
  | 'AccessKeyId';

export const LOOKUP_ATTRIBUTE_KEYS: readonly LookupAttributeKey[] = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
];

export interface EventHistoryResource {
  ResourceType: string;
  ResourceName: string;
}

/** A record as Event history indexes it. `sequence` orders records written in the same second. */
export interface EventHistoryEntry {
  sequence: number;
  record: CloudTrailRecord;
  eventTimeMs: number;
  username: string | undefined;
  accessKeyId: string | undefined;
  resources: EventHistoryResource[];
}

export interface TrailLookup {
  attribute?: { key: LookupAttributeKey; value: string };
  startTimeMs?: number;
  endTimeMs?: number;
}

export interface LabTrailOptions {
  /** Needed for the visibility delay and the 90-day retention of Event history. */
  clock?: Clock;
  /** Records show up in Event history this long after their eventTime (AWS: typically minutes). */
  lookupDelayMs?: number;
}

const EVENT_HISTORY_RETENTION_MS = 90 * 24 * 3600_000;

/** Resource-id prefixes Event history can name, and the CloudFormation-style type it reports for them. */
const RESOURCE_ID_TYPES: ReadonlyArray<[RegExp, string]> = [
  [/^eni-[0-9a-f]+$/, 'AWS::EC2::NetworkInterface'],
  [/^sg-[0-9a-f]+$/, 'AWS::EC2::SecurityGroup'],
  [/^sgr-[0-9a-f]+$/, 'AWS::EC2::SecurityGroupRule'],
  [/^subnet-[0-9a-f]+$/, 'AWS::EC2::Subnet'],
  [/^vpc-[0-9a-f]+$/, 'AWS::EC2::VPC'],
  [/^rtb-[0-9a-f]+$/, 'AWS::EC2::RouteTable'],
  [/^rtbassoc-[0-9a-f]+$/, 'AWS::EC2::SubnetRouteTableAssociation'],
  [/^acl-[0-9a-f]+$/, 'AWS::EC2::NetworkAcl'],
  [/^nat-[0-9a-f]+$/, 'AWS::EC2::NatGateway'],
  [/^igw-[0-9a-f]+$/, 'AWS::EC2::InternetGateway'],
  // Lab assumption: the resource type Event history reports for network connectors is not documented.
  [/^arn:aws:lambda:[^:]+:\d+:network-connector:/, 'AWS::Lambda::NetworkConnector'],
];

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, into);
}

/** What Event history lists under Resources: the record's own resources, else ids found in the call. */
export function eventHistoryResources(record: CloudTrailRecord): EventHistoryResource[] {
  const resources: EventHistoryResource[] = [];
  for (const resource of record.resources) {
    const entry = resource as { ARN?: unknown; type?: unknown };
    if (typeof entry.ARN === 'string' && typeof entry.type === 'string') {
      resources.push({ ResourceType: entry.type, ResourceName: entry.ARN });
    }
  }
  if (resources.length > 0) return resources;
  const strings = new Set<string>();
  collectStrings(record.requestParameters, strings);
  collectStrings(record.responseElements, strings);
  for (const text of strings) {
    const match = RESOURCE_ID_TYPES.find(([pattern]) => pattern.test(text));
    if (match) resources.push({ ResourceType: match[1], ResourceName: text });
  }
  return resources;
}

/** Event history's User name: the IAM user, the role session, or the invoking service. */
function usernameOf(identity: Record<string, unknown>): string | undefined {
  if (typeof identity.userName === 'string') return identity.userName;
  if (identity.type === 'AssumedRole' && typeof identity.principalId === 'string') {
    return identity.principalId.split(':')[1];
  }
  return typeof identity.invokedBy === 'string' ? identity.invokedBy : undefined;
}

function attributeValues(entry: EventHistoryEntry, key: LookupAttributeKey): Array<string | undefined> {
  const { record } = entry;
  switch (key) {
    case 'EventId':
      return [record.eventID];
    case 'EventName':
      return [record.eventName];
    case 'ReadOnly':
      return [String(record.readOnly)];
    case 'Username':
      return [entry.username];
    case 'EventSource':
      return [record.eventSource];
    case 'AccessKeyId':
      return [entry.accessKeyId];
    case 'ResourceType':
      return entry.resources.map((resource) => resource.ResourceType);
    case 'ResourceName':
      return entry.resources.map((resource) => resource.ResourceName);
  }
}

export class LabTrail implements TrailSink {
  private readonly entries: EventHistoryEntry[] = [];
  private readonly listeners: Array<(record: CloudTrailRecord) => void> = [];
  private readonly clock: Clock | undefined;
  private readonly lookupDelayMs: number;

  constructor(options: LabTrailOptions = {}) {
    this.clock = options.clock;
    this.lookupDelayMs = options.lookupDelayMs ?? 0;
  }

  emit(record: CloudTrailRecord): void {
    const identity = record.userIdentity;
    this.entries.push({
      sequence: this.entries.length,
      record,
      eventTimeMs: Date.parse(record.eventTime),
      username: usernameOf(identity),
      accessKeyId: typeof identity.accessKeyId === 'string' ? identity.accessKeyId : undefined,
      resources: eventHistoryResources(record),
    });
    for (const listener of this.listeners) listener(record);
  }

  /** Registers a listener (the event bus) for every record emitted from now on. */
  onRecord(listener: (record: CloudTrailRecord) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index !== -1) this.listeners.splice(index, 1);
    };
  }

  /** Every record, data events included, in the order written. */
  records(): CloudTrailRecord[] {
    return this.entries.map((entry) => entry.record);
  }

  /** Event history: management events matching the lookup, newest first. */
  lookup(query: TrailLookup = {}): EventHistoryEntry[] {
    const nowMs = this.clock?.now().getTime();
    const matches = this.entries.filter((entry) => {
      if (!entry.record.managementEvent) return false;
      if (nowMs !== undefined) {
        if (entry.eventTimeMs + this.lookupDelayMs > nowMs) return false;
        if (entry.eventTimeMs < nowMs - EVENT_HISTORY_RETENTION_MS) return false;
      }
      if (query.startTimeMs !== undefined && entry.eventTimeMs < query.startTimeMs) return false;
      if (query.endTimeMs !== undefined && entry.eventTimeMs > query.endTimeMs) return false;
      const attribute = query.attribute;
      return !attribute || attributeValues(entry, attribute.key).includes(attribute.value);
    });
    return matches.sort((a, b) => b.eventTimeMs - a.eventTimeMs || b.sequence - a.sequence);
  }
}
