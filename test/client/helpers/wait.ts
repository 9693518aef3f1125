/**
 * Bounded waits for client events. The bounds are for liveness, not speed: generous enough for a
 * loaded 2-core CI machine (a 3 s bound once failed there on a wait that takes milliseconds here).
 */
import type { ChatClient, ChatClientEvents } from '../../../src/client';

const DEFAULT_WAIT_MS = 10_000;

/** Resolves with the arguments of the first `event` matching `where`, or rejects after timeoutMs. */
export function nextEvent<K extends keyof ChatClientEvents & string>(
  client: ChatClient,
  event: K,
  where: (...args: ChatClientEvents[K]) => boolean = () => true,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<ChatClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ChatClientEvents[K]) => {
      if (!where(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for "${event}"`));
    }, timeoutMs);
    client.on(event, listener);
  });
}

/** Polls `probe` until it returns true, or rejects after timeoutMs. */
export async function until(probe: () => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      // After a stall of the whole process the timer fires before the I/O that was waiting: let it run once.
      await new Promise((resolve) => setImmediate(resolve));
      if (probe()) return;
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves as `promise` does, or rejects after timeoutMs saying `what()` (state for the failure report). */
export async function within<T>(promise: Promise<T>, what: () => string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settles on the next turn of the event loop (after pending I/O callbacks). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
