/**
 * The ids of the encrypted messages shown lately, per sender (issue 14 item 12), so that a
 * server replaying a genuine box under a later seq gets it dropped instead of shown again. The
 * box binds sender, recipient and id, so the id is what a replay cannot change; an honest server
 * never delivers one sender's id twice (it deduplicates the outbox's resends on the id).
 *
 * Bounded: the last `perSender` ids of each sender and `total` in all; when over, the oldest ids
 * of the sender heard from least recently go first. A replay older than that window is shown.
 */

/** Senders from least to most recently heard, each with its ids oldest first (a list, not an object keyed by name: "__proto__" is a user name too). */
export type RecentIdsSnapshot = Array<[sender: string, ids: string[]]>;

export const RECENT_IDS_PER_SENDER = 1_000;
export const RECENT_IDS_TOTAL = 20_000;

interface SenderIds {
  /** Oldest first. */
  readonly order: string[];
  readonly set: Set<string>;
}

export class RecentIds {
  /** In the order senders were last heard from, least recent first. */
  private readonly bySender = new Map<string, SenderIds>();
  private count = 0;

  constructor(
    readonly perSender = RECENT_IDS_PER_SENDER,
    readonly total = RECENT_IDS_TOTAL,
  ) {
    if (!(perSender >= 1 && total >= 1)) throw new RangeError('RecentIds bounds must be at least 1');
  }

  /** How many ids are kept in all. */
  get size(): number {
    return this.count;
  }

  has(sender: string, id: string): boolean {
    return this.bySender.get(sender)?.set.has(id) ?? false;
  }

  /** Remembers `id` from `sender`, who becomes the most recently heard. */
  add(sender: string, id: string): void {
    const entry = this.bySender.get(sender) ?? { order: [], set: new Set<string>() };
    this.bySender.delete(sender);
    this.bySender.set(sender, entry);
    if (entry.set.has(id)) return;
    entry.order.push(id);
    entry.set.add(id);
    this.count++;
    if (entry.order.length > this.perSender) this.dropOldest(sender, entry);
    while (this.count > this.total) {
      const [oldestSender, oldest] = this.bySender.entries().next().value as [string, SenderIds];
      this.dropOldest(oldestSender, oldest);
    }
  }

  /** Everything kept, for saving; `restore` of it gives the same state. */
  snapshot(): RecentIdsSnapshot {
    return [...this.bySender].map(([sender, entry]) => [sender, [...entry.order]]);
  }

  /** Adds what a snapshot holds (saved by an earlier client), in its order. */
  restore(snapshot: RecentIdsSnapshot): void {
    for (const [sender, ids] of snapshot) for (const id of ids) this.add(sender, id);
  }

  private dropOldest(sender: string, entry: SenderIds): void {
    const id = entry.order.shift();
    if (id !== undefined && entry.set.delete(id)) this.count--;
    if (entry.order.length === 0) this.bySender.delete(sender);
  }
}
