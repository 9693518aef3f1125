/** A manual clock for the client: timers fire only when a test advances time. */
import type { Clock, Timer } from '../../../src/client/clock';

interface Scheduled {
  at: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private time = 1_000_000;
  private order = 0;
  private timers: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: Scheduled = { at: this.time + Math.max(0, ms), order: this.order++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /** Delays (from now) of the pending timers, soonest first. */
  get pendingDelays(): number[] {
    return this.live().map((timer) => timer.at - this.time);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.live()[0];
      if (!next || next.at > end) break;
      this.time = next.at;
      next.cancelled = true;
      next.callback();
    }
    this.time = end;
    this.timers = this.timers.filter((timer) => !timer.cancelled);
  }

  private live(): Scheduled[] {
    return this.timers.filter((timer) => !timer.cancelled).sort((a, b) => a.at - b.at || a.order - b.order);
  }
}
