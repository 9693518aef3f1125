/** How long and how many messages are held for names nobody registered yet (held-messages.ts). */
export interface HeldLimits {
  /** Held messages one sender may have waiting (default 100). */
  perSender: number;
  /** How long a held message waits for its name (default 7 days). */
  ttlMs: number;
  /** How often expiry is checked (default 1 minute). */
  sweepMs: number;
}

export const DEFAULT_HELD_LIMITS: HeldLimits = { perSender: 100, ttlMs: 7 * 24 * 3600 * 1000, sweepMs: 60_000 };
