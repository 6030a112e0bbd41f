/**
 * Time-outs and retry budgets for every AWS SDK client egress-watch builds (docs/ingest.md, "Faults"):
 * an explicit connection and request time-out (a frozen endpoint fails instead of hanging), a bounded
 * number of attempts, and the SDK's standard retry strategy — it retries throttling and transient errors
 * (5xx, time-outs), honours Retry-After, and spends a per-client retry quota (its token bucket: 500 tokens,
 * 5 per throttling retry, 14 per other retry, refilled by successes; @smithy/core/retry) — with full-jitter
 * exponential backoff capped at `maxBackoffMs`, so a Lambda's time-out is not spent sleeping.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientLimits {
  /** TCP connect time-out, ms. */
  connectionTimeoutMs: number;
  /** Time-out for a whole request and its response, ms (also the socket idle time-out). */
  requestTimeoutMs: number;
  /** Attempts per call, first one included. */
  maxAttempts: number;
  /** Upper bound of one backoff delay, ms (the jitter draws uniformly below the exponential step). */
  maxBackoffMs: number;
}

/**
 * The defaults. DynamoDB answers in milliseconds and the ingest Lambda has 30 s: 1 s to connect, 2.5 s per
 * request, 7 attempts and at most 1 s per backoff bound one call to 7 × 2.5 + 6 × 1 = 23.5 s against a
 * frozen endpoint, and survive 30 % throttling (0.3^7 ≈ 2 in 10,000 calls exhaust their attempts).
 */
export const DEFAULT_AWS_CLIENT_LIMITS: AwsClientLimits = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_500,
  maxAttempts: 7,
  maxBackoffMs: 1_000,
};

/** Full jitter: a uniform draw in [0, min(cap, base × 2^attempt)). The SDK sets the base (throttling: larger). */
class CappedJitterBackoff {
  private base = 50;
  constructor(private readonly capMs: number) {}
  setDelayBase(delayBase: number): void {
    this.base = delayBase;
  }
  computeNextBackoffDelay(attempt: number): number {
    return Math.floor(Math.random() * Math.min(this.capMs, this.base * 2 ** attempt));
  }
}

/**
 * An HTTP handler with explicit connection and request time-outs, for clients that keep their own retry
 * mode (e.g. `adaptive` for EC2 reads) but must not hang on a frozen endpoint.
 */
export function awsRequestHandler(limits: Partial<AwsClientLimits> = {}): NodeHttpHandler {
  const l = { ...DEFAULT_AWS_CLIENT_LIMITS, ...limits };
  return new NodeHttpHandler({
    connectionTimeout: l.connectionTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    // Without this, @smithy/node-http-handler only logs a warning when requestTimeout passes and waits on.
    throwOnRequestTimeout: true,
    socketTimeout: l.requestTimeoutMs,
  });
}

/** Options to spread into any `@aws-sdk/client-*` constructor: request handler with time-outs, retry strategy. */
export function awsClientOptions(limits: Partial<AwsClientLimits> = {}): {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  retryStrategy: StandardRetryStrategy;
} {
  const l = { ...DEFAULT_AWS_CLIENT_LIMITS, ...limits };
  return {
    requestHandler: awsRequestHandler(l),
    maxAttempts: l.maxAttempts,
    retryStrategy: new StandardRetryStrategy({
      maxAttempts: l.maxAttempts,
      backoff: new CappedJitterBackoff(l.maxBackoffMs),
    }),
  };
}
