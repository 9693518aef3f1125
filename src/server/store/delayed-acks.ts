/**
 * LogStore's acks on their way to the log: all of one user's acks within `delayMs` become one
 * record, and the records due together are queued at once, so they share one write and fsync.
 */
export class DelayedAcks {
  /** Not yet handed to the writer, by user: the highest seq and who waits for it. */
  private readonly delayed = new Map<string, { seq: number; written: Promise<void>; settle: (error?: unknown) => void }>();
  /** Handed to the writer and not yet on disk, by user. */
  private readonly queued = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  /** `queue` hands one ack record to the writer; `startWriter` runs it once all are queued. */
  constructor(
    private readonly delayMs: number,
    private readonly queue: (name: string, seq: number) => Promise<void>,
    private readonly startWriter: () => void,
  ) {}

  /** The highest seq on its way to the log for `name` (0 when none). */
  highest(name: string): number {
    return Math.max(this.queued.get(name) ?? 0, this.delayed.get(name)?.seq ?? 0);
  }

  /** Writes an ack of `seq` for `name` (above `highest`) after at most delayMs; resolves once it is on disk. */
  add(name: string, seq: number): Promise<void> {
    const delayed = this.delayed.get(name);
    if (delayed) {
      delayed.seq = seq;
      return delayed.written;
    }
    let settle!: (error?: unknown) => void;
    const written = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
    this.delayed.set(name, { seq, written, settle });
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
    return written;
  }

  /** Hands every delayed ack to the writer now (one record per user). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [name, { seq, settle }] of this.delayed) {
      this.queued.set(name, seq);
      this.queue(name, seq)
        .then(
          () => settle(),
          (error: unknown) => settle(error ?? new Error('the ack could not be written')),
        )
        .finally(() => {
          if (this.queued.get(name) === seq) this.queued.delete(name);
        });
    }
    this.delayed.clear();
    // Queued first, started once: all of them go in one write and one fsync.
    this.startWriter();
  }
}
