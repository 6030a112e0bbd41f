/**
 * Environment, read once, validated and frozen. A missing or malformed variable fails loudly at cold start
 * instead of shipping a Lambda that writes to the wrong table or accepts every account. The CLI reads the
 * same variables through `loadCliConfig`, where each is optional (docs/architecture.md#configuration).
 */
import { z } from 'zod';
import { ConfigError } from './domain/errors.js';

export { ConfigError };

const accountList = z
  .string({ message: 'is required (comma-separated 12-digit AWS account ids)' })
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(z.string().regex(/^\d{12}$/, 'must be 12-digit AWS account ids')).min(1, 'must name at least one account'),
  );

const ConfigSchema = z.object({
  EGRESS_WATCH_TABLE: z
    .string({ message: 'is required (the DynamoDB table name)' })
    .min(3, 'must be at least 3 characters (a DynamoDB table name)'),
  EGRESS_WATCH_ALLOWED_ACCOUNTS: accountList,
  EGRESS_WATCH_DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string({ message: 'is required' }).min(1),
});

/** The Lambdas' configuration (all required except the DynamoDB endpoint override). */
export interface Config {
  tableName: string;
  allowedAccounts: ReadonlySet<string>;
  dynamodbEndpoint: string | undefined;
  region: string;
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
  });
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
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const CliConfigSchema = z.object({
  EGRESS_WATCH_TABLE: optional(z.string().min(3, 'must be at least 3 characters (a DynamoDB table name)')),
  EGRESS_WATCH_ALLOWED_ACCOUNTS: optional(accountList),
  EGRESS_WATCH_DYNAMODB_ENDPOINT: optional(z.url()),
  AWS_REGION: optional(z.string().min(1)),
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
