/**
 * Exponential backoff with jitter. "full" jitter picks uniformly in [0, cap] (spreads a class
 * of clients reconnecting after a server restart); "equal" keeps at least half of the cap
 * (retries that must actually wait, such as after rate_limited).
 */
export interface BackoffOptions {
  /** Cap of the first delay (default 500 ms). */
  initialMs?: number;
  /** Largest cap (default 30 s). */
  maxMs?: number;
  jitter?: 'full' | 'equal';
  /** Uniform in [0, 1); injected by tests. */
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly jitter: 'full' | 'equal';
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs (got ${this.initialMs}, ${this.maxMs})`);
    }
    this.jitter = options.jitter ?? 'full';
    this.random = options.random ?? Math.random;
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The cap for the current attempt: initialMs · 2^attempts, at most maxMs. */
  get capMs(): number {
    // Capping the exponent keeps 2 ** n finite however long the outage lasts.
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 40));
  }

  /** The next delay in whole milliseconds; each call moves one attempt further. */
  next(): number {
    const cap = this.capMs;
    this.failures++;
    const r = Math.min(Math.max(this.random(), 0), 1);
    const delay = this.jitter === 'full' ? r * cap : cap / 2 + (r * cap) / 2;
    return Math.round(delay);
  }

  reset(): void {
    this.failures = 0;
  }
}
