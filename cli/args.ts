/**
 * Command-line parsing for the CLI: node's `parseArgs`, with its errors (unknown option, missing value,
 * unexpected argument) turned into UsageError so the command exits 2 with the usage text, not a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../shared/domain/errors.js';

/** `parseArgs(config)`; @throws UsageError (with the parser's error as `cause`) on a malformed command line. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * A numeric flag value.
 * @throws UsageError naming the flag and the accepted range when `text` is not a finite number in range.
 */
export function numberFlag(
  flag: string,
  text: string | undefined,
  check: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean; meaning: string },
): number {
  const value = Number(text);
  const tooSmall = check.min !== undefined && (check.exclusiveMin ? value <= check.min : value < check.min);
  const tooLarge = check.max !== undefined && value > check.max;
  if (
    text === undefined ||
    text.trim() === '' ||
    !Number.isFinite(value) ||
    tooSmall ||
    tooLarge ||
    (check.integer && !Number.isInteger(value))
  )
    throw new UsageError(`--${flag} ${text ?? ''}: ${check.meaning}`.replace(/ {2,}/g, ' '));
  return value;
}
