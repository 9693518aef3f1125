import type { Clock } from './clock';

/** Classic token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Takes `count` tokens if there are that many. */
  take(count = 1): boolean {
    this.refill();
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Takes `count` tokens even when that leaves a debt, which later refills pay first. */
  spend(count: number): void {
    this.refill();
    this.tokens -= count;
  }

  /** Tokens there now. */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /** Refilled to its burst: nothing would be lost by forgetting it. */
  get full(): boolean {
    return this.available >= this.burst;
  }

  /** Milliseconds until `count` tokens are there (0 when they are now). */
  msUntil(count: number): number {
    this.refill();
    return Math.max(0, ((count - this.tokens) / this.perSecond) * 1000);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
