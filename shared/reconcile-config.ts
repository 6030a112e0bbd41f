/**
 * Reconcile thresholds from the environment (docs/reconcile.md), validated once. Every variable is optional;
 * minutes are whole numbers.
 *
 *   EGRESS_WATCH_STUCK_PENDING_MINUTES   connector-stuck-pending threshold (15)
 *   EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES  eni-leaked-after-delete grace period (20)
 *   EGRESS_WATCH_SUBNET_FREE_IPS         subnet-ip-exhaustion threshold, free IPs (5)
 *   EGRESS_WATCH_EVENT_SETTLE_MINUTES    events younger than this are not judged missed yet (15)
 */
// zod/mini with its messages written here: full zod costs the function's cold start (docs/ingest.md).
import * as z from 'zod/mini';
import type { ReconcileOptions } from './app/reconcile.js';

const wholeNumber = z.optional(
  z.coerce
    .number({ error: 'must be a number' })
    .check(z.int({ error: 'must be a whole number' }), z.minimum(0, 'must be 0 or more')),
);
const minutes = wholeNumber;

const Schema = z.object({
  EGRESS_WATCH_STUCK_PENDING_MINUTES: minutes,
  EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES: minutes,
  EGRESS_WATCH_SUBNET_FREE_IPS: wholeNumber,
  EGRESS_WATCH_EVENT_SETTLE_MINUTES: minutes,
});

/** The overrides set in `env`; throws with every invalid variable named. */
export function loadReconcileSettings(
  env: Record<string, string | undefined> = process.env,
): Partial<ReconcileOptions> {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new Error(`invalid reconcile configuration: ${problems}`);
  }
  const e = parsed.data;
  const out: Partial<ReconcileOptions> = {};
  if (e.EGRESS_WATCH_STUCK_PENDING_MINUTES !== undefined)
    out.stuckPendingAfterMs = e.EGRESS_WATCH_STUCK_PENDING_MINUTES * 60_000;
  if (e.EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES !== undefined)
    out.eniLeakGraceMs = e.EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES * 60_000;
  if (e.EGRESS_WATCH_SUBNET_FREE_IPS !== undefined) out.subnetFreeIpThreshold = e.EGRESS_WATCH_SUBNET_FREE_IPS;
  if (e.EGRESS_WATCH_EVENT_SETTLE_MINUTES !== undefined) out.settleMs = e.EGRESS_WATCH_EVENT_SETTLE_MINUTES * 60_000;
  return out;
}

/** An EventBridge rule name: 1–64 of [.\-_A-Za-z0-9] (EventBridge API Reference, PutRule `Name`). */
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/**
 * The ingest EventBridge rules whose State the monitoring-blind check reads (`EGRESS_WATCH_INGEST_RULES`,
 * comma-separated names on the default bus; serverless.yml sets it from `custom.ruleNames`). Unset or empty:
 * no rule is checked (the trail checks still run).
 * @throws Error naming every malformed rule name.
 */
export function loadIngestRuleNames(env: Record<string, string | undefined> = process.env): string[] {
  const names = (env.EGRESS_WATCH_INGEST_RULES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = names.filter((n) => !RULE_NAME.test(n));
  if (bad.length > 0) {
    throw new Error(
      `invalid reconcile configuration: EGRESS_WATCH_INGEST_RULES has malformed rule name(s) ${bad.map((n) => JSON.stringify(n)).join(', ')} (1-64 of . - _ A-Z a-z 0-9)`,
    );
  }
  return names;
}
