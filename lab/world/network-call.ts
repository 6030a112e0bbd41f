/**
 * One EC2 API mutation as the network world performs it: it succeeds, fails with an EC2 error code, or
 * stops at the dry-run check, and in each case writes the CloudTrail record AWS would write.
 */
import { randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../trail/record.js';
import { buildCloudTrailRecord } from '../trail/record.js';
import type { LabContext } from './contracts.js';

export type Ec2Result<T> =
  | { ok: true; value: T; requestId: string }
  | { ok: false; code: string; message: string; requestId: string };

export interface Ec2CallOptions {
  caller: CallerIdentity;
  /** Shared with the HTTP response so the record and the reply carry the same request id. */
  requestId?: string;
}

/** A JSON-able value in EC2's response vocabulary; arrays become `items` sets in CloudTrail. */
export type Ec2Value = string | number | boolean | Date | null | undefined | Ec2Value[] | { [key: string]: Ec2Value };

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export const DRY_RUN_MESSAGE = 'Request would have succeeded, but DryRun flag is set.';

/** Renders a response-shaped value the way CloudTrail logs EC2 responses: lists wrapped in {"items": […]}. */
export function cloudTrailJson(value: Ec2Value): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length === 0 ? {} : { items: value.map(cloudTrailJson) };
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = cloudTrailJson(member);
    return out;
  }
  return value;
}

export class Ec2Call {
  readonly requestId: string;

  constructor(
    private readonly ctx: LabContext,
    private readonly eventName: string,
    private readonly options: Ec2CallOptions,
    private readonly requestParameters: Record<string, unknown> | null,
  ) {
    this.requestId = options.requestId ?? randomUUID();
  }

  fail<T>(code: string, message: string): Ec2Result<T> {
    this.record(null, `Client.${code}`, message);
    return { ok: false, code, message, requestId: this.requestId };
  }

  dryRun<T>(): Ec2Result<T> {
    return this.fail('DryRunOperation', DRY_RUN_MESSAGE);
  }

  /** `responseElements` is rendered with cloudTrailJson; `requestId` is prepended as EC2 records do. */
  succeed<T>(value: T, responseElements: { [key: string]: Ec2Value }): Ec2Result<T> {
    const rendered = cloudTrailJson(responseElements) as Record<string, unknown>;
    this.record({ requestId: this.requestId, ...rendered });
    return { ok: true, value, requestId: this.requestId };
  }

  /** For the newer APIs CloudTrail logs with PascalCase wrappers (ModifySecurityGroupRules). */
  succeedRaw<T>(value: T, responseElements: Record<string, unknown>): Ec2Result<T> {
    this.record(responseElements);
    return { ok: true, value, requestId: this.requestId };
  }

  private record(responseElements: Record<string, unknown> | null, errorCode?: string, errorMessage?: string): void {
    this.ctx.trail.emit(
      buildCloudTrailRecord({
        time: this.ctx.clock.now(),
        account: this.ctx.account,
        region: this.ctx.region,
        caller: this.options.caller,
        eventSource: 'ec2.amazonaws.com',
        eventName: this.eventName,
        requestParameters: this.requestParameters,
        responseElements,
        requestId: this.requestId,
        ...(errorCode ? { errorCode } : {}),
        ...(errorMessage ? { errorMessage } : {}),
      }),
    );
  }
}

/** CloudTrail's request-side list wrapper; empty lists are logged as {}. */
export function itemSet(values: unknown[]): Record<string, unknown> {
  return values.length === 0 ? {} : { items: values };
}
