/**
 * Reconcile thresholds from the environment (docs/reconcile.md), validated once. Every variable is optional;
 * minutes are whole numbers.
 *
 *   EGRESS_WATCH_STUCK_PENDING_MINUTES   connector-stuck-pending threshold (15)
 *   EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES  eni-leaked-after-delete grace period (20)
 *   EGRESS_WATCH_SUBNET_FREE_IPS         subnet-ip-exhaustion threshold, free IPs (5)
 *   EGRESS_WATCH_EVENT_SETTLE_MINUTES    events younger than this are not judged missed yet (15)
 */
import { z } from 'zod';
import type { ReconcileOptions } from './app/reconcile.js';

const minutes = z.coerce.number().int().min(0).optional();

const Schema = z.object({
  EGRESS_WATCH_STUCK_PENDING_MINUTES: minutes,
  EGRESS_WATCH_ENI_LEAK_GRACE_MINUTES: minutes,
  EGRESS_WATCH_SUBNET_FREE_IPS: z.coerce.number().int().min(0).optional(),
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
