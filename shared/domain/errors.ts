/**
 * One small error hierarchy for the whole product (docs/architecture.md#errors). Every class takes an
 * optional `cause` (ES2022 `Error.cause`) so the original fault travels with the explanation. Bad events are
 * not errors: they are quarantined with their reason. Pure: usable from every layer.
 */

/** Options every egress-watch error takes: `cause` is the underlying error, kept for logs and `--verbose`. */
export interface EgressWatchErrorOptions {
  cause?: unknown;
}

/** Base class: something egress-watch itself reports, with a message written for the person reading it. */
export class EgressWatchError extends Error {
  constructor(message: string, options: EgressWatchErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
  }
}

/** The command line is wrong (unknown command, missing argument, malformed flag value). CLI exit code 2. */
export class UsageError extends EgressWatchError {}

/** An environment variable is missing or malformed; the message names each variable and why. Exit code 2. */
export class ConfigError extends EgressWatchError {}

/** A file or input given to a command cannot be read or parsed (the message names the path). Exit code 1. */
export class InputError extends EgressWatchError {}

/**
 * A dependency (AWS API, DynamoDB, DynamoDB Local, the lab edge) failed after its retries; the message says
 * which call and how far the run got, `cause` holds the SDK error. Exit code 1.
 */
export class DependencyError extends EgressWatchError {}

/** Process exit code for an error ending a CLI run: 2 for usage and configuration mistakes, 1 otherwise. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
}
