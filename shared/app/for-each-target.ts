/**
 * Runs one piece of work per monitoring target (account × region), a bounded number at once, and never lets
 * one target's failure stop the others (docs/organizations.md#targets): each target ends `ok` with its value
 * or `failed` with its error, in the order the targets were given.
 */
import pMap from 'p-map';
import type { MonitorTarget } from '../domain/targets.js';

/** One target's outcome. */
export type TargetOutcome<T> =
  | { target: MonitorTarget; ok: true; value: T }
  | { target: MonitorTarget; ok: false; error: unknown };

/**
 * Calls `work` for every target, at most `concurrency` at once (p-map). Never rejects: a rejection of `work`
 * becomes that target's `{ ok: false, error }`.
 */
export async function forEachTarget<T>(
  targets: readonly MonitorTarget[],
  concurrency: number,
  work: (target: MonitorTarget) => Promise<T>,
): Promise<TargetOutcome<T>[]> {
  return pMap(
    targets,
    async (target): Promise<TargetOutcome<T>> => {
      try {
        return { target, ok: true, value: await work(target) };
      } catch (error) {
        return { target, ok: false, error };
      }
    },
    { concurrency: Math.max(1, concurrency) },
  );
}

/** A short, specific text for a target's failure: the AWS error name and message (no stack). */
export function describeTargetError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    return `${name}${error.message}`;
  }
  return String(error);
}
