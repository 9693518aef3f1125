/**
 * A small typed wrapper over node:events: event names and listener arguments are checked by the
 * compiler. `Events` maps each event name to its argument tuple.
 */
import { EventEmitter } from 'node:events';

export type EventMap<E> = { [K in keyof E]: unknown[] };

export class TypedEmitter<E extends EventMap<E>> {
  private readonly emitter = new EventEmitter();

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(): this {
    this.emitter.removeAllListeners();
    return this;
  }

  /**
   * Calls the listeners synchronously. Unlike a bare EventEmitter, an `error` event with no
   * listener is not thrown: every error the client emits is also reported through a rejected
   * promise or a `state` event, and throwing from a socket callback would crash the process.
   */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    if (event === 'error' && this.emitter.listenerCount('error') === 0) return false;
    return this.emitter.emit(event, ...args);
  }
}
