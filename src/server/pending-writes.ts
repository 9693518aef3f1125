/**
 * Messages handed to the store and not yet stored. Above `max` of them, connections stop reading
 * (the gate closes) until half are stored: a flood then waits in the kernel's socket buffers,
 * not as objects on the heap that every garbage collection has to copy.
 */
export class PendingWrites {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly waiting: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly max: number) {}

  /** For connections (their input gate): closed while the store is behind. */
  get closed(): boolean {
    return this.pending.size >= this.max;
  }

  onceOpen(callback: () => void): void {
    this.waiting.push(callback);
  }

  track(write: Promise<unknown>): void {
    this.pending.add(write);
    void write.finally(() => {
      this.pending.delete(write);
      if (!this.stopped && this.waiting.length > 0 && this.pending.size <= this.max / 2) {
        for (const resume of this.waiting.splice(0)) resume();
      }
    });
  }

  /** Shutdown: nobody is let in again; resolves once every tracked write settled. */
  async settle(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.pending]);
  }
}
