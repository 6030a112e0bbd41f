/**
 * What every part of the compute world shares: the lab context with a clock that can schedule, the
 * resolved options, and the one place that writes lambda.amazonaws.com CloudTrail records.
 */
import type { Clock } from '../clock.js';
import { buildCloudTrailRecord, type CallerIdentity } from '../trail/record.js';
import { ComputeApiError } from './compute-errors.js';
import type { LabContext } from './contracts.js';

/** The part of VirtualClock the compute world needs: it drives every delayed state change. */
export interface Scheduler extends Clock {
  after(delayMs: number, run: () => void | Promise<void>): () => void;
}

export type ComputeContext = Omit<LabContext, 'clock'> & { clock: Scheduler };

export interface ComputeWorldOptions {
  /** PENDING → ACTIVE (the field notes saw 4–5 minutes). */
  activationDelayMs: number;
  /** LastUpdateStatus InProgress → Successful|Failed. */
  updateDelayMs: number;
  /** DELETING → gone. */
  deletionDelayMs: number;
  /** MicroVM PENDING → RUNNING. */
  microvmStartDelayMs: number;
  /** SUSPENDING → SUSPENDED, TERMINATING → TERMINATED, SUSPENDED → RUNNING on resume. */
  microvmTransitionDelayMs: number;
  /** RunMicrovm/TerminateMicrovm are data events: only a trail with data-event selectors records them. */
  logMicrovmDataEvents: boolean;
}

export const DEFAULT_COMPUTE_OPTIONS: ComputeWorldOptions = {
  activationDelayMs: 270_000,
  updateDelayMs: 180_000,
  deletionDelayMs: 60_000,
  microvmStartDelayMs: 5_000,
  microvmTransitionDelayMs: 1_000,
  logMicrovmDataEvents: true,
};

export const LAMBDA_EVENT_SOURCE = 'lambda.amazonaws.com';

export interface LambdaCall<T> {
  caller: CallerIdentity;
  eventName: string;
  requestParameters: unknown;
  category?: 'Management' | 'Data';
  /** Data events are written only when the trail logs them. */
  record?: boolean;
  run: () => T;
}

/** Runs an API action and writes its CloudTrail record, successful or failed (failures are rethrown). */
export function withTrail<T>(ctx: ComputeContext, call: LambdaCall<T>): T {
  const emit = (responseElements: unknown, error?: ComputeApiError) => {
    if (call.record === false) return;
    ctx.trail.emit(
      buildCloudTrailRecord({
        time: ctx.clock.now(),
        account: ctx.account,
        region: ctx.region,
        caller: call.caller,
        eventSource: LAMBDA_EVENT_SOURCE,
        eventName: call.eventName,
        requestParameters: asTrailObject(call.requestParameters),
        responseElements: asTrailObject(responseElements),
        eventCategory: call.category ?? 'Management',
        ...(error ? { errorCode: error.trailErrorCode, errorMessage: error.message } : {}),
      }),
    );
  };
  try {
    const result = call.run();
    emit(result);
    return result;
  } catch (error) {
    if (error instanceof ComputeApiError) emit(null, error);
    throw error;
  }
}

/** CloudTrail JSON: dates become ISO strings, undefined members vanish, non-objects become null. */
function asTrailObject(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
