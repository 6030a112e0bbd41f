/**
 * CloudTrail over JSON 1.1: `LookupEvents` answered from the lab trail's Event history, and `DescribeTrails`,
 * `GetTrailStatus`, `GetEventSelectors` from the lab's monitoring setup (lab/trail/monitoring.ts), so the
 * production CloudTrail adapters (the official @aws-sdk/client-cloudtrail) run unchanged against the lab.
 * Shapes: CloudTrail API Reference (service model `cloudtrail/2013-11-01`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { LabMonitoringSetup, LabTrailState } from '../trail/monitoring.js';
import {
  type EventHistoryEntry,
  type LabTrail,
  LOOKUP_ATTRIBUTE_KEYS,
  type LookupAttributeKey,
  type TrailLookup,
} from '../trail/store.js';
import { type Emulator, jsonResponse, type LabResponse } from './http.js';

/**
 * The service's documented target is com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>;
 * the v3 SDK (3.1137.0) sends the short CloudTrail_20131101.<Operation>. Both are accepted.
 */
const CLOUDTRAIL_TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;
const MAX_RESULTS = 50;

class CloudTrailError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function errorResponse(type: string, message: string): LabResponse {
  return jsonResponse(400, { __type: type, message }, { 'content-type': 'application/x-amz-json-1.1' });
}

interface LookupEventsRequest {
  LookupAttributes?: Array<{ AttributeKey?: unknown; AttributeValue?: unknown }>;
  StartTime?: unknown;
  EndTime?: unknown;
  MaxResults?: unknown;
  NextToken?: unknown;
  EventCategory?: unknown;
}

/** A page cursor: the position of the last record returned, bound to the query it belongs to. */
interface Cursor {
  eventTimeMs: number;
  sequence: number;
  query: string;
}

function epochSecondsToMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CloudTrailError('ValidationException', `${name} must be a timestamp in epoch seconds`);
  }
  return Math.round(value * 1000);
}

function parseLookup(request: LookupEventsRequest): TrailLookup {
  const lookup: TrailLookup = {};
  const attributes = request.LookupAttributes ?? [];
  if (!Array.isArray(attributes) || attributes.length > 1) {
    throw new CloudTrailError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
  }
  const [attribute] = attributes;
  if (attribute) {
    const key = attribute.AttributeKey;
    if (typeof key !== 'string' || !(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
      throw new CloudTrailError(
        'InvalidLookupAttributesException',
        `AttributeKey ${JSON.stringify(key)} is not one of ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}.`,
      );
    }
    const value = attribute.AttributeValue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 2000) {
      throw new CloudTrailError('InvalidLookupAttributesException', 'AttributeValue must be 1 to 2000 characters.');
    }
    lookup.attribute = { key: key as LookupAttributeKey, value };
  }
  const startTimeMs = epochSecondsToMs(request.StartTime, 'StartTime');
  const endTimeMs = epochSecondsToMs(request.EndTime, 'EndTime');
  if (startTimeMs !== undefined) lookup.startTimeMs = startTimeMs;
  if (endTimeMs !== undefined) lookup.endTimeMs = endTimeMs;
  if (startTimeMs !== undefined && endTimeMs !== undefined && startTimeMs > endTimeMs) {
    throw new CloudTrailError('InvalidTimeRangeException', 'StartTime must be before EndTime.');
  }
  return lookup;
}

function maxResultsOf(value: unknown): number {
  if (value === undefined || value === null) return MAX_RESULTS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RESULTS) {
    throw new CloudTrailError('InvalidMaxResultsException', `MaxResults must be an integer from 1 to ${MAX_RESULTS}.`);
  }
  return value;
}

function queryFingerprint(lookup: TrailLookup): string {
  return createHash('sha256').update(JSON.stringify(lookup)).digest('hex').slice(0, 16);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: unknown, query: string): Cursor {
  const invalid = new CloudTrailError('InvalidNextTokenException', 'Invalid NextToken.');
  if (typeof token !== 'string' || token.length === 0) throw invalid;
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw invalid;
  }
  // A token only continues the query that produced it.
  if (typeof cursor.eventTimeMs !== 'number' || typeof cursor.sequence !== 'number' || cursor.query !== query) {
    throw invalid;
  }
  return cursor as Cursor;
}

function isAfterCursor(entry: EventHistoryEntry, cursor: Cursor): boolean {
  return (
    entry.eventTimeMs < cursor.eventTimeMs ||
    (entry.eventTimeMs === cursor.eventTimeMs && entry.sequence < cursor.sequence)
  );
}

function toEvent(entry: EventHistoryEntry): Record<string, unknown> {
  const { record } = entry;
  const event: Record<string, unknown> = {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    EventTime: entry.eventTimeMs / 1000,
    EventSource: record.eventSource,
    Resources: entry.resources,
    CloudTrailEvent: JSON.stringify(record),
  };
  if (entry.accessKeyId) event.AccessKeyId = entry.accessKeyId;
  if (entry.username) event.Username = entry.username;
  return event;
}

