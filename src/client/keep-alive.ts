/**
 * Keep-alive for one connection: a `ping` after `pingMs` without incoming data, and the
 * connection is declared dead after `deadMs` without incoming data. One timer, rescheduled
 * lazily: receiving data only records the time.
 */
import type { Clock, Timer } from './clock';

export interface KeepAliveOptions {
  /** Send a ping after this long without incoming data (default 30 s). */
  pingMs?: number;
  /** Drop the connection after this long without incoming data (default 75 s). */
  deadMs?: number;
}

export class KeepAlive {
  private readonly pingMs: number;
  private readonly deadMs: number;
  private lastReceived: number;
  private lastPing = -Infinity;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly ping: () => void,
    private readonly dead: (silentMs: number) => void,
    options: KeepAliveOptions = {},
  ) {
    this.pingMs = options.pingMs ?? 30_000;
    this.deadMs = options.deadMs ?? 75_000;
    this.lastReceived = clock.now();
    this.schedule(this.pingMs);
  }

  /** Call whenever bytes arrive from the server. */
  received(): void {
    this.lastReceived = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.check(), Math.max(1, ms));
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    const silent = now - this.lastReceived;
    if (silent >= this.deadMs) {
      this.stop();
      this.dead(silent);
      return;
    }
    if (silent >= this.pingMs && now - this.lastPing >= this.pingMs) {
      this.lastPing = now;
      this.ping();
    }
    const nextPing = Math.max(this.lastReceived, this.lastPing) + this.pingMs;
    const deadline = this.lastReceived + this.deadMs;
    this.schedule(Math.min(nextPing, deadline) - now);
  }
}
