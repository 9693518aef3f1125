/**
 * One client socket as the server uses it: bounded line decoding in, and out a write queue that
 * is batched per event-loop turn (one socket.write per turn), watched for backpressure.
 */
import type { Socket } from 'node:net';
import { LineDecoder } from '../protocol/line-decoder';
import type { Clock } from './clock';

/** Parts at least this big are written as they are; smaller ones are copied together. */
const GATHER_PART_BYTES = 16 * 1024;

export interface TransportLimits {
  maxLineBytes: number;
  /** Above this many unsent bytes the mailbox pump pauses until 'drain'. */
  softQueueBytes: number;
  /** Above this many unsent bytes the connection is a slow consumer and is closed. */
  hardQueueBytes: number;
}

export class Transport {
  readonly decoder: LineDecoder;
  /** When the socket last became congested (undefined while it drains normally). */
  congestedSince: number | undefined;
  private queue: Array<string | Buffer> = [];
  /** Size of `queue`: bytes of buffers plus characters of strings (a cheap proxy for their bytes). */
  private queuedLength = 0;
  /** Whether `queue` holds a part to be written uncopied (only writeParts queues those). */
  private queuedBigPart = false;
  private flushCallbacks: Array<() => void> = [];
  private flushScheduled = false;
  private drainWaiters: Array<() => void> = [];
  private ended = false;

  constructor(
    readonly socket: Socket,
    private readonly limits: TransportLimits,
    private readonly clock: Clock,
    private readonly onOverflow: () => void,
  ) {
    this.decoder = new LineDecoder(limits.maxLineBytes);
    socket.on('drain', () => this.drained());
  }

  get isOpen(): boolean {
    return !this.ended && !this.socket.destroyed;
  }

  /** True while enough is unsent that more mailbox traffic should wait. */
  get congested(): boolean {
    return this.socket.writableLength + this.queuedLength >= this.limits.softQueueBytes;
  }

  /** Queues one line (newline included); `onFlushed` runs once the bytes reach the kernel. */
  write(line: string | Buffer, onFlushed?: () => void): void {
    if (!this.isOpen) return;
    this.queue.push(line);
    this.queuedLength += line.length;
    this.queued(onFlushed);
  }

  /** Queues one line given as parts written back to back (big shared buffers are not copied). */
  writeParts(parts: ReadonlyArray<string | Buffer>, onFlushed?: () => void): void {
    if (!this.isOpen) return;
    for (const part of parts) {
      this.queue.push(part);
      this.queuedLength += part.length;
      if (part.length >= GATHER_PART_BYTES) this.queuedBigPart = true;
    }
    this.queued(onFlushed);
  }

  /** Calls `callback` once the queue has been handed to the socket and the socket has room again. */
  onceDrained(callback: () => void): void {
    this.drainWaiters.push(callback);
  }

  /** Sends what is queued plus an optional last line, then closes the socket gracefully. */
  end(lastLine?: string): void {
    if (!this.isOpen) return;
    if (lastLine !== undefined) {
      this.queue.push(lastLine);
      this.queuedLength += lastLine.length;
    }
    this.flush();
    this.ended = true;
    this.socket.end();
    // A peer that never reads would keep the socket half-open: cut it after a grace period.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private queued(onFlushed: (() => void) | undefined): void {
    // Checked here too, not only after a flush: replies queued within one turn (e.g. a thousand
    // history pages asked for in one packet) would otherwise pile up unbounded before the flush.
    if (this.socket.writableLength + this.queuedLength > this.limits.hardQueueBytes) {
      this.overflow();
      return;
    }
    if (onFlushed) this.flushCallbacks.push(onFlushed);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      scheduleFlush(this);
    }
  }

  /** Writes what is queued (called once per turn by flushDirty, and by end). */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || this.socket.destroyed) return;
    const queue = this.queue;
    const gather = this.queuedBigPart;
    this.queue = [];
    this.queuedLength = 0;
    this.queuedBigPart = false;
    const callbacks = this.flushCallbacks;
    this.flushCallbacks = [];
    const onWritten = callbacks.length > 0 ? () => callbacks.forEach((callback) => callback()) : undefined;
    let accepted: boolean;
    if (queue.length === 1) {
      accepted = this.socket.write(queue[0], onWritten);
    } else if (!gather) {
      // One write per turn; shared message buffers are copied natively, never re-encoded.
      accepted = this.socket.write(concatParts(queue), onWritten);
    } else {
      // Big parts (a large roster's segments) go out in one gathered write (writev), uncopied.
      const writes = coalesce(queue);
      this.socket.cork();
      for (let i = 0; i < writes.length - 1; i++) this.socket.write(writes[i]);
      accepted = this.socket.write(writes[writes.length - 1], onWritten);
      this.socket.uncork();
    }
    if (this.socket.writableLength > this.limits.hardQueueBytes) {
      this.overflow();
      return;
    }
    // A write the socket took without backpressure emits no 'drain': wake the waiters here.
    if (accepted) this.drained();
    else this.congestedSince ??= this.clock.now();
  }

  /** Too much unsent: forget the queue and let the owner close the connection. */
  private overflow(): void {
    this.queue = [];
    this.queuedLength = 0;
    this.queuedBigPart = false;
    this.flushCallbacks = [];
    this.onOverflow();
  }

  private drained(): void {
    this.congestedSince = undefined;
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
