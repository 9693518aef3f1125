/** The public types of ChatClient: options, states, events. */
import type { ChatMessage, UserInfo, WelcomeFrame } from '../protocol/frames';
import type { ClassChatError } from '../protocol/errors';
import type { Clock } from './clock';
import type { KeepAliveOptions } from './keep-alive';
import type { KeyStore } from './key-store';
import type { SentInfo } from './outbox';

export type ClientState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'connected'; welcome: WelcomeFrame }
  | { state: 'reconnecting'; attempt: number; delayMs: number; reason: Error }
  | { state: 'closed'; error?: Error };

export type ClientStateName = ClientState['state'];

export interface RosterEntry {
  publicKey: string | null;
  online: boolean;
}

export interface HistoryPage {
  with: string;
  /** Oldest first. */
  messages: ChatMessage[];
  /** Older messages exist: ask again with `before` = messages[0].seq. */
  more: boolean;
}

export interface QueuedMessage {
  id: string;
  to: string;
  /** Settles when the server has stored the message (or refused it). */
  sent: Promise<SentInfo>;
}

export type ChatClientEvents = {
  state: [state: ClientState];
  welcome: [welcome: WelcomeFrame];
  /** A message from the mailbox, each seq at most once per client. */
  message: [message: ChatMessage];
  /** `previous` is undefined when the user just registered. */
  presence: [user: UserInfo, previous: RosterEntry | undefined];
  roster: [roster: ReadonlyMap<string, RosterEntry>];
  /** Everything missed while offline has been delivered. */
  synced: [seq: number];
  sent: [info: SentInfo];
  /** Server errors not tied to a pending call, malformed server frames, and terminal failures. */
  error: [error: ClassChatError];
};

export interface ChatClientOptions {
  host: string;
  port: number;
  name: string;
  keyStore: KeyStore;
  joinCode?: string;
  /** Sent in `login.client` (default "classchat-client/0.1.0"). */
  clientName?: string;
  /** Reconnect delays: full jitter, cap initialMs · 2^attempt up to maxMs (defaults 500 ms, 30 s). */
  backoff?: { initialMs?: number; maxMs?: number; random?: () => number };
  /** Pause before resending after rate_limited / storage_failed (defaults 1 s, 15 s). */
  sendRetry?: { initialMs?: number; maxMs?: number; random?: () => number };
  timers?: Clock;
  /** From opening the socket to `welcome` (default 10 s). */
  connectTimeoutMs?: number;
  /** How long `history` waits for its page (default 10 s). */
  requestTimeoutMs?: number;
  keepAlive?: KeepAliveOptions;
  /** Acknowledge each message once emitted (default true). Off: call `acknowledge(seq)`. */
  autoAck?: boolean;
  /** Messages waiting for `sent` (default 10,000); beyond it sends reject with outbox_full. */
  outboxCapacity?: number;
  /** Sends awaiting `sent` at once (default 32). */
  maxInFlight?: number;
}
