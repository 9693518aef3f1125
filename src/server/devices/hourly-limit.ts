/**
 * At most `limit` events per key in any hour (link requests, recovery requests: PROTOCOL.md
 * 22.11), on an injected clock. Keys whose events all expired are dropped as they are seen.
 */
import type { Clock } from '../clock';

const HOUR_MS = 60 * 60 * 1000;
/** Keys kept at most; beyond it the oldest key is dropped (bounded memory under a flood of addresses). */
const MAX_KEYS = 10_000;

export class HourlyLimit {
  private readonly events = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Whether one more event for `key` fits; counts it when it does. */
  take(key: string): boolean {
    const now = this.clock.now();
    const recent = (this.events.get(key) ?? []).filter((at) => now - at < HOUR_MS);
    if (recent.length >= this.limit) {
      this.events.set(key, recent);
      return false;
    }
    recent.push(now);
    this.events.delete(key);
    this.events.set(key, recent);
    if (this.events.size > MAX_KEYS) this.events.delete(this.events.keys().next().value!);
    return true;
  }
}
