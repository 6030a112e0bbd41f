/**
 * EventBridge event-pattern matching for the lab bus (content filtering as the EventBridge user guide
 * describes it). Matching walks the pattern and the event together:
 * - keys are AND-ed, the values of a leaf array are OR-ed, `$or` OR-s whole sub-patterns;
 * - an event array matches when any of its elements matches (objects inside arrays are tried one element at a
 *   time, so two conditions must hold on the same element);
 * - operators only look at leaf values (strings, numbers, booleans, null): an object is not a leaf, so
 *   `exists: true` does not match it and `exists: false` does.
 */

type PlainObject = Record<string, unknown>;
type Leaf = string | number | boolean | null;

const MAX_PATTERN_LENGTH = 4096;
/** Numeric matching is documented for values between -5.0e9 and +5.0e9 inclusive. */
const NUMERIC_LIMIT = 5e9;
const STRING_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function flatten(values: unknown[]): unknown[] {
  return values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));
}

/** The leaf values at a field: none when absent or an object, all leaf elements of an array. */
function leafValues(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return flatten(value).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function ownField(container: PlainObject | undefined, key: string): unknown {
  return container && Object.hasOwn(container, key) ? container[key] : undefined;
}

// ---------------------------------------------------------------------------------------------- matching

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return isPlainObject(pattern) && matchObject(pattern, event);
}

function matchObject(pattern: PlainObject, value: unknown): boolean {
  if (Array.isArray(value)) {
    const candidates = flatten(value).filter(isPlainObject);
    if (candidates.length === 0) return matchFields(pattern, undefined);
    return candidates.some((candidate) => matchFields(pattern, candidate));
  }
  return matchFields(pattern, isPlainObject(value) ? value : undefined);
}

