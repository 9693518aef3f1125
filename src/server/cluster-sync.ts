/**
 * On nodes sharing a store (issue 20): brings this node's rooms and moderation up to what is
 * committed before it decides something another node may have changed a moment ago (a room made,
 * a mute lifted, a ban), so once any node has answered the teacher or a room's creator, every
 * node acts on it. It reads the other nodes' rows from the store itself (ClusterFeed.caughtUp),
 * so a late notification costs nothing but that read. One node needs none of this (ONE_NODE).
 */
import type { DeliveryOrder } from './delivery-order';
import type { Logger } from './logger';
import type { StateSync } from './server-services';
import type { ClusterFeed } from './store/store';

/** A server alone on its store: its state is the store's. */
export const ONE_NODE: StateSync = {
  shared: false,
  caughtUp: () => Promise.resolve(),
  current: () => Promise.resolve(),
  applied: () => Promise.resolve(),
};

export class ClusterSync implements StateSync {
  readonly shared = true;
  private order: DeliveryOrder | undefined;
  /** The catch-up in flight for `current`, and the one after it for callers that came during it. */
  private reading: Promise<void> | undefined;
  private following: Promise<void> | undefined;

  constructor(
    private readonly feed: ClusterFeed,
    private readonly log: Logger,
    /** Bound on each wait: past it (PostgreSQL unreachable) the node acts on what it knows. */
    private readonly maxWaitMs = 2000,
  ) {}

  /** ClusterLink hands every node's messages on through `order` from now on. */
  attach(order: DeliveryOrder | undefined): void {
    this.order = order;
  }

  caughtUp(): Promise<void> {
    return this.through(undefined);
  }

  /**
   * One catch-up at a time, each started after every call it answers (so it sees what they must),
   * the calls during it sharing the next: a read per round trip, however many messages come.
   */
  current(): Promise<void> {
    if (!this.reading) return (this.reading = this.caughtUp().finally(() => (this.reading = undefined)));
    return (this.following ??= this.reading.then(() => {
      this.following = undefined;
      return this.current();
    }));
  }

  applied(seq: number): Promise<void> {
    if (!this.order || this.order.handedOn >= seq) return Promise.resolve();
    return this.through(seq);
  }

  private async through(seq: number | undefined): Promise<void> {
    const order = this.order;
    if (!order) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.maxWaitMs)));
    try {
      const head = await Promise.race([this.feed.caughtUp(seq), late]);
      if (head !== undefined) await order.reached(head, this.maxWaitMs);
    } catch (error) {
      this.log.warn(`could not catch up with the other nodes: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
