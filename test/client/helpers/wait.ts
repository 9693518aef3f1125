/** Bounded waits for client events. */
import type { ChatClient, ChatClientEvents } from '../../../src/client';

/** Resolves with the arguments of the first `event` matching `where`, or rejects after timeoutMs. */
export function nextEvent<K extends keyof ChatClientEvents & string>(
  client: ChatClient,
  event: K,
  where: (...args: ChatClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
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
export async function until(probe: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Settles on the next turn of the event loop (after pending I/O callbacks). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
