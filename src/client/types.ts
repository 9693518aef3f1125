/** The public types of ChatClient: options, states, events. */
import type { SeenStore } from './seen-store';
import type { ChatMessage, FileState, UserInfo, WelcomeFrame } from '../protocol/frames';
import type { ClassChatError } from '../protocol/errors';
import type { Clock } from './clock';
import type { KeepAliveOptions } from './keep-alive';
import type { ChatClientError } from './errors';
import type { KeyStore } from './key-store';
import type { SentInfo } from './outbox';
import type { FileOfferView } from './file-transfer-types';
import type { ClientTlsOptions } from './tls';
import type { ServerAddress } from './server-list';
import type { KeyChange, KeyTrust } from './trust-book';
import type { TrustStore } from './trust-store';
import type { RoomKeyStore } from './room-key-store';
import type { RoomView } from './room-book';
import type { DeviceOptions, DeviceView, LinkRequest } from './devices/device-types';
import type { ListWarning } from './devices/device-lists';

/**
 * How far a message can be trusted. For an encrypted message it is the state of the other
 * person's key that opened it: 'verified' (safety numbers compared), 'pinned' (first seen, not
 * verified), 'key_changed' (opened only with a key that differs from the pin: not accepted yet),
 * 'unknown_key' (no key known). 'not_encrypted': sent as text, readable by the server (messages
 * to everyone, private messages to or from plain-text users, or text a server made up).
 */
export type MessageTrust = KeyTrust | 'not_encrypted';

/**
 * Why an encrypted message has no text: 'could_not_decrypt' (tampered, truncated, or sealed with
 * another key), 'misaddressed' (it opened, but names another sender, recipient or id: a box
 * replayed by the server), 'unknown_key' (no key is known for the other person),
 * 'sealed_before_linked' (v4: sent before this device was linked, so not sealed to it).
 */
export type DecryptError = 'could_not_decrypt' | 'misaddressed' | 'unknown_key' | 'sealed_before_linked';

/** A message as the client shows it: private and room boxes decrypted and checked. */
export interface ReceivedMessage extends ChatMessage {
  /**
   * The conversation it belongs to: "*" (everyone), the other person's name (private), or
   * "#room". Always set by ChatClient; optional only for messages an application builds itself.
   */
  conversation?: string;
  /** The text: as sent, or decrypted. Undefined only when `decryptError` says why. */
  text?: string;
  /** Sent end-to-end encrypted (as a box). False means the server could read it. */
  encrypted: boolean;
  trust: MessageTrust;
  decryptError?: DecryptError;
  /** A file offer's details (name, size), when the message is one. */
  attachment?: FileOfferView;
  /** A reply: the message it answers, with its sender and first line when this client has seen it (20.5). */
  replyTo?: ReplyTarget;
  /** Reactions to it, one entry per emoji, in the order first given. Absent when there are none. */
  reactions?: Reaction[];
  /** Valid `@name` tokens of the text, normalised. Always set by ChatClient. */
  mentions?: string[];
  /** One of `mentions` is this user: notify. Always set by ChatClient. */
  mentionsMe?: boolean;
}

export interface ReplyTarget {
  seq: number;
  /** Who wrote it, once this client has seen it. */
  from?: string;
  /** Its first line, shortened, once this client has seen it (absent for a deleted one). */
  snippet?: string;
}

export interface Reaction {
  emoji: string;
  /** Who reacted so, in the order they did. */
  names: string[];
}

/** An earlier message changed: edited, deleted, or its reactions (emitted instead of a new message). */
export interface MessageChange {
  conversation: string;
  /** The changed message's seq. */
  seq: number;
  how: 'edited' | 'deleted' | 'reactions';
  /** The message as it is to be shown now. */
  message: ReceivedMessage;
}

export interface SendOptions {
  /**
   * Allow a private message to a plain-text user (who has no key) to go unencrypted, readable by
   * the server. Without it such a send is refused with `no_key`. Ignored for users with a key.
   */
  allowUnencrypted?: boolean;
  /** Sends the text as a reply to the message with this seq (of the same conversation; protocol v3). */
  replyTo?: number;
  /**
   * A private message to a valid name nobody has registered yet waits (`QueuedMessage.waiting`)
   * until that name joins, then is encrypted and sent; after 7 days it is dropped (`sent` rejects
   * with `expired`). Protocol v3 only; without it (or on older servers) such a send is refused
   * with unknown_user.
   */
  waitForJoin?: boolean;
}

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
  /** v3: a teacher or TA, as the server says (absent: a student). */
  role?: 'teacher' | 'ta';
}

export interface HistoryPage {
  with: string;
  /** Oldest first, private boxes decrypted. */
  messages: ReceivedMessage[];
  /** Older messages exist: ask again with `before` = messages[0].seq. */
  more: boolean;
}

