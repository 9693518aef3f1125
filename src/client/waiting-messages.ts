/**
 * Private messages to a name nobody has registered yet (PROTOCOL.md 20.7), as the original
 * ClassChat kept them: they cannot be encrypted before the name has a key, so the client holds
 * them ("waiting for frank to join") and seals and queues each as soon as the server reports
 * the name (a `presence` for a newcomer, or the roster at the next login). A message still
 * waiting after 7 days is dropped and its sender told. Kept in memory, like the outbox: a client
 * that closes rejects what still waits. Bounded; pure bookkeeping plus one timer per message.
 */
import type { Clock, Timer } from './clock';
import { ChatClientError } from './errors';
import type { SentInfo } from './outbox';

/** How long a message waits for its name, as the server keeps held text (20.7). */
export const WAIT_FOR_NAME_MS = 7 * 24 * 3600 * 1000;
/** Messages waiting at most, for all names together. */
export const MAX_WAITING = 100;

interface Waiting {
  id: string;
  to: string;
  text: string;
  timer: Timer;
  resolve(info: SentInfo): void;
  reject(error: Error): void;
}

export class WaitingMessages {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly clock: Clock,
    private readonly waitMs = WAIT_FOR_NAME_MS,
    private readonly capacity = MAX_WAITING,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** Names something waits for. */
  names(): Set<string> {
    return new Set([...this.waiting.values()].map((entry) => entry.to));
  }

  /** Holds `text` for `to` under `id`; the promise settles once it is sent (or dropped). */
  hold(id: string, to: string, text: string): Promise<SentInfo> {
    if (this.waiting.size >= this.capacity) {
      throw new ChatClientError('outbox_full', `${this.waiting.size} messages are already waiting for classmates to join; wait until some join`);
    }
    return new Promise<SentInfo>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (!this.waiting.delete(id)) return;
        reject(new ChatClientError('expired', `${to} did not join within ${Math.round(this.waitMs / 86_400_000)} days, so the message was not sent (check the name)`));
      }, this.waitMs);
      this.waiting.set(id, { id, to, text, timer, resolve, reject });
    });
  }

  /**
   * `name` is known now: each message waiting for it is handed to `send` (which seals and queues
   * it under the same id) in the order held, and settles as that send does.
   */
  release(name: string, send: (id: string, text: string) => Promise<SentInfo>): void {
    for (const entry of [...this.waiting.values()]) {
      if (entry.to !== name) continue;
      this.waiting.delete(entry.id);
      entry.timer.cancel();
      let sent: Promise<SentInfo>;
      try {
        sent = send(entry.id, entry.text);
      } catch (error) {
        entry.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      sent.then(entry.resolve, entry.reject);
    }
  }

  /** Closed for good: what still waits is dropped. */
  rejectAll(reason: Error): void {
    const entries = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of entries) {
      entry.timer.cancel();
      entry.reject(reason);
    }
  }
}
