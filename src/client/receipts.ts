/**
 * What the client has received and acknowledged: messages at or below the last seen seq are
 * dropped, and acks are cumulative and batched into one frame per event-loop turn.
 */
export class Receipts {
  /** Highest seq handed to the application. */
  lastSeen = 0;
  /** Highest seq acknowledged (written, or to be written on the next turn); carried in login. */
  acked = 0;
  /** Highest ack the server has (from welcome) or was sent on the current connection. */
  private written = 0;
  private immediate: NodeJS.Immediate | undefined;

  /** `write(seq)` sends an `ack` frame and returns false when there is no connection for it. */
  constructor(private readonly write: (seq: number) => boolean) {}

  /** Starts from what an earlier client showed: counted as seen and acknowledged. */
  restore(seq: number): void {
    this.lastSeen = Math.max(this.lastSeen, seq);
    this.acked = Math.max(this.acked, seq);
  }

  /** Records a received seq; false when it was already seen (a redelivery). */
  accept(seq: number): boolean {
    if (seq <= this.lastSeen) return false;
    this.lastSeen = seq;
    return true;
  }

  /** Acknowledges everything up to `seq` (never beyond what was seen); written on the next turn. */
  acknowledge(seq: number): void {
    const upTo = Math.min(seq, this.lastSeen);
    if (upTo <= this.acked) return;
    this.acked = upTo;
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      this.flush();
    });
  }

  /** After `welcome`: the server's ackedSeq is acknowledged, and nothing at or below it will come. */
  loggedIn(serverAcked: number): void {
    this.written = serverAcked;
    this.acked = Math.max(this.acked, serverAcked);
    this.lastSeen = Math.max(this.lastSeen, serverAcked);
    this.flush();
  }

  flush(): void {
    if (this.acked > this.written && this.write(this.acked)) this.written = this.acked;
  }

  /** The login's ackedSeq: undefined before anything was acknowledged. */
  get loginAckedSeq(): number | undefined {
    return this.acked > 0 ? this.acked : undefined;
  }

  cancel(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }
}
