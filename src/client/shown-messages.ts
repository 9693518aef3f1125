/**
 * What this user has been shown, beyond one connection and (with a SeenStore) beyond a restart:
 * the highest seq, saved for the next client, and the recent encrypted message ids per sender, so
 * that a server replaying a genuine box under a new seq (issue 14 item 12) gets it dropped.
 */
import type { Clock } from './clock';
import { RecentIds } from './recent-ids';
import { SeenSaver, SeenStore } from './seen-store';
import type { ReceivedMessage } from './types';

export class ShownMessages {
  private readonly saver: SeenSaver | undefined;
  /** The store has been read (once, before the first login). */
  private loaded = false;

  constructor(
    private readonly store: SeenStore | undefined,
    clock: Clock,
    private readonly onError: (error: Error) => void,
    private readonly recent = new RecentIds(),
  ) {
    this.saver = store && new SeenSaver(store, clock, onError, 1000, () => this.recent.snapshot());
  }

  /** Reads the store once; returns the saved seq. A failed read is reported, not thrown: at worst a message is shown twice. */
  async load(): Promise<number | undefined> {
    if (!this.store || this.loaded) return undefined;
    this.loaded = true;
    try {
      const saved = await this.store.load();
      if (typeof saved === 'number' || saved === undefined) return saved;
      if (saved.recentIds) this.recent.restore(saved.recentIds);
      return saved.lastSeenSeq;
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /**
   * Notes a message with a new seq; false when it must not be shown: its sender's id was shown
   * before (a replay). Only a box that opened proves who chose the id, so only those are recorded.
   */
  admit(message: ReceivedMessage): boolean {
    this.saver?.changed(message.seq);
    if (this.recent.has(message.from, message.id)) return false;
    if (message.encrypted && message.decryptError === undefined) this.recent.add(message.from, message.id);
    return true;
  }

  /** Writes what is pending now (closing). */
  flush(): Promise<void> {
    return this.saver?.flush() ?? Promise.resolve();
  }
}
