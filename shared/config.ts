/**
 * Environment, read once, validated and frozen. A missing or malformed variable fails loudly at cold start
 * instead of shipping a Lambda that writes to the wrong table or accepts every account.
 */
import { z } from 'zod';

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

export interface Config {
  tableName: string;
  allowedAccounts: ReadonlySet<string>;
  dynamodbEndpoint: string | undefined;
  region: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

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
