/**
 * The newest (from, id) pairs stored and their seqs, at most `capacity` (oldest forgotten first):
 * lets Store.hasMessage answer synchronously. The unique constraint in the database stays the
 * real dedupe; a resend older than this window is found there.
 */
export class RecentIds {
  private readonly seqs = new Map<string, number>();

  constructor(readonly capacity: number) {}

  get(from: string, id: string): number | undefined {
    return this.seqs.get(`${from}\n${id}`);
  }

  add(from: string, id: string, seq: number): void {
    if (this.capacity <= 0) return;
    this.seqs.set(`${from}\n${id}`, seq);
    if (this.seqs.size > this.capacity) this.seqs.delete(this.seqs.keys().next().value!);
  }
}
