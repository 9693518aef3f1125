/**
 * The seam between a server node and the other nodes sharing its store (PostgreSQL, issue 20):
 * messages they committed and users who came online or went offline on them. The store provides
 * the feed (`Store.cluster`, e.g. postgres/node-bus.ts); ClusterLink (cluster-link.ts) applies
 * it to this node's roster, presence and sessions. A single node has no feed.
 */
import type { StoredMessage } from './store/store';

export interface PresenceChange {
  name: string;
  publicKey: string | null;
  /** Whether the user has a session on the announcing node now. */
  online: boolean;
  /** Its delivery cursor as that node knows it (never ahead of what its client acknowledged). */
  ackedSeq: number;
}

export interface ClusterHandlers {
  /** Messages other nodes committed, in seq order, each once. */
  messages(messages: StoredMessage[]): void;
  /** A user's presence on another node changed. */
  presence(node: string, change: PresenceChange): void;
  /** Another node started: it has not heard who is online here. */
  joined(node: string): void;
  /** Another node shut down: nobody is online there any more. */
  left(node: string): void;
}

export interface ClusterFeed {
  /** Starts hearing other nodes (after the server loaded its state from the store). */
  start(handlers: ClusterHandlers): Promise<void>;
  /** Tells the other nodes that a user's presence on this node changed (best effort). */
  announce(change: PresenceChange): void;
  stop(): Promise<void>;
}