function matchFields(pattern: PlainObject, container: PlainObject | undefined): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(sub)) {
      if (!sub.some((alternative) => isPlainObject(alternative) && matchFields(alternative, container))) return false;
      continue;
    }
    const field = ownField(container, key);
    if (Array.isArray(sub)) {
      if (!matchLeafField(sub, field)) return false;
    } else if (isPlainObject(sub)) {
      if (!matchObject(sub, field)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchLeafField(matchers: unknown[], field: unknown): boolean {
  const leaves = leafValues(field);
  return matchers.some((matcher) => matchOne(matcher, leaves));
}

function matchOne(matcher: unknown, leaves: Leaf[]): boolean {
  if (isLeaf(matcher)) return leaves.some((leaf) => leaf === matcher);
  if (!isPlainObject(matcher)) return false;
  if ('exists' in matcher) return matcher.exists === leaves.length > 0;
  if ('anything-but' in matcher) {
    const excluded = exclusionTest(matcher['anything-but']);
    return leaves.some((leaf) => !excluded(leaf));
  }
  if ('numeric' in matcher) {
    const test = numericTest(matcher.numeric);
    return leaves.some((leaf) => typeof leaf === 'number' && test(leaf));
  }
  if ('cidr' in matcher) {
    const test = cidrTest(matcher.cidr);
    return leaves.some((leaf) => typeof leaf === 'string' && test(leaf));
  }
  const test = stringOperatorTest(matcher);
  return test !== undefined && leaves.some((leaf) => typeof leaf === 'string' && test(leaf));
}

function stringOperatorTest(matcher: PlainObject): ((value: string) => boolean) | undefined {
  const prefix = matcher.prefix;
  if (typeof prefix === 'string') return (value) => value.startsWith(prefix);
  if (isPlainObject(prefix) && typeof prefix['equals-ignore-case'] === 'string') {
    const wanted = prefix['equals-ignore-case'].toLowerCase();
    return (value) => value.toLowerCase().startsWith(wanted);
  }
  const suffix = matcher.suffix;
  if (typeof suffix === 'string') return (value) => value.endsWith(suffix);
  if (isPlainObject(suffix) && typeof suffix['equals-ignore-case'] === 'string') {
    const wanted = suffix['equals-ignore-case'].toLowerCase();
    return (value) => value.toLowerCase().endsWith(wanted);
  }
  const ignoringCase = matcher['equals-ignore-case'];
  if (typeof ignoringCase === 'string') {
    const wanted = ignoringCase.toLowerCase();
    return (value) => value.toLowerCase() === wanted;
  }
  if (typeof matcher.wildcard === 'string') {
    const expression = wildcardExpression(matcher.wildcard);
    return (value) => expression.test(value);
  }
  return undefined;
}

/** Returns whether a leaf is one of the values `anything-but` excludes. */
function exclusionTest(spec: unknown): (leaf: Leaf) => boolean {
  if (isLeaf(spec)) return (leaf) => leaf === spec;
  if (Array.isArray(spec)) return (leaf) => spec.includes(leaf);
  if (!isPlainObject(spec)) return () => false;
  const ignoringCase = spec['equals-ignore-case'];
  const wildcard = spec.wildcard;
  // Lists of equals-ignore-case / wildcard values exclude any of them.
  let stringExclusion: ((value: string) => boolean) | undefined;
  if (Array.isArray(ignoringCase)) {
    const lowered = ignoringCase.map((item) => String(item).toLowerCase());
    stringExclusion = (value) => lowered.includes(value.toLowerCase());
  } else if (Array.isArray(wildcard)) {
    const expressions = wildcard.map((item) => wildcardExpression(String(item)));
    stringExclusion = (value) => expressions.some((expression) => expression.test(value));
  } else {
    stringExclusion = stringOperatorTest(spec);
  }
  // Non-string leaves never equal a string filter, so anything-but lets them through.
  return (leaf) => typeof leaf === 'string' && stringExclusion !== undefined && stringExclusion(leaf);
}

function numericTest(spec: unknown): (value: number) => boolean {
  if (!Array.isArray(spec)) return () => false;
  const conditions: Array<(value: number) => boolean> = [];
  for (let index = 0; index + 1 < spec.length; index += 2) {
    const operator = spec[index];
    const bound = spec[index + 1];
    if (typeof bound !== 'number') return () => false;
    switch (operator) {
      case '=':
        conditions.push((value) => value === bound);
        break;
      case '<':
        conditions.push((value) => value < bound);
        break;
      case '<=':
        conditions.push((value) => value <= bound);
        break;
      case '>':
        conditions.push((value) => value > bound);
        break;
      case '>=':
        conditions.push((value) => value >= bound);
        break;
      default:
        return () => false;
    }
  }
  return (value) => conditions.length > 0 && conditions.every((condition) => condition(value));
}

const wildcardCache = new Map<string, RegExp>();

/** `*` matches any run of characters (also none); `\*` is a literal star and `\\` a literal backslash. */
function wildcardExpression(wildcard: string): RegExp {
  const cached = wildcardCache.get(wildcard);
  if (cached) return cached;
  let source = '';
  for (let index = 0; index < wildcard.length; index++) {
    const char = wildcard[index] as string;
    if (char === '\\' && index + 1 < wildcard.length) {
      source += escapeRegExp(wildcard[++index] as string);
    } else if (char === '*') {
      source += '.*';
    } else {
      source += escapeRegExp(char);
    }
  }
  const expression = new RegExp(`^${source}$`, 's');
  wildcardCache.set(wildcard, expression);
  return expression;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// ------------------------------------------------------------------------------------------- IP ranges

interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let embeddedIpv4: bigint | undefined;
  // An IPv4 tail (e.g. ::ffff:10.0.0.1) fills the last two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    embeddedIpv4 = parseIpv4(text.slice(lastColon + 1));
    if (embeddedIpv4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = toGroups(halves[0]);
  const right = toGroups(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  if (embeddedIpv4 !== undefined) value = (value & ~0xffffffffn) | embeddedIpv4;
  return value;
}

function parseAddress(text: string): ParsedAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

interface ParsedCidr {
  family: 4 | 6;
  network: bigint;
  mask: bigint;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const [address, length, extra] = text.split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const width = parsed.family === 4 ? 32 : 128;
  const prefixLength = length === undefined ? width : /^\d{1,3}$/.test(length) ? Number(length) : Number.NaN;
  if (!(prefixLength >= 0 && prefixLength <= width)) return undefined;
  const all = (1n << BigInt(width)) - 1n;
  const mask = all ^ ((1n << BigInt(width - prefixLength)) - 1n);
  return { family: parsed.family, network: parsed.value & mask, mask };
}

function cidrTest(spec: unknown): (value: string) => boolean {
  const cidr = typeof spec === 'string' ? parseCidr(spec) : undefined;
  if (!cidr) return () => false;
  return (value) => {
    const address = parseAddress(value);
    return address !== undefined && address.family === cidr.family && (address.value & cidr.mask) === cidr.network;
  };
}

// -------------------------------------------------------------------------------------------- validation

/** Returns every problem EventBridge would reject the pattern for (empty when the pattern is valid). */
export function validatePattern(pattern: unknown): string[] {
  if (!isPlainObject(pattern)) return ['pattern must be a JSON object'];
  const errors: string[] = [];
  const length = JSON.stringify(pattern).length;
  if (length > MAX_PATTERN_LENGTH) errors.push(`pattern is ${length} characters; the limit is ${MAX_PATTERN_LENGTH}`);
  if (Object.keys(pattern).length === 0) errors.push('pattern must name at least one field');
  validateObject(pattern, '', errors);
  return errors;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function validateObject(pattern: PlainObject, path: string, errors: string[]): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const here = join(path, key);
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isPlainObject)) {
        errors.push(`${here}: must be an array of at least two pattern objects`);
        continue;
      }
      sub.forEach((alternative, index) => {
        if (Object.keys(alternative).length === 0) errors.push(`${here}[${index}]: empty alternative`);
        validateObject(alternative, `${here}[${index}]`, errors);
      });
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) errors.push(`${here}: empty arrays are not allowed (they match nothing)`);
      sub.forEach((matcher, index) => {
        validateMatcher(matcher, `${here}[${index}]`, errors);
      });
    } else if (isPlainObject(sub)) {
      if (Object.keys(sub).length === 0) errors.push(`${here}: empty object`);
      validateObject(sub, here, errors);
    } else {
      errors.push(`${here}: must be an array of values or a nested object, got ${JSON.stringify(sub)}`);
    }
  }
}

