/**
 * Monitoring targets: the accounts × regions the central reconcile, canaries and reports cover
 * (docs/organizations.md#targets). Written by users as JSON in EGRESS_WATCH_TARGETS (or `--param targets`);
 * the format only grows.
 *
 *   { "targets": [ { "account": "444455556666", "regions": ["ap-northeast-1", "us-east-1"],
 *                    "roleArn": "arn:aws:iam::444455556666:role/egress-watch-read-only",
 *                    "externalId": "…" } ],
 *     "concurrency": 4 }
 *
 * An entry without `roleArn` is read with the function's own credentials (the central account itself).
 */
// zod/mini: the Lambdas parse this at cold start (docs/ingest.md, cold start).
import * as z from 'zod/mini';
import { InputError } from './errors.js';

/** One account/region to watch, and how to read it. */
export interface MonitorTarget {
  /** 12-digit AWS account id. */
  account: string;
  /** AWS region code, e.g. `ap-northeast-1`. */
  region: string;
  /** The member's read-only role (deploy/member-account.yml `ReadOnlyRole`); null: the caller's own credentials. */
  roleArn: string | null;
  /** `sts:ExternalId` the role's trust policy requires; null: none. */
  externalId: string | null;
}

/** The parsed document: every account × region pair, and how many to work on at once. */
export interface MonitorTargets {
  targets: MonitorTarget[];
  /** Targets read concurrently (default 4): AWS rate limits are per account/region, the table is shared. */
  concurrency: number;
}

/** Default concurrency across targets. */
export const DEFAULT_TARGET_CONCURRENCY = 4;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
// IAM role ARN per the IAM User Guide "IAM identifiers" (arn:partition:iam::account:role/path/name).
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

const TargetSchema = z.strictObject(
  {
    account: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
    regions: z
      .array(z.string().check(z.regex(REGION, 'must be AWS region codes like ap-northeast-1')))
      .check(z.minLength(1, 'must name at least one region')),
    roleArn: z.optional(
      z.string().check(z.regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')),
    ),
    externalId: z.optional(
      // sts:AssumeRole ExternalId: 2–1,224 characters of [\w+=,.@:/-] (STS API reference, AssumeRole).
      z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2–1,224 characters of letters, digits and +=,.@:/-')),
    ),
  },
  { error: 'must be an object with only account, regions, roleArn and externalId' },
);

const TargetsSchema = z.strictObject(
  {
    targets: z.array(TargetSchema, { error: 'must be a list' }).check(z.minLength(1, 'must list at least one account')),
    concurrency: z.optional(
      z
        .number({ error: 'must be a number' })
        .check(z.int(), z.minimum(1, 'must be 1 to 64'), z.maximum(64, 'must be 1 to 64')),
    ),
  },
  { error: 'must be an object with only targets and concurrency' },
);

/**
 * Parses and validates a targets document (already JSON-decoded), expanding accounts × regions.
 * @throws InputError naming every problem with its path (`targets.1.regions.0 …`), a role ARN of another
 *   account than its entry, or the same account/region listed twice.
 */
export function parseTargets(value: unknown, where = 'EGRESS_WATCH_TARGETS'): MonitorTargets {
  const parsed = TargetsSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${[where, ...i.path].join('.')} ${i.message}`).join('; ');
    throw new InputError(`invalid targets: ${problems}`);
  }
  const targets: MonitorTarget[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of parsed.data.targets.entries()) {
    const roleAccount = entry.roleArn ? ROLE_ARN.exec(entry.roleArn)?.[1] : undefined;
    if (roleAccount !== undefined && roleAccount !== entry.account) {
      throw new InputError(
        `invalid targets: ${where}.targets.${index}.roleArn is a role of account ${roleAccount}, not of ${entry.account}`,
      );
    }
    for (const region of entry.regions) {
      const key = `${entry.account}/${region}`;
      if (seen.has(key)) throw new InputError(`invalid targets: ${where} lists ${key} twice`);
      seen.add(key);
      targets.push({
        account: entry.account,
        region,
        roleArn: entry.roleArn ?? null,
        externalId: entry.externalId ?? null,
      });
    }
  }
  return { targets, concurrency: parsed.data.concurrency ?? DEFAULT_TARGET_CONCURRENCY };
}

/**
 * Parses EGRESS_WATCH_TARGETS text (JSON). Empty or absent: null (the function watches its own account and
 * region only).
 * @throws InputError for text that is not JSON or not a valid document.
 */
export function parseTargetsText(text: string | undefined, where = 'EGRESS_WATCH_TARGETS'): MonitorTargets | null {
  if (text === undefined || text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`invalid targets: ${where} is not JSON (${(error as Error).message})`, { cause: error });
  }
  return parseTargets(value, where);
}

/** `account/region`, the label used in logs, metrics and summaries. */
export function targetLabel(target: Pick<MonitorTarget, 'account' | 'region'>): string {
  return `${target.account}/${target.region}`;
}
