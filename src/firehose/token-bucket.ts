/**
 * Rate control for the sender: a token bucket refilled from the monotonic
 * clock. Refilling from elapsed time rather than counting timer ticks keeps
 * the long-run rate exact even when a 10 ms timer fires late (it usually
 * does under load); the burst cap bounds how much a late tick may catch up.
 */

export class TokenBucket {
  private tokens = 0;
  private last: number;
  private readonly burst: number;

  /**
   * @param ratePerS tokens (lines) per second, > 0
   * @param burstS   how many seconds of tokens may pile up (default 50 ms)
   * @example
   * const b = new TokenBucket(100_000);
   * b.refill(performance.now()); const n = b.take(4096);
   */
  constructor(
    readonly ratePerS: number,
    burstS = 0.05,
    now: number = performance.now(),
  ) {
    this.burst = Math.max(1, ratePerS * burstS);
    this.last = now;
  }

  refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerS) / 1000);
    this.last = now;
  }

  /** Whole tokens available now. */
  available(): number {
    return Math.floor(this.tokens);
  }

  /** Takes up to `n` whole tokens and returns how many it took. */
  take(n: number): number {
    const k = Math.min(n, Math.floor(this.tokens));
    this.tokens -= k;
    return k;
  }

  /** Milliseconds until at least one token is available. */
  waitMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerS);
  }
}
