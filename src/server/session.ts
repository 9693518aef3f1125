/**
 * A logged-in user on one connection, and its mailbox pump. The backlog, and anything that
 * arrives while the session is behind, is pulled from the store (after `pushedUpTo`), so a slow
 * reader costs memory bounded by its socket queue, never a copy of its missed messages. A session
 * that is caught up gets each new message written at once (`offer`), without a pull.
 */
import type { Store, StoredMessage } from './store/store';
import type { Transport } from './transport';
import type { Logger } from './logger';

const PAGE = 256;

export type SessionKind = 'json' | 'plain';

export interface SessionHooks {
  /** Formats one message as a line for this session. `missed`: stored before the login. */
  format(message: StoredMessage, missed: boolean): string | Buffer | undefined;
  /** Called once, when the backlog present at login has been written. */
  onSynced(seq: number): void;
  /** Plain-text clients cannot acknowledge: a message counts as delivered once written to the socket. */
  ackOnFlush: boolean;
  onFlushedUpTo(seq: number): void;
}

export class Session {
  /** Highest seq written to this connection. */
  pushedUpTo: number;
  ackedSeq: number;
  /** The protocol version the client logged in with (plain text: the newest; it has its own format). */
  version = 3;
  /** The client asked for file chunks as raw bytes (login.features `binary-chunks`). */
  binaryChunks = false;
  /** v4: the device this session logged in as (its own delivery cursor: PROTOCOL.md 22.6). */
  device: string | undefined;
  closed = false;
  private pumping = false;
  private pumpAgain = false;
  private scheduled = false;
  private synced = false;
  /** The last pump read everything up to `pushedUpTo`, and every message offered since was written. */
  private caughtUp = false;

  constructor(
    readonly name: string,
    readonly kind: SessionKind,
    readonly transport: Transport,
    ackedSeq: number,
    private readonly loginHeadSeq: number,
    private readonly store: Store,
    private readonly hooks: SessionHooks,
    private readonly log: Logger,
  ) {
    this.pushedUpTo = ackedSeq;
    this.ackedSeq = ackedSeq;
  }

  /**
   * A message just stored for this user. Offers come in seq order (the store resolves appends in
   * order), so when the session is caught up nothing older can be waiting and the message is
   * written now; otherwise the pump pulls it in order with the rest.
   */
  offer(message: StoredMessage): void {
    if (this.closed || message.seq <= this.pushedUpTo) return;
    if (this.caughtUp && !this.pumping && !this.scheduled && this.transport.isOpen && !this.transport.congested) {
      this.writeMessage(message);
      return;
    }
    this.caughtUp = false;
    this.schedulePump();
  }

  /** Asks the pump to look for new mail (coalesced per event-loop turn). */
  schedulePump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    this.caughtUp = false;
    try {
      while (!this.closed && this.transport.isOpen) {
        if (this.transport.congested) {
          this.pumpAgain = false;
          this.transport.onceDrained(() => this.schedulePump());
          break;
        }
        this.pumpAgain = false;
        const batch = await this.store.readMailbox(this.name, this.pushedUpTo, PAGE);
        if (this.closed) break;
        let written = 0;
        // Stop at the soft limit even mid-page: the rest is read again after 'drain'.
        while (written < batch.length && !this.transport.congested) this.writeMessage(batch[written++]);
        if (written < batch.length) continue;
        if (batch.length < PAGE) {
          if (!this.synced) {
            this.synced = true;
            this.hooks.onSynced(this.pushedUpTo);
          }
          if (!this.pumpAgain) {
            this.caughtUp = true;
            break;
          }
        }
      }
    } catch (error) {
      this.log.error(`mailbox pump for ${this.name} failed: ${String(error)}`);
    } finally {
      this.pumping = false;
      if (this.pumpAgain && !this.closed) this.schedulePump();
    }
  }

  private writeMessage(message: StoredMessage): void {
    const seq = message.seq;
    const line = this.hooks.format(message, seq <= this.loginHeadSeq);
    // Nothing to show this client (a room key for a v3 client): skipped, acknowledged with the next.
    if (line !== undefined) this.transport.write(line, this.hooks.ackOnFlush ? this.flushedUpTo(seq) : undefined);
    this.pushedUpTo = seq;
  }

  /** Built apart from writeMessage: a closure there made V8 allocate a context on every delivery. */
  private flushedUpTo(seq: number): () => void {
    return () => this.hooks.onFlushedUpTo(seq);
  }
}
