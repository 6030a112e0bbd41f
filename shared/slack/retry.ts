/**
 * Retries for the incoming-webhook channel (the Web API client retries by itself): HTTP 429 waits the
 * `Retry-After` seconds Slack sends; 5xx, time-outs and connection errors get exponential backoff with full
 * jitter. Slack: "Rate limits" (api.slack.com/apis/rate-limits) — 429 with a Retry-After header in seconds.
 */
export interface RetryPolicy {
  retries: number;
  /** First backoff ceiling (ms); doubles per attempt. */
  minMs: number;
  maxMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RetryDecision {
  retry: boolean;
  /** Wait exactly this long (Retry-After), instead of the jittered backoff. */
  afterMs?: number;
}

/** Calls `attempt` until it succeeds, `classify` says stop, or the retries are spent; rethrows the last error. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy,
): Promise<{ value: T; attempts: number }> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = policy.random ?? Math.random;
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(), attempts: n + 1 };
    } catch (error) {
      const decision = classify(error);
      if (!decision.retry || n >= policy.retries) throw error;
      const ceiling = Math.min(policy.maxMs, policy.minMs * 2 ** n);
      await sleep(decision.afterMs ?? Math.round(random() * ceiling));
    }
  }
}