function lookupEvents(trail: LabTrail, request: LookupEventsRequest): Record<string, unknown> {
  const lookup = parseLookup(request);
  const maxResults = maxResultsOf(request.MaxResults);
  // Event history holds no Insights events in the lab.
  if (request.EventCategory === 'insight') return { Events: [] };
  const query = queryFingerprint(lookup);
  let entries = trail.lookup(lookup);
  if (request.NextToken !== undefined && request.NextToken !== null) {
    const cursor = decodeCursor(request.NextToken, query);
    entries = entries.filter((entry) => isAfterCursor(entry, cursor));
  }
  const page = entries.slice(0, maxResults);
  const last = page.at(-1);
  const response: Record<string, unknown> = { Events: page.map(toEvent) };
  if (last && entries.length > maxResults) {
    response.NextToken = encodeCursor({ eventTimeMs: last.eventTimeMs, sequence: last.sequence, query });
  }
  return response;
}

function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

function trailOf(setup: LabMonitoringSetup, nameOrArn: unknown): LabTrailState {
  const trail = typeof nameOrArn === 'string' ? setup.findTrail(nameOrArn) : undefined;
  if (!trail) {
    throw new CloudTrailError(
      'TrailNotFoundException',
      `Unknown trail: ${String(nameOrArn)} for the user: ${setup.account}`,
    );
  }
  return trail;
}

function describeTrails(setup: LabMonitoringSetup, request: Record<string, unknown>): Record<string, unknown> {
  const wanted = Array.isArray(request.trailNameList) ? (request.trailNameList as unknown[]).map(String) : [];
  const trails = setup
    .listTrails()
    .filter((t) => wanted.length === 0 || wanted.includes(t.name) || wanted.includes(setup.trailArn(t)));
  return {
    trailList: trails.map((t) => ({
      Name: t.name,
      S3BucketName: `aws-cloudtrail-logs-${setup.account}-lab`,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: t.isMultiRegionTrail,
      HomeRegion: t.homeRegion,
      TrailARN: setup.trailArn(t),
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: true,
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    })),
  };
}

function trailStatus(setup: LabMonitoringSetup, request: Record<string, unknown>): Record<string, unknown> {
  const trail = trailOf(setup, request.Name);
  return {
    IsLogging: trail.isLogging,
    StartLoggingTime: epochSeconds(trail.startLoggingTime),
    ...(trail.stopLoggingTime ? { StopLoggingTime: epochSeconds(trail.stopLoggingTime) } : {}),
  };
}

/** Advanced selectors: all management events, and (when switched on) MicroVM data events, one type each. */
function eventSelectors(setup: LabMonitoringSetup, request: Record<string, unknown>): Record<string, unknown> {
  const trail = trailOf(setup, request.TrailName);
  const selectors: Record<string, unknown>[] = [
    { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
  ];
  if (trail.microvmDataEvents) {
    for (const type of ['AWS::Lambda::MicrovmImage', 'AWS::Lambda::Microvm']) {
      selectors.push({
        Name: `MicroVM data events (${type})`,
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: [type] },
        ],
      });
    }
  }
  return { TrailARN: setup.trailArn(trail), AdvancedEventSelectors: selectors };
}

type Operation = (request: Record<string, unknown>) => Record<string, unknown>;

/** `setup` absent: only LookupEvents is served. */
export function createCloudTrailEmulator(trail: LabTrail, setup?: LabMonitoringSetup): Emulator {
  const operations: Record<string, Operation> = {
    LookupEvents: (request) => lookupEvents(trail, request as LookupEventsRequest),
    ...(setup
      ? {
          DescribeTrails: (request) => describeTrails(setup, request),
          GetTrailStatus: (request) => trailStatus(setup, request),
          GetEventSelectors: (request) => eventSelectors(setup, request),
        }
      : {}),
  };
  return async (req) => {
    const requestId = randomUUID();
    const target = req.headers['x-amz-target'] ?? '';
    const operation = CLOUDTRAIL_TARGET.exec(target)?.[1];
    if (req.method !== 'POST' || operation === undefined) {
      return errorResponse(
        'UnknownOperationException',
        `Unsupported request: ${req.method} ${target || '(no x-amz-target)'}`,
      );
    }
    const handler = operations[operation];
    if (!handler) {
      return errorResponse(
        'UnknownOperationException',
        `The lab's CloudTrail implements ${Object.keys(operations).join(', ')}, not ${operation}.`,
      );
    }
    let request: Record<string, unknown>;
    try {
      const text = req.body.toString('utf8');
      request = (text.trim() === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    } catch {
      return errorResponse('SerializationException', 'The request body is not valid JSON.');
    }
    try {
      return jsonResponse(200, handler(request ?? {}), {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
      });
    } catch (error) {
      if (error instanceof CloudTrailError) return errorResponse(error.type, error.message);
      throw error;
    }
  };
}
