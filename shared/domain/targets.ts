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

/** An own-account target (the function's credentials, no member role). */
export function ownTarget(account: string, region: string): MonitorTarget {
  return { account, region, roleArn: null, externalId: null, canaryRoleArn: null };
}

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
  /**
   * The canary role of the target (deploy/member-account.yml `CanaryRole`, created with `EnableCanaries`):
   * runs canary MicroVMs there. null: canaries run in this target only when it is the function's own account
   * and region.
   */
  canaryRoleArn: string | null;
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
    canaryRoleArn: z.optional(
      z.string().check(z.regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)')),
    ),
    externalId: z.optional(
      // sts:AssumeRole ExternalId: 2–1,224 characters of [\w+=,.@:/-] (STS API reference, AssumeRole).
      z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2–1,224 characters of letters, digits and +=,.@:/-')),
    ),
  },
  { error: 'must be an object with only account, regions, roleArn, externalId and canaryRoleArn' },
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
    for (const field of ['roleArn', 'canaryRoleArn'] as const) {
      const arn = entry[field];
      const roleAccount = arn ? ROLE_ARN.exec(arn)?.[1] : undefined;
      if (roleAccount !== undefined && roleAccount !== entry.account) {
        throw new InputError(
          `invalid targets: ${where}.targets.${index}.${field} is a role of account ${roleAccount}, not of ${entry.account}`,
        );
      }
    }
    if (entry.externalId !== undefined && entry.roleArn === undefined && entry.canaryRoleArn === undefined) {
      throw new InputError(
        `invalid targets: ${where}.targets.${index}.externalId is set but the entry has no roleArn or canaryRoleArn to assume`,
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
        canaryRoleArn: entry.canaryRoleArn ?? null,
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

/**
 * The targets canaries run in: the function's own account in its own region (no `roleArn`; its IAM is scoped
 * to that region), and every target with a `canaryRoleArn` (a member, or the central account in another region).
 */
export function canaryTargets(targets: readonly MonitorTarget[], homeRegion: string): MonitorTarget[] {
  return targets.filter((t) => t.canaryRoleArn !== null || (t.roleArn === null && t.region === homeRegion));
}

/**
 * The same resource in another account and region: `arn:aws:lambda:<region>:<account>:…` with the target's
 * region and account (the canary image is deployed under one name in every account/region that runs canaries).
 * @throws InputError for text that is not an ARN.
 */
export function arnInTarget(arn: string, target: Pick<MonitorTarget, 'account' | 'region'>): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new InputError(`not an ARN: ${arn}`);
  parts[3] = target.region;
  parts[4] = target.account;
  return parts.join(':');
}

/** `account/region`, the label used in logs, metrics and summaries. */
export function targetLabel(target: Pick<MonitorTarget, 'account' | 'region'>): string {
  return `${target.account}/${target.region}`;
}