export interface QueuedMessage {
  id: string;
  to: string;
  /** Sealed end-to-end (a box); false: the server can read it. */
  encrypted: boolean;
  /** Held until `to` joins (SendOptions.waitForJoin): nobody has that name yet. */
  waiting?: true;
  /** Settles when the server has stored the message (or refused it). */
  sent: Promise<SentInfo>;
}

export type ChatClientEvents = {
  state: [state: ClientState];
  welcome: [welcome: WelcomeFrame];
  /**
   * A message from the mailbox, each seq at most once per client, private boxes decrypted. An
   * encrypted message whose sender's id was shown lately (a replay by the server) is not emitted.
   */
  message: [message: ReceivedMessage];
  /**
   * An edit, a delete or a reaction changed a message this client has shown (live; history pages
   * come with them applied). These never arrive as `message` events of their own.
   */
  messageChanged: [change: MessageChange];
  /**
   * The server reports a key for `name` that differs from the pinned one, or no key at all
   * (`current` null). Until `acceptKey` or `verify`, sends to `name` are refused (key_changed,
   * even unencrypted ones) and their messages marked.
   */
  keyChanged: [name: string, change: KeyChange];
  /** `previous` is undefined when the user just registered. */
  presence: [user: UserInfo, previous: RosterEntry | undefined];
  roster: [roster: ReadonlyMap<string, RosterEntry>];
  /** Everything missed while offline has been delivered. */
  synced: [seq: number];
  sent: [info: SentInfo];
  /** A file offered to this user arrived (also emitted as a `message` with `attachment`). */
  fileOffer: [offer: FileOfferView];
  /** A transfer this user is part of changed state on the server (uploaded, delivered, declined…). */
  fileState: [file: string, state: FileState, by: string | undefined];
  /** A room this user knows changed: created, joined, left, members added or removed, its info or member list learned. */
  room: [room: RoomView];
  /** This user's block list changed (here or on another device): `names` is the whole list, sorted. */
  blocked: [names: string[]];
  /** Linked devices (ChatClientOptions.devices): a device list the server reported does not verify (a substituted key, a rollback): not used. */
  deviceWarning: [warning: ListWarning];
  /** Someone asks to link a new device to this name: approve it on the primary with `devices.approve(link, code)`. */
  linkRequest: [request: LinkRequest];
  /** This user's devices changed (linked, removed). */
  devices: [devices: DeviceView[]];
  /** The recovery code made at the first connect with devices (or after recovery): show it once, to write down. */
  recoveryCode: [code: string];
  /** Server errors not tied to a pending call, malformed server frames, terminal failures, pins that could not be saved. */
  error: [error: ClassChatError | ChatClientError];
};

export interface ChatClientOptions {
  host: string;
  port: number;
  /** More nodes of the same server (sharing one store): reconnects go to the next address in turn. */
  servers?: ServerAddress[];
  name: string;
  keyStore: KeyStore;
  /** Where trust-on-first-use pins are kept (default: in memory, forgotten on exit). */
  trustStore?: TrustStore;
  /** Where the room sender keys are kept (default: in memory; then encrypted rooms' older messages are unreadable after a restart). */
  roomKeyStore?: RoomKeyStore;
  joinCode?: string;
  /** Connect with TLS, verifying the server by system CAs, `ca`, or a pinned `fingerprint`. Plain TCP when absent. */
  tls?: ClientTlsOptions;
  /** Sent in `login.client` (default "classchat-client/0.1.0"). */
  clientName?: string;
  /** Send and receive file chunks as raw bytes where the server offers it (default true; false keeps base64 lines). */
  binaryChunks?: boolean;
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
  /**
   * The highest seq an earlier client of this user showed (its `lastSeenSeq`, kept by the app):
   * sent in the login, so messages it showed but could not acknowledge are not shown again.
   */
  lastSeenSeq?: number;
  /**
   * Loads `lastSeenSeq` and the recent encrypted message ids (so replays stay dropped after a
   * restart) before the first login, and keeps them saved (within a second, and on close).
   */
  seenStore?: SeenStore;
  /**
   * Linked devices (protocol v4, PROTOCOL.md 22): this computer's label and where its device key
   * is kept. The first connect makes this computer the primary and a recovery code (`recoveryCode`
   * event, or `devices.takeRecoveryCode()`); a device linked with `linkDevice` logs in as the same person.
   */
  devices?: DeviceOptions;
  /** Messages waiting for `sent` (default 10,000); beyond it sends reject with outbox_full. */
  outboxCapacity?: number;
  /** Sends awaiting `sent` at once (default 32). */
  maxInFlight?: number;
}
