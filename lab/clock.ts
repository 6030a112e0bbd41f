/**
 * Virtual clock for the lab: every lab component and every handler the lab invokes takes time from here,
 * so a 30-minute scenario plays in seconds. Timers fire in time order when the clock is advanced.
 */
export interface Clock {
  now(): Date;
}

interface Timer {
  at: number;
  seq: number;
  run: () => void | Promise<void>;
}

export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Date | string = '2026-06-24T01:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  /** Schedules `run` to fire once the clock reaches now + delayMs. Returns a cancel function. */
  after(delayMs: number, run: () => void | Promise<void>): () => void {
    const timer: Timer = { at: this.current + Math.max(0, delayMs), seq: this.seq++, run };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Advances to `targetMs`, firing due timers in (time, creation) order; timers may schedule more timers. */
  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      const due = this.nextDue(targetMs);
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      await due.run();
    }
    this.current = Math.max(this.current, targetMs);
  }

  async advanceBy(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Fires every pending timer (used at the end of a scenario to drain deliveries). */
  async drain(maxMs = 24 * 3600_000): Promise<void> {
    await this.advanceTo(this.current + maxMs);
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(targetMs: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at > targetMs) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
