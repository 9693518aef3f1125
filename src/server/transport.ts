/**
 * One client socket as the server uses it: bounded line decoding in, and out a write queue that
 * is batched per event-loop turn (one socket.write per turn), watched for backpressure, with its
 * unsent bytes bounded per connection and counted against the server-wide budget.
 */
import type { Socket } from 'node:net';
import { LineDecoder } from '../protocol/line-decoder';
import type { Clock } from './clock';
import type { BudgetMember, UnsentBudget } from './unsent-budget';

/** Parts at least this big are written as they are; smaller ones are copied together. */
const GATHER_PART_BYTES = 16 * 1024;

export interface TransportLimits {
  maxLineBytes: number;
  /** Above this many unsent bytes the mailbox pump pauses until 'drain', and a stream waits. */
  softQueueBytes: number;
  /** Above this many unsent bytes the connection is a slow consumer and is closed. */
  hardQueueBytes: number;
}

/** A long reply produced a piece at a time, as the socket drains: undefined when it is done. */
export type StreamSource = () => string | Buffer | undefined;

/** What is written after the stream in progress (lines written meanwhile, or the next stream). */
type Behind = { parts: ReadonlyArray<string | Buffer>; length: number; onFlushed?: () => void } | { stream: StreamSource };

export class Transport implements BudgetMember {
  readonly decoder: LineDecoder;
  /** When the socket last became congested (undefined while it drains normally). */
  congestedSince: number | undefined;
  /** Unsent bytes last reported to the server-wide budget. */
  budgetBytes = 0;
  /** The most this connection ever had unsent (queued here and in the socket). */
  peakUnsent = 0;
  private queue: Array<string | Buffer> = [];
  /** Size of `queue`: bytes of buffers plus characters of strings (a cheap proxy for their bytes). */
  private queuedLength = 0;
  /** Whether `queue` holds a part to be written uncopied (only writeParts queues those). */
  private queuedBigPart = false;
  private flushCallbacks: Array<() => void> = [];
  private flushScheduled = false;
  private drainWaiters: Array<() => void> = [];
  private ended = false;
  /** The stream being written; while it runs, other writes wait in `behind` so lines never interleave. */
  private stream: StreamSource | undefined;
  private behind: Behind[] = [];
  private behindLength = 0;
  /** end() was called while a stream ran: the socket ends once it is written. */
  private endAfterStream = false;

  constructor(
    readonly socket: Socket,
    private readonly limits: TransportLimits,
    private readonly clock: Clock,
    private readonly onOverflow: (why: string) => void,
    private readonly budget?: UnsentBudget,
  ) {
    this.decoder = new LineDecoder(limits.maxLineBytes);
    socket.on('drain', () => this.drained());
    budget?.join(this);
    socket.once('close', () => {
      this.budget?.leave(this);
      // Nothing drains any more: let waiters see the connection is gone rather than wait forever.
      this.wakeDrainWaiters();
    });
  }

