/**
 * Bounds on what the server holds for readers that do not keep up (issue 14 item 6): each
 * connection may have 1 MiB unsent and stay congested 15 s; all of them together 256 MiB. A
 * connection past either is closed without a frame (it is not reading); its mail waits in the store.
 */
import type { Clock } from './clock';
import type { Connection } from './connection';
import type { Logger } from './logger';
import { UnsentBudget } from './unsent-budget';

export const OUTPUT_LIMIT_DEFAULTS = {
  /** Mailbox delivery (and a roster stream) pauses above this much unsent. */
  softQueueBytes: 256 * 1024,
  /** A connection with more unsent than this is closed (was 8 MiB: ×200 per address). */
  hardQueueBytes: 1024 * 1024,
  /** A connection whose socket has not drained for this long is closed (was 60 s). */
  stallTimeoutMs: 15_000,
  /** All connections' unsent output together; above it the longest-congested is closed first. */
  unsentBudgetBytes: 256 * 1024 * 1024,
} as const;

export type OutputLimits = { -readonly [K in keyof typeof OUTPUT_LIMIT_DEFAULTS]: number };

/** The defaults, with what the options set. */
export function outputLimits(options: Partial<OutputLimits>): OutputLimits {
  const limits: OutputLimits = { ...OUTPUT_LIMIT_DEFAULTS };
  for (const key of Object.keys(limits) as Array<keyof OutputLimits>) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

export class SlowConsumers {
  readonly budget: UnsentBudget;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connections: Iterable<Connection>,
    private readonly stallTimeoutMs: number,
    unsentBudgetBytes: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.budget = new UnsentBudget(unsentBudgetBytes);
  }

  /** Starts looking for stalled connections a few times per stall timeout. */
  start(): void {
    this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(5000, this.stallTimeoutMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Closes a connection that cannot keep up; what it missed stays in its mailbox. */
  drop(connection: Connection, why: string): void {
    if (connection.socket.destroyed) return;
    this.log.warn(`closing slow consumer ${connection.session?.name ?? connection.address}: ${why}`);
    connection.socket.destroy();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const connection of this.connections) {
      const since = connection.transport.congestedSince;
      if (since !== undefined && now - since > this.stallTimeoutMs) this.drop(connection, `has not drained for ${now - since} ms`);
    }
  }
}
