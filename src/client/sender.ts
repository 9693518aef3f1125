/**
 * Feeds the outbox to the logged-in connection: at most `maxInFlight` sends await `sent`, the
 * socket's backpressure pauses feeding until `drain`, and rate_limited / storage_failed pause
 * all sending for a backoff delay before the same message (same id) goes again.
 */
import type { ClassChatError } from '../protocol/errors';
import { Backoff } from './backoff';
import type { Clock, Timer } from './clock';
import type { ClientFrame } from '../protocol/frames';
import { Outbox, OutboxPayload, SentInfo } from './outbox';

/** Where sends are written: a Connection (an interface so tests can play the congested socket). */
export interface FrameSink {
  readonly congested: boolean;
  write(frame: ClientFrame): void;
}

export interface SenderOptions {
  capacity?: number;
  maxInFlight?: number;
  retry?: { initialMs?: number; maxMs?: number; random?: () => number };
}

export class Sender {
  private readonly outbox: Outbox;
  private readonly retryBackoff: Backoff;
  private readonly maxInFlight: number;
  private retryTimer: Timer | undefined;
  private conn: FrameSink | undefined;

  constructor(
    private readonly clock: Clock,
    options: SenderOptions = {},
  ) {
    this.outbox = new Outbox(options.capacity);
    this.retryBackoff = new Backoff({ initialMs: 1000, maxMs: 15_000, ...options.retry, jitter: 'equal' });
    this.maxInFlight = options.maxInFlight ?? 32;
  }

  /** Messages waiting for `sent`. */
  get size(): number {
    return this.outbox.size;
  }

  /** Starts feeding a freshly logged-in connection (unacknowledged messages go again, same ids). */
  attach(conn: FrameSink): void {
    this.conn = conn;
    this.pump();
  }

  /** The connection is gone: nothing is in flight any more. */
  detach(): void {
    this.conn = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.outbox.requeueAll();
  }

  /** Queues a message (throws ChatClientError outbox_full when full) and sends it if possible. */
  queue(to: string, payload: OutboxPayload, id?: string): { id: string; sent: Promise<SentInfo> } {
    const queued = this.outbox.add(to, payload, id);
    this.pump();
    return queued;
  }

  /** A `sent` frame: settles the message; undefined for an id that is not ours. */
  onSent(id: string, seq: number, ts: number, duplicate: boolean, file?: string): SentInfo | undefined {
    const info = this.outbox.acknowledge(id, seq, ts, duplicate, file);
    if (info) this.retryBackoff.reset();
    this.pump();
    return info;
  }

  /** An `error` frame about message `id`; false when the id is not in the outbox. */
  onError(id: string | undefined, error: ClassChatError): boolean {
    if (id === undefined || !this.outbox.has(id)) return false;
    if (error.code === 'rate_limited' || error.code === 'storage_failed') {
      this.outbox.requeue(id);
      this.retryTimer ??= this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, this.retryBackoff.next());
    } else this.outbox.reject(id, error);
    this.pump();
    return true;
  }

  /** Writes queued messages while the socket is not congested and the window has room. */
  pump(): void {
    const conn = this.conn;
    if (!conn || this.retryTimer) return;
    while (!conn.congested && this.outbox.inFlight < this.maxInFlight) {
      const entry = this.outbox.nextToSend();
      if (!entry) return;
      this.outbox.markInFlight(entry.id);
      conn.write({ type: 'send', id: entry.id, to: entry.to, ...entry.payload });
    }
  }

  /** Stops for good: every waiting message rejects with `reason`. */
  rejectAll(reason: Error): void {
    this.detach();
    this.outbox.rejectAll(reason);
  }
}
