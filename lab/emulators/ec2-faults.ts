/**
 * Switchable EC2 faults for the lab: throttling of Describe* calls the way EC2 throttles
 * (`RequestLimitExceeded`, HTTP 503; "Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Deterministic: every Nth
 * Describe call is refused, so tests can count retries.
 */
export class Ec2FaultSwitch {
  /** 0 = off; N = refuse every Nth Describe* call with RequestLimitExceeded. */
  throttleEveryNth = 0;
  /** Describe calls seen and refused since the switch was made. */
  describeCalls = 0;
  throttled = 0;

  /** Turns throttling on (every Nth Describe call) or off (0). */
  throttle(everyNth: number): void {
    this.throttleEveryNth = Math.max(0, Math.floor(everyNth));
  }

  /** Counts the call; true when it must be answered with RequestLimitExceeded. */
  shouldThrottle(action: string): boolean {
    if (!action.startsWith('Describe')) return false;
    this.describeCalls++;
    if (this.throttleEveryNth > 0 && this.describeCalls % this.throttleEveryNth === 0) {
      this.throttled++;
      return true;
    }
    return false;
  }
}
