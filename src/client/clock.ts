/** Time for the client: injected so backoff, keep-alive and timeouts are testable with a fake clock. */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls `callback` once after `ms` milliseconds unless cancelled. */
  setTimeout(callback: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