function validateMatcher(matcher: unknown, path: string, errors: string[]): void {
  if (isLeaf(matcher)) return;
  if (!isPlainObject(matcher)) {
    errors.push(`${path}: arrays cannot be nested in a pattern`);
    return;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    errors.push(`${path}: a filter object needs exactly one operator, got ${keys.length ? keys.join(', ') : 'none'}`);
    return;
  }
  const operator = keys[0] as string;
  const operand = matcher[operator];
  const at = `${path}.${operator}`;
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (!isStringOrIgnoringCase(operand)) errors.push(`${at}: must be a string or {"equals-ignore-case": string}`);
      break;
    case 'equals-ignore-case':
      if (typeof operand !== 'string') errors.push(`${at}: must be a string`);
      break;
    case 'wildcard':
      if (typeof operand !== 'string') errors.push(`${at}: must be a string`);
      else validateWildcard(operand, at, errors);
      break;
    case 'exists':
      if (typeof operand !== 'boolean') errors.push(`${at}: must be true or false`);
      break;
    case 'numeric':
      validateNumeric(operand, at, errors);
      break;
    case 'cidr':
      if (typeof operand !== 'string' || !parseCidr(operand)) errors.push(`${at}: not an IPv4 or IPv6 CIDR block`);
      break;
    case 'anything-but':
      validateAnythingBut(operand, at, errors);
      break;
    default:
      errors.push(`${path}: unknown operator "${operator}"`);
  }
}

function isStringOrIgnoringCase(operand: unknown): boolean {
  if (typeof operand === 'string') return true;
  return (
    isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string'
  );
}

function validateWildcard(wildcard: string, at: string, errors: string[]): void {
  if (/(?<!\\)\*\*/.test(wildcard)) errors.push(`${at}: consecutive wildcard characters are not allowed`);
  for (let index = 0; index < wildcard.length; index++) {
    if (wildcard[index] !== '\\') continue;
    const next = wildcard[index + 1];
    if (next !== '*' && next !== '\\') {
      errors.push(`${at}: a backslash may only escape "*" or "\\"`);
      return;
    }
    index++;
  }
}

function validateNumeric(operand: unknown, at: string, errors: string[]): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    errors.push(`${at}: must be [operator, number] or [lower operator, number, upper operator, number]`);
    return;
  }
  const operators: string[] = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    if (typeof operator !== 'string' || !['=', '<', '<=', '>', '>='].includes(operator)) {
      errors.push(`${at}: unknown numeric operator ${JSON.stringify(operator)}`);
      return;
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      errors.push(`${at}: ${operator} needs a number, got ${JSON.stringify(bound)}`);
      return;
    }
    if (Math.abs(bound) > NUMERIC_LIMIT) errors.push(`${at}: ${bound} is outside -5.0e9..5.0e9`);
    operators.push(operator);
  }
  if (operators.length === 2) {
    const [first, second] = operators as [string, string];
    const lower = LOWER_BOUNDS.has(first) ? 1 : LOWER_BOUNDS.has(second) ? 3 : -1;
    const upper = UPPER_BOUNDS.has(first) ? 1 : UPPER_BOUNDS.has(second) ? 3 : -1;
    if (lower === -1 || upper === -1) {
      errors.push(`${at}: a range needs one lower bound (> or >=) and one upper bound (< or <=)`);
    } else if ((operand[lower] as number) >= (operand[upper] as number)) {
      errors.push(`${at}: the lower bound must be below the upper bound`);
    }
  }
}

function validateAnythingBut(operand: unknown, at: string, errors: string[]): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every((item) => typeof item === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      errors.push(`${at}: a list must hold only strings or only numbers`);
    }
    return;
  }
  if (!isPlainObject(operand) || Object.keys(operand).length !== 1) {
    errors.push(`${at}: must be a string, a number, a list, or one of {prefix|suffix|equals-ignore-case|wildcard}`);
    return;
  }
  const [operator, value] = Object.entries(operand)[0] as [string, unknown];
  if (!(STRING_OPERATORS as readonly string[]).includes(operator)) {
    errors.push(`${at}: unsupported inside anything-but: "${operator}"`);
    return;
  }
  // prefix and suffix take one string; equals-ignore-case and wildcard also take a list.
  const listAllowed = operator === 'equals-ignore-case' || operator === 'wildcard';
  const values = typeof value === 'string' ? [value] : listAllowed && Array.isArray(value) ? value : [];
  if (values.length === 0 || !values.every((item) => typeof item === 'string')) {
    errors.push(`${at}.${operator}: must be a string${listAllowed ? ' or a non-empty list of strings' : ''}`);
    return;
  }
  if (operator === 'wildcard') {
    for (const wildcard of values) validateWildcard(wildcard, `${at}.wildcard`, errors);
  }
}
