/** Requests waiting for a reply matched by `rid` (history pages), each with a timeout. */
import type { Clock, Timer } from './clock';
import { ChatClientError } from './errors';
import { newMessageId } from './outbox';

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: Timer;
}

export class PendingRequests<T> {
  private readonly pending = new Map<string, Pending<T>>();

  constructor(private readonly clock: Clock) {}

  /** Registers a request under a fresh rid; `send` writes it. The promise rejects with "timeout" after timeoutMs. */
  start(timeoutMs: number, what: string, send: (rid: string) => void): Promise<T> {
    const rid = newMessageId();
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(rid);
        reject(new ChatClientError('timeout', `the server did not answer the ${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(rid, { resolve, reject, timer });
      send(rid);
    });
  }

  has(rid: string | undefined): rid is string {
    return rid !== undefined && this.pending.has(rid);
  }

  /** Settles a request; false for an unknown rid (e.g. one that timed out). */
  resolve(rid: string, value: T): boolean {
    const request = this.take(rid);
    request?.resolve(value);
    return request !== undefined;
  }

  reject(rid: string, error: Error): boolean {
    const request = this.take(rid);
    request?.reject(error);
    return request !== undefined;
  }

  /** A server error that answers one of these requests (by its rid); false when none is pending. */
  claimError(rid: string | undefined, error: Error): boolean {
    return rid !== undefined && this.reject(rid, error);
  }

  /** Every pending request fails: the connection that would have carried the answer is gone. */
  connectionLost(): void {
    this.rejectAll(new ChatClientError('connection_lost', 'the connection was lost before the server answered'));
  }

  rejectAll(error: Error): void {
    for (const rid of [...this.pending.keys()]) this.reject(rid, error);
  }

  private take(rid: string): Pending<T> | undefined {
    const request = this.pending.get(rid);
    if (!request) return undefined;
    this.pending.delete(rid);
    request.timer.cancel();
    return request;
  }
}