  get isOpen(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  /** Bytes (characters, for strings) written and not yet taken by the kernel. */
  get unsent(): number {
    return this.socket.writableLength + this.queuedLength + this.behindLength;
  }

  /** True while a stream is written or enough is unsent that more mailbox traffic should wait. */
  get congested(): boolean {
    return this.stream !== undefined || this.socket.writableLength + this.queuedLength >= this.limits.softQueueBytes;
  }

  /** Queues one line (newline included); `onFlushed` runs once the bytes reach the kernel. */
  write(line: string | Buffer, onFlushed?: () => void): void {
    if (!this.isOpen) return;
    if (this.stream) {
      this.behind.push({ parts: [line], length: line.length, onFlushed });
      this.behindLength += line.length;
    } else {
      this.queue.push(line);
      this.queuedLength += line.length;
      if (onFlushed) this.flushCallbacks.push(onFlushed);
    }
    this.queued();
  }

  /** Queues one line given as parts written back to back (big shared buffers are not copied). */
  writeParts(parts: ReadonlyArray<string | Buffer>, onFlushed?: () => void): void {
    if (!this.isOpen) return;
    if (this.stream) {
      let length = 0;
      for (const part of parts) length += part.length;
      this.behind.push({ parts, length, onFlushed });
      this.behindLength += length;
    } else {
      for (const part of parts) this.queuePart(part);
      if (onFlushed) this.flushCallbacks.push(onFlushed);
    }
    this.queued();
  }

  /**
   * Writes what `source` produces, asking for the next piece only while less than the soft
   * limit is unsent: a 50,000-user roster costs a slow reader ~256 KiB, not 5 MB. Lines written
   * meanwhile wait behind it (a stream may stop mid-line), and `congested` holds mail back.
   */
  writeStream(source: StreamSource): void {
    if (!this.isOpen) return;
    if (this.stream) {
      this.behind.push({ stream: source });
      return;
    }
    this.stream = source;
    this.scheduleOwnFlush();
  }

  /** Calls `callback` once the queue has been handed to the socket and the socket has room again (or closed). */
  onceDrained(callback: () => void): void {
    this.drainWaiters.push(callback);
  }

  /** Sends what is queued (a stream in progress included) plus an optional last line, then closes gracefully. */
  end(lastLine?: string): void {
    if (!this.isOpen) return;
    if (lastLine !== undefined) {
      if (this.stream) {
        this.behind.push({ parts: [lastLine], length: lastLine.length });
        this.behindLength += lastLine.length;
      } else {
        this.queuePart(lastLine);
      }
    }
    this.ended = true;
    this.endAfterStream = true;
    this.flush();
    // A peer that never reads would keep the socket half-open: cut it after a grace period.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Closes the connection to bring the server-wide budget back within its limit. */
  shed(why: string): void {
    this.overflow(why);
  }

  private queuePart(part: string | Buffer): void {
    this.queue.push(part);
    this.queuedLength += part.length;
    if (part.length >= GATHER_PART_BYTES) this.queuedBigPart = true;
  }

  private queued(): void {
    // Checked here too, not only after a flush: replies queued within one turn (e.g. a thousand
    // pings sent in one packet) would otherwise pile up unbounded before the flush.
    const unsent = this.unsent;
    if (unsent > this.limits.hardQueueBytes) {
      this.overflow('send queue overflow');
      return;
    }
    if (unsent > this.peakUnsent) this.peakUnsent = unsent;
    // The budget hears at the flush, once per turn (a turn's queue is within the bound above).
    this.scheduleOwnFlush();
  }

  private scheduleOwnFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    scheduleFlush(this);
  }

  /** Writes what is queued (called once per turn by flushDirty, and by end). */
  flush(): void {
    this.flushScheduled = false;
    if (this.socket.destroyed) return;
    if (this.stream) this.fillFromStream();
    let accepted = true;
    if (this.queue.length > 0) {
      accepted = this.writeQueue();
      if (this.socket.writableLength > this.limits.hardQueueBytes) {
        this.overflow('send queue overflow');
        return;
      }
    }
    if (this.endAfterStream && !this.stream) {
      this.endAfterStream = false;
      this.socket.end();
    }
    this.account();
    if (this.socket.destroyed) return;
    // A write the socket took without backpressure emits no 'drain': wake the waiters here.
    if (accepted) this.drained();
    else this.congestedSince ??= this.clock.now();
  }

  private writeQueue(): boolean {
    const queue = this.queue;
    const gather = this.queuedBigPart;
    this.queue = [];
    this.queuedLength = 0;
    this.queuedBigPart = false;
    const callbacks = this.flushCallbacks;
    this.flushCallbacks = [];
    const onWritten = callbacks.length > 0 ? () => callbacks.forEach((callback) => callback()) : undefined;
    if (queue.length === 1) return this.socket.write(queue[0], onWritten);
    // One write per turn; shared message buffers are copied natively, never re-encoded.
    if (!gather) return this.socket.write(concatParts(queue), onWritten);
    // Big parts (a large roster's segments) go out in one gathered write (writev), uncopied.
    const writes = coalesce(queue);
    this.socket.cork();
    for (let i = 0; i < writes.length - 1; i++) this.socket.write(writes[i]);
    const accepted = this.socket.write(writes[writes.length - 1], onWritten);
    this.socket.uncork();
    return accepted;
  }

  /** Takes pieces of the stream while little is unsent; when it ends, what waited behind it follows. */
  private fillFromStream(): void {
    while (this.stream && this.socket.writableLength + this.queuedLength < this.limits.softQueueBytes) {
      const piece = this.stream();
      if (piece === undefined) {
        this.stream = undefined;
        this.releaseBehind();
      } else {
        this.queuePart(piece);
      }
    }
  }

  /** Queues the lines that waited behind the finished stream, up to the next stream. */
  private releaseBehind(): void {
    let index = 0;
    for (; index < this.behind.length && !this.stream; index++) {
      const next = this.behind[index];
      if ('stream' in next) {
        this.stream = next.stream;
        continue;
      }
      for (const part of next.parts) this.queuePart(part);
      this.behindLength -= next.length;
      if (next.onFlushed) this.flushCallbacks.push(next.onFlushed);
    }
    this.behind.splice(0, index);
  }

  /** Reports the unsent bytes to the budget (which may close this or another connection). */
  private account(): void {
    const unsent = this.unsent;
    if (unsent > this.peakUnsent) this.peakUnsent = unsent;
    this.budget?.report(this, unsent);
  }

  /** Too much unsent: forget the queue and let the owner close the connection. */
  private overflow(why: string): void {
    this.queue = [];
    this.queuedLength = 0;
    this.queuedBigPart = false;
    this.flushCallbacks = [];
    this.stream = undefined;
    this.behind = [];
    this.behindLength = 0;
    this.endAfterStream = false;
    this.ended = true;
    this.budget?.leave(this);
    this.onOverflow(why);
  }

  private drained(): void {
    this.congestedSince = undefined;
    if (this.stream) {
      // The stream goes on in the next turn; mail and file chunks wait until it is done.
      if (this.budget) this.account();
      this.scheduleOwnFlush();
      return;
    }
    if (this.budget && this.budgetBytes !== this.unsent) this.account();
    this.wakeDrainWaiters();
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * Transports with something queued, flushed together by one setImmediate per turn: a fan-out
 * queues on hundreds of sockets at once, and one immediate each cost a measurable share of it.
 */
let dirty: Transport[] = [];

function scheduleFlush(transport: Transport): void {
  if (dirty.length === 0) setImmediate(flushDirty);
  dirty.push(transport);
}

function flushDirty(): void {
  const flushing = dirty;
  dirty = [];
  let next = 0;
  try {
    while (next < flushing.length) flushing[next++].flush();
  } finally {
    // A flush that threw (reported as uncaught) must not strand the sockets after it: in the
    // extension host, which hosts the local server, the process goes on.
    for (const transport of flushing.slice(next)) scheduleFlush(transport);
  }
}

/**
 * A turn's parts as few buffers as possible without copying big ones: each run of small parts
 * becomes one buffer (one write per turn, as a fan-out of short lines needs), a big part stays as
 * it is (copying a 900 KB welcome per login is what a login storm's memory was made of).
 */
function coalesce(queue: ReadonlyArray<string | Buffer>): Array<string | Buffer> {
  const writes: Array<string | Buffer> = [];
  let run: Array<string | Buffer> = [];
  const endRun = (): void => {
    if (run.length === 1) writes.push(run[0]);
    else if (run.length > 1) writes.push(concatParts(run));
    run = [];
  };
  for (const part of queue) {
    if (part.length < GATHER_PART_BYTES) {
      run.push(part);
      continue;
    }
    endRun();
    writes.push(part);
  }
  endRun();
  return writes;
}

function concatParts(parts: ReadonlyArray<string | Buffer>): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}
