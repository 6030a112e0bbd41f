/**
 * Environment, read once, validated and frozen. A missing or malformed variable fails loudly at cold start
 * instead of shipping a Lambda that writes to the wrong table or accepts every account. The CLI reads the
 * same variables through `loadCliConfig`, where each is optional (docs/architecture.md#configuration).
 */
// zod/mini, with every message written here: the full zod and its locales cost the Lambdas' cold start
// (docs/ingest.md, cold start).
import * as z from 'zod/mini';
import { ConfigError, InputError } from './domain/errors.js';
import { type MonitorTargets, parseTargetsText } from './domain/targets.js';

export { ConfigError };

const accountList = z.pipe(
  z.pipe(
    z.string({ error: 'is required (comma-separated 12-digit AWS account ids)' }),
    z.transform((value) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ),
  z
    .array(z.string().check(z.regex(/^\d{12}$/, 'must be 12-digit AWS account ids')))
    .check(z.minLength(1, 'must name at least one account')),
);

const tableName = (required: string) =>
  z.string({ error: required }).check(z.minLength(3, 'must be at least 3 characters (a DynamoDB table name)'));
const endpointUrl = z.url({ error: 'must be a URL (http://127.0.0.1:8000)' });

const ConfigSchema = z.object({
  EGRESS_WATCH_TABLE: tableName('is required (the DynamoDB table name)'),
  EGRESS_WATCH_ALLOWED_ACCOUNTS: accountList,
  EGRESS_WATCH_DYNAMODB_ENDPOINT: z.optional(endpointUrl),
  AWS_REGION: z.string({ error: 'is required' }).check(z.minLength(1, 'is required')),
});

/** The Lambdas' configuration (all required except the DynamoDB endpoint override). */
export interface Config {
  tableName: string;
  allowedAccounts: ReadonlySet<string>;
  dynamodbEndpoint: string | undefined;
  region: string;
  /**
   * EGRESS_WATCH_TARGETS: the accounts × regions reconcile and canaries read (docs/organizations.md#targets);
   * null when unset: the function's own account and region only.
   */
  targets: MonitorTargets | null;
}

/**
 * Reads and validates the Lambdas' environment.
 * @throws ConfigError naming every missing or malformed variable and why.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  return Object.freeze({
    tableName: c.EGRESS_WATCH_TABLE,
    allowedAccounts: new Set(c.EGRESS_WATCH_ALLOWED_ACCOUNTS),
    dynamodbEndpoint: c.EGRESS_WATCH_DYNAMODB_ENDPOINT,
    region: c.AWS_REGION,
    targets: loadTargets(env),
  });
}

/**
 * EGRESS_WATCH_TARGETS, parsed (JSON; docs/organizations.md#targets); null when unset or empty.
 * @throws ConfigError with every problem of the document and its path.
 */
export function loadTargets(env: Record<string, string | undefined>): MonitorTargets | null {
  try {
    return parseTargetsText(env.EGRESS_WATCH_TARGETS);
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(`invalid configuration: ${error.message}`, { cause: error });
    throw error;
  }
}

/** What the CLI reads from the environment; every variable is optional there (flags and defaults decide). */
export interface CliConfig {
  /** EGRESS_WATCH_TABLE: the table to use on DynamoDB Local (default: a fresh one per run). */
  tableName: string | undefined;
  /** EGRESS_WATCH_ALLOWED_ACCOUNTS: the replay allow-list when no `--allow-account` is given. */
  allowedAccounts: ReadonlySet<string> | undefined;
  /** EGRESS_WATCH_DYNAMODB_ENDPOINT: a running DynamoDB (Local) to use instead of starting one. */
  dynamodbEndpoint: string | undefined;
  /** AWS_REGION, default `us-east-1`. */
  region: string;
}

/** An empty variable counts as unset, as shells make it easy to export one by accident. */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

const CliConfigSchema = z.object({
  EGRESS_WATCH_TABLE: optional(tableName('must be a string')),
  EGRESS_WATCH_ALLOWED_ACCOUNTS: optional(accountList),
  EGRESS_WATCH_DYNAMODB_ENDPOINT: optional(endpointUrl),
  AWS_REGION: optional(z.string().check(z.minLength(1, 'must not be empty'))),
});

/**
 * Reads and validates the CLI's environment.
 * @throws ConfigError naming every malformed variable and why (the CLI exits 2).
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): Readonly<CliConfig> {
  const parsed = CliConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  return Object.freeze({
    tableName: c.EGRESS_WATCH_TABLE,
    allowedAccounts: c.EGRESS_WATCH_ALLOWED_ACCOUNTS ? new Set(c.EGRESS_WATCH_ALLOWED_ACCOUNTS) : undefined,
    dynamodbEndpoint: c.EGRESS_WATCH_DYNAMODB_ENDPOINT,
    region: c.AWS_REGION ?? 'us-east-1',
  });
}
