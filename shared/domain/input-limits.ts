/**
 * Explicit limits on what ingest accepts, and the bounded walks that enforce them without recursion on
 * untrusted input. Every rejection names the limit it hit (`LimitName`), so a quarantined event says why.
 * The numbers and their sources are listed in docs/ingest.md.
 */

/** The limits, in bytes (UTF-8) or levels. */
export const INPUT_LIMITS = {
  /**
   * A whole event, serialized as JSON. EventBridge refuses PutEvents entries over 256 KB
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html), so a bigger event
   * cannot have come from EventBridge.
   */
  eventBytes: 256 * 1024,
  /** Nesting of objects and arrays (the envelope is level 1). Real CloudTrail events nest about 10 deep. */
  depth: 32,
  /**
   * `detail.eventID`. CloudTrail ids are 36-character UUIDs; the event log keys the event by it and a
   * DynamoDB sort key holds at most 1,024 bytes
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
   */
  eventIdBytes: 128,
  /** `detail.eventName` and `detail.eventSource` (API and service names are short). */
  nameBytes: 128,
  /** `detail.awsRegion` and the envelope's `region` (AWS region names are under 20 characters). */
  regionBytes: 32,
  /**
   * A normalized event as the log stores it (JSON). A DynamoDB item holds at most 400 KB; this leaves room
   * for keys and attributes next to it.
   */
  storedEventBytes: 300 * 1024,
} as const;

/** Which limit an input hit; quoted in the rejection reason. */
export type LimitName = keyof typeof INPUT_LIMITS | 'unicode' | 'json';

/** A limit violation: the limit's name and a sentence saying where and by how much. */
export interface LimitViolation {
  limit: LimitName;
  error: string;
}

/** UTF-8 byte length of a string (lone surrogates count as the 3-byte U+FFFD they become on the wire). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a surrogate pair.
 * Returns `text` itself when it fits.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || utf8Bytes(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    let width = code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    let units = 1;
    if (code >= 0xd800 && code <= 0xdbff && end + 1 < text.length) {
      const next = text.charCodeAt(end + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 4;
        units = 2;
      }
    }
    if (bytes + width > maxBytes) break;
    bytes += width;
    end += units;
  }
  return text.slice(0, end);
}

/** `text` cut to `maxBytes` of UTF-8 with a marker saying how big it was, for reasons and displays. */
export function clipText(text: string, maxBytes: number): string {
  const cut = truncateUtf8(text, maxBytes);
  return cut === text ? text : `${cut}…[${utf8Bytes(text)} bytes, cut to ${maxBytes}]`;
}

/** Index of the first lone surrogate in `text`, or -1 when it is well-formed UTF-16 (encodable as UTF-8). */
export function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (code >= 0xdc00 && code <= 0xdfff) return i;
  }
  return -1;
}

const MAX_PATH_SEGMENT = 40;

function showPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(event)';
  return path.map((p) => (typeof p === 'string' ? clipText(p, MAX_PATH_SEGMENT) : String(p))).join('.');
}

interface Pending {
  value: unknown;
  path: (string | number)[];
}

/**
 * Walks a parsed JSON value with an explicit stack (no recursion): checks the nesting depth and that every
 * key and string is well-formed Unicode, then the serialized size. Returns the first violation, or null.
 * Values JSON cannot represent (functions, bigint, cycles) are violations of limit `json` (cycles show as
 * `depth`).
 */
export function checkInputShape(value: unknown): LimitViolation | null {
  const stack: Pending[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as Pending;
    if (typeof current === 'string') {
      const at = loneSurrogateAt(current);
      if (at >= 0) {
        return {
          limit: 'unicode',
          error: `${showPath(path)}: string is not well-formed Unicode (lone surrogate at index ${at})`,
        };
      }
      continue;
    }
    if (typeof current === 'bigint' || typeof current === 'function' || typeof current === 'symbol') {
      return { limit: 'json', error: `${showPath(path)}: a ${typeof current} is not a JSON value` };
    }
    if (typeof current !== 'object' || current === null) continue;
    const depth = path.length + 1;
    if (depth > INPUT_LIMITS.depth) {
      return {
        limit: 'depth',
        error: `${showPath(path)}: nested deeper than ${INPUT_LIMITS.depth} levels (limit depth)`,
      };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    for (const key of Object.keys(current)) {
      const at = loneSurrogateAt(key);
      if (at >= 0) {
        return {
          limit: 'unicode',
          error: `${showPath(path)}: key is not well-formed Unicode (lone surrogate at index ${at})`,
        };
      }
      stack.push({ value: (current as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  let bytes: number;
  try {
    bytes = utf8Bytes(JSON.stringify(value) ?? '');
  } catch (error) {
    return { limit: 'json', error: `(event): not serializable as JSON (${(error as Error).message})` };
  }
  if (bytes > INPUT_LIMITS.eventBytes) {
    return {
      limit: 'eventBytes',
      error: `(event): ${bytes} bytes of JSON, over the ${INPUT_LIMITS.eventBytes}-byte EventBridge event limit (limit eventBytes)`,
    };
  }
  return null;
}

/** Checks one string field's UTF-8 size; the violation names the field, its size and the limit. */
export function checkFieldBytes(
  field: string,
  value: string,
  limit: 'eventIdBytes' | 'nameBytes' | 'regionBytes',
): LimitViolation | null {
  const bytes = utf8Bytes(value);
  if (bytes <= INPUT_LIMITS[limit]) return null;
  return {
    limit,
    error: `${field}: ${bytes} bytes, over the ${INPUT_LIMITS[limit]}-byte limit (limit ${limit})`,
  };
}

/**
 * JSON text of any value, for the quarantine: never throws and never recurses deeper than `maxDepth`;
 * deeper parts become the string "…[nested deeper than N levels]". Unserializable values become a
 * descriptive string instead of "[object Object]".
 */
export function boundedStringify(value: unknown, maxDepth = INPUT_LIMITS.depth): string {
  const seen = new Set<object>();
  const clip = (current: unknown, depth: number): unknown => {
    if (typeof current === 'bigint') return `${current.toString()}n`;
    if (typeof current === 'function' || typeof current === 'symbol') return `[${typeof current}]`;
    if (typeof current !== 'object' || current === null) return current;
    if (depth >= maxDepth) return `…[nested deeper than ${maxDepth} levels]`;
    if (seen.has(current)) return '[circular]';
    seen.add(current);
    const out = Array.isArray(current)
      ? current.map((item) => clip(item, depth + 1))
      : Object.fromEntries(Object.entries(current).map(([k, v]) => [k, clip(v, depth + 1)]));
    seen.delete(current);
    return out;
  };
  try {
    return JSON.stringify(clip(value, 0)) ?? String(value);
  } catch (error) {
    return `[not serializable: ${(error as Error).message}]`;
  }
}
