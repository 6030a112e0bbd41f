/**
 * Reads the EventBridge rules and schedules of every function from serverless.yml, so the lab routes events
 * with exactly the patterns that get deployed. CloudFormation short-form intrinsics (`!GetAtt`, `!Ref`, …)
 * parse to their long form (`{ 'Fn::GetAtt': … }`, `{ Ref: … }`) instead of failing the parse.
 */
import { readFile } from 'node:fs/promises';
import { parse, type Tags } from 'yaml';

export interface FunctionRules {
  functionName: string;
  handler: string;
  patterns: unknown[];
  schedules: { rate: string; input?: unknown }[];
  /** DynamoDB stream sources: the event filter patterns of each (empty: every record). */
  streams?: { filterPatterns: unknown[] }[];
}

const FN_INTRINSICS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'Length',
  'ToJsonString',
] as const;

function longForm(tag: string): string {
  if (tag === 'Ref' || tag === 'Condition') return tag;
  return `Fn::${tag}`;
}

function shortFormValue(tag: string, value: unknown): unknown {
  // `!GetAtt Resource.Attribute` is the scalar shorthand of ['Resource', 'Attribute'].
  if (tag === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot === -1 ? value : [value.slice(0, dot), value.slice(dot + 1)];
  }
  return value;
}

function intrinsicTags(): Tags {
  const tags: Tags = [];
  for (const name of ['Ref', 'Condition', ...FN_INTRINSICS]) {
    const key = longForm(name);
    const toPlain = (node: unknown): unknown =>
      typeof node === 'object' && node !== null && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
    const resolve = (node: unknown) => ({ [key]: shortFormValue(name, toPlain(node)) });
    tags.push({ tag: `!${name}`, resolve });
    tags.push({ tag: `!${name}`, collection: 'seq', resolve });
    tags.push({ tag: `!${name}`, collection: 'map', resolve });
  }
  return tags;
}

export function parseServerlessYaml(text: string): unknown {
  return parse(text, { customTags: intrinsicTags() });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `${param:name}` / `${param:name, 'fallback'}` in a schedule expression, from `params.default`. */
function resolveParams(value: string, params: Record<string, unknown>): string {
  return value.replace(/\$\{param:([\w-]+)(?:,\s*'([^']*)')?\}/g, (whole, name: string, fallback?: string) => {
    const v = params[name];
    return typeof v === 'string' ? v : (fallback ?? whole);
  });
}

function schedulesOf(spec: unknown, params: Record<string, unknown> = {}): FunctionRules['schedules'] {
  if (typeof spec === 'string') return [{ rate: resolveParams(spec, params) }];
  const schedule = asRecord(spec);
  if (!schedule || schedule.enabled === false) return [];
  const rates = Array.isArray(schedule.rate) ? schedule.rate : [schedule.rate];
  return rates
    .filter((rate): rate is string => typeof rate === 'string')
    .map((rate) => resolveParams(rate, params))
    .map((rate) => (schedule.input === undefined ? { rate } : { rate, input: schedule.input }));
}

/** Extracts `functions.*.events[*].eventBridge` patterns and `schedule` events from a parsed serverless.yml. */
export function rulesFromServerlessConfig(config: unknown): FunctionRules[] {
  const functions = asRecord(asRecord(config)?.functions) ?? {};
  const params = asRecord(asRecord(asRecord(config)?.params)?.default) ?? {};
  return Object.entries(functions).map(([functionName, definition]) => {
    const fn = asRecord(definition) ?? {};
    const rules: FunctionRules = {
      functionName,
      handler: typeof fn.handler === 'string' ? fn.handler : '',
      patterns: [],
      schedules: [],
    };
    for (const event of Array.isArray(fn.events) ? fn.events : []) {
      const entry = asRecord(event) ?? {};
      const eventBridge = asRecord(entry.eventBridge);
      if (eventBridge && eventBridge.enabled !== false) {
        if (eventBridge.pattern !== undefined) rules.patterns.push(eventBridge.pattern);
        // An eventBridge event may also carry a schedule instead of a pattern.
        if (typeof eventBridge.schedule === 'string') {
          rules.schedules.push(...schedulesOf({ rate: eventBridge.schedule, input: eventBridge.input }, params));
        }
      }
      if (entry.schedule !== undefined) rules.schedules.push(...schedulesOf(entry.schedule, params));
      const stream = asRecord(entry.stream);
      if (stream && stream.enabled !== false && (stream.type === undefined || stream.type === 'dynamodb')) {
        const filterPatterns = Array.isArray(stream.filterPatterns) ? stream.filterPatterns : [];
        rules.streams = [...(rules.streams ?? []), { filterPatterns }];
      }
    }
    return rules;
  });
}

export async function readServerlessRules(path: string): Promise<FunctionRules[]> {
  return rulesFromServerlessConfig(parseServerlessYaml(await readFile(path, 'utf8')));
}

/** One `eventBridge` pattern rule of serverless.yml with its deployed name. */
export interface NamedRule {
  functionName: string;
  /** `eventBridge.name` with `${self:…}`, `${sls:stage}` resolved; `<service>-<stage>-<function>-rule-<n>` when unnamed. */
  name: string;
  pattern: unknown;
  description?: string;
}

/**
 * Resolves the serverless variables a rule name uses: `${self:<path>}` (a value of the config, resolved in
 * turn) and `${sls:stage}`. Anything else is left as written.
 */
function resolveSelf(value: string, config: Record<string, unknown>, stage: string, depth = 0): string {
  if (depth > 5) return value;
  return value.replace(/\$\{(self:[\w.-]+|sls:stage)\}/g, (whole, ref: string) => {
    if (ref === 'sls:stage') return stage;
    let current: unknown = config;
    for (const part of ref.slice('self:'.length).split('.')) current = asRecord(current)?.[part];
    return typeof current === 'string' ? resolveSelf(current, config, stage, depth + 1) : whole;
  });
}

/**
 * The named EventBridge pattern rules of every function, in the order of `rulesFromServerlessConfig`'s
 * `patterns` (so index i of a function's rules is its pattern i).
 */
export function namedRulesFromServerlessConfig(config: unknown, stage: string): NamedRule[] {
  const root = asRecord(config) ?? {};
  const service = typeof root.service === 'string' ? root.service : 'service';
  const out: NamedRule[] = [];
  for (const [functionName, definition] of Object.entries(asRecord(root.functions) ?? {})) {
    const events = asRecord(definition)?.events;
    let n = 0;
    for (const event of Array.isArray(events) ? events : []) {
      const eventBridge = asRecord(asRecord(event)?.eventBridge);
      if (!eventBridge || eventBridge.enabled === false || eventBridge.pattern === undefined) continue;
      n++;
      const name =
        typeof eventBridge.name === 'string'
          ? resolveSelf(eventBridge.name, root, stage)
          : `${service}-${stage}-${functionName}-rule-${n}`;
      out.push({
        functionName,
        name,
        pattern: eventBridge.pattern,
        ...(typeof eventBridge.description === 'string' ? { description: eventBridge.description } : {}),
      });
    }
  }
  return out;
}
