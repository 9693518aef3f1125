/**
 * Hands messages to caught-up sessions in seq order when they come from several places: this
 * node's commits and other nodes' (Store.cluster), which may arrive in either order. Seqs on a
 * shared store commit in order without gaps, so a message above the next expected one waits for
 * the missing ones; if they do not come in time (a gap after all), every session pulls from the
 * store instead, which already holds every lower seq.
 */
import type { StoredMessage } from './store/store';

export class DeliveryOrder {
  private readonly waiting = new Map<number, StoredMessage>();
  private timer: NodeJS.Timeout | undefined;
  /** Callers of `reached`, each until its seq is handed on (or it gives up). */
  private readonly reachers = new Set<{ seq: number; done: () => void }>();

  constructor(
    /** The highest seq handed on so far. */
    private head: number,
    /** `offer` false: too late for sessions (they pulled it), only its effects on rooms and moderation apply. */
    private readonly deliver: (message: StoredMessage, offer: boolean) => void,
    private readonly pullAll: () => void,
    private readonly gapWaitMs = 200,
  ) {}

  /** The highest seq handed on (with every lower one): rooms and moderation here are as it left them. */
  get handedOn(): number {
    return this.head;
  }

  /** Resolves once `seq` and every lower one were handed on, or after `waitMs` at most. */
  reached(seq: number, waitMs: number): Promise<void> {
    if (seq <= this.head) return Promise.resolve();
    return new Promise((resolve) => {
      const reacher = {
        seq,
        done: () => {
          clearTimeout(timer);
          this.reachers.delete(reacher);
          resolve();
        },
      };
      const timer = setTimeout(reacher.done, waitMs);
      this.reachers.add(reacher);
    });
  }

  /** `message` was committed; it is handed on once every lower seq was (or pulled). */
  committed(message: StoredMessage): void {
    if (message.seq <= this.head) return this.deliver(message, false);
    if (message.seq > this.head + 1) {
      this.waiting.set(message.seq, message);
      this.timer ??= setTimeout(() => this.giveUpWaiting(), this.gapWaitMs);
      return;
    }
    this.head = message.seq;
    this.deliver(message, true);
    this.drain();
    this.wakeReachers();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const reacher of [...this.reachers]) reacher.done();
  }

  private wakeReachers(): void {
    for (const reacher of [...this.reachers]) if (reacher.seq <= this.head) reacher.done();
  }

  private drain(): void {
    for (let next = this.waiting.get(this.head + 1); next; next = this.waiting.get(this.head + 1)) {
      this.waiting.delete(next.seq);
      this.head = next.seq;
      this.deliver(next, true);
    }
    if (this.waiting.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private giveUpWaiting(): void {
    this.timer = undefined;
    // Pull first: a session that pulls skips what it already has, so the waiting ones are not lost.
    const waiting = [...this.waiting.values()].sort((a, b) => a.seq - b.seq);
    this.waiting.clear();
    this.head = waiting[waiting.length - 1].seq;
    this.pullAll();
    for (const message of waiting) this.deliver(message, true);
    this.wakeReachers();
  }
}
