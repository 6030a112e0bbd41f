/**
 * Defensive readers for CloudTrail request/response bodies. EC2 renders lists as {"items": [...]}, sometimes
 * {"item": [...]}, {} when empty or a single object; Lambda Core key casing (PascalCase vs camelCase) is
 * unverified, so keys are looked up casing-insensitively.
 */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `key` from `obj` trying the exact key, then any key equal ignoring case. Own properties only: a
 * record's "constructor" or "__proto__" is data, never a prototype member.
 */
export function field(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Follows a path of keys with `field`. */
export function path(obj: unknown, ...keys: string[]): unknown {
  let current: unknown = obj;
  for (const key of keys) current = field(current, key);
  return current;
}

export function str(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

/**
 * Lists in any of EC2's CloudTrail renderings: array, {items}, {item}, single object, {} or absent.
 * Recursion follows nested {items: {items: …}} wrappers; ingest bounds input depth (input-limits.ts) first.
 */
export function ec2List(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const inner = field(value, 'items') ?? field(value, 'item');
    if (inner !== undefined) return ec2List(inner);
    return Object.keys(value).length === 0 ? [] : [value];
  }
  return [value];
}

export function strings(value: unknown): string[] {
  return ec2List(value)
    .map((v) => str(v))
    .filter((v): v is string => v !== null);
}

/** Tags from request tagSpecificationSet and/or response tagSet (a Map: tag keys are data, any string). */
export function tagMap(...tagLists: unknown[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const list of tagLists) {
    for (const tag of ec2List(list)) {
      const key = str(field(tag, 'key'));
      const value = str(field(tag, 'value'));
      if (key) tags.set(key, value ?? '');
    }
  }
  return tags;
}
