/**
 * Frames from one connection, kept until someone asks for them: `next` resolves with the first
 * frame (already arrived or still to come) that matches, or rejects on an error frame about the
 * same request, on close, or after a time-out. Bounded: the oldest unclaimed frames are dropped.
 */
import type { ServerFrame } from '../../protocol/frames';
import { ClassChatError, isErrorCode } from '../../protocol/errors';

/** Where frames come from: a Connection, or ChatClient's device frames (chat-devices.ts). */
export interface FrameSource {
  on(event: 'frame', listener: (frame: ServerFrame) => void): unknown;
  on(event: 'close', listener: (error?: Error) => void): unknown;
}

const KEPT = 500;

interface Waiter {
  match: (frame: ServerFrame) => boolean;
  errorFor?: (frame: ServerFrame & { type: 'error' }) => boolean;
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FrameWaiter {
  private readonly kept: ServerFrame[] = [];
  private readonly waiters = new Set<Waiter>();
  private closed: Error | undefined;

  constructor(connection: FrameSource) {
    connection.on('frame', (frame) => this.arrived(frame));
    connection.on('close', (error) => {
      this.closed = error ?? new Error('the connection closed');
      for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(this.closed!));
    });
  }

  /** The next frame of `type` matching `where`; an error frame `errorFor` accepts rejects it instead. */
  next<T extends ServerFrame['type']>(
    type: T,
    where: (frame: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    errorFor?: (frame: Extract<ServerFrame, { type: 'error' }>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const match = (frame: ServerFrame) => frame.type === type && where(frame as Extract<ServerFrame, { type: T }>);
    const isError = (frame: ServerFrame) => frame.type === 'error' && (errorFor?.(frame as Extract<ServerFrame, { type: 'error' }>) ?? false);
    const index = this.kept.findIndex((frame) => match(frame) || isError(frame));
    if (index !== -1) {
      const [frame] = this.kept.splice(index, 1);
      return frame.type === type ? Promise.resolve(frame as Extract<ServerFrame, { type: T }>) : Promise.reject(errorOf(frame));
    }
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: (frame) => match(frame) || isError(frame),
        resolve: (frame) => (frame.type === type ? resolve(frame as Extract<ServerFrame, { type: T }>) : reject(errorOf(frame))),
        reject,
        timer: setTimeout(() => this.settle(waiter, () => reject(new Error(`no ${type} from the server in ${timeoutMs} ms`))), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private arrived(frame: ServerFrame): void {
    for (const waiter of this.waiters) {
      if (waiter.match(frame)) {
        this.settle(waiter, () => waiter.resolve(frame));
        return;
      }
    }
    this.kept.push(frame);
    if (this.kept.length > KEPT) this.kept.shift();
  }

  private settle(waiter: Waiter, run: () => void): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    run();
  }
}

function errorOf(frame: ServerFrame): ClassChatError {
  const error = frame as Extract<ServerFrame, { type: 'error' }>;
  return new ClassChatError(isErrorCode(error.code) ? error.code : 'internal', error.message);
}
