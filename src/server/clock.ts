/** Time as the server sees it; injected so rate limits and timeouts are testable. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
