/**
 * What the chat server needs from storage. The embedded default is `LogStore` (an append-only
 * log in a data directory, pure JavaScript); a multi-node deployment would put a real database
 * behind this same interface. Every implementation runs the shared suite in
 * test/server/store/store-suite.ts.
 */
import type { Box, FileRef } from '../../protocol/frames';
import type { DeviceListWire } from '../../protocol/device-frames';
import type { MessageRef } from '../../protocol/references';
import type { ChatEvent, Role } from '../../protocol/room-frames';
import type { ErrorCode } from '../../protocol/errors';
import type { Room } from '../rooms/room-book';
import type { ModerationState } from '../moderation/moderation-state';

export interface UserRecord {
  /** Normalised (lower-case) name. */
  name: string;
  /** Ed25519 public key, base64; null for a plain-text (keyless) user. */
  publicKey: string | null;
  /** Highest sequence number this user's client acknowledged; delivery resumes after it. */
  ackedSeq: number;
  /**
   * The head when the name was registered or bound to its current key (omitted when 0): private
   * messages up to it were another owner's (a plain-text user, or a name reset by the operator)
   * and are not this user's history.
   */
  historySince?: number;
}

export interface NewMessage {
  from: string;
  /** The sender's client-chosen id; (from, id) is unique. */
  id: string;
  /** A user name, "*" for everyone, or "#room" (v3). */
  to: string;
  ts: number;
  text?: string;
  box?: Box;
  plain?: true;
  /** A file offer (the file's bytes live in the file spool, not in the store). */
  file?: FileRef;
  /** A membership or moderation change, instead of text or box (v3). */
  event?: ChatEvent;
  /** A reply, edit, delete or reaction to the message with that seq (v3). */
  ref?: StoredRef;
  /** A room key distribution: delivered to v3 sessions only. */
  hidden?: true;
  /** Sent to a name nobody had registered: kept for its first login (PROTOCOL.md 20.7). */
  held?: true;
  /** v4: the sending device (PROTOCOL.md 22.6). */
  device?: string;
  /**
   * v4: the body key sealed to every device of the recipient and the sender's other devices. When
   * some are the sender's, the message is in the sender's mailbox too (its other devices get it).
   */
  keys?: DeviceKeyBox[];
}

/** One device's key box of a v4 private message (PROTOCOL.md 22.6). */
export interface DeviceKeyBox {
  user: string;
  device: string;
  nonce: string;
  ciphertext: string;
}

/** A user's linked devices (PROTOCOL.md 22): what the server keeps per name. */
export interface DeviceRecord {
  name: string;
  /** The newest list the server accepted (verified under the name's identity key). */
  list: DeviceListWire;
  /** Devices removed from a list or that left: their logins are refused with device_removed. */
  removed: string[];
  /** Each device's delivery cursor: the highest seq it acknowledged. */
  cursors: Record<string, number>;
  /** The recovery box the primary stored (22.8). */
  recovery?: Box;
  /**
   * Earlier lists, each the last to list a device since removed (oldest first, at most
   * MAX_PAST_LISTS): receivers need them to open what that device sent before it was removed (22.7).
   */
  past?: DeviceListWire[];
}

/** How many earlier lists a device record keeps (one per removal, the newest). */
export const MAX_PAST_LISTS = 4;

/** A reference as stored: `author` is the target's sender, for older clients' `[reply to bob]`. */
export type StoredRef = MessageRef & { author?: string };

export interface StoredMessage extends NewMessage {
  seq: number;
  /** Its content is that of this newest edit (the store applies edits, PROTOCOL.md 20.5). */
  edited?: { seq: number; id: string; ts: number };
  /** Deleted: its text or box (and its edits') were erased. */
  deleted?: { by: string; ts: number };
}

export interface AppendResult {
  message: StoredMessage;
  /** True when (from, id) was already stored: nothing new was written. */
  duplicate: boolean;
}

export interface HistoryQuery {
  /** Whose view: private messages are visible only to their two parties. */
  viewer: string;
  /** "*" for messages to everyone, or the other party of a private conversation (only after the viewer's historySince). */
  with: string;
  /** Only messages with seq < before (newest first paging). */
  before?: number;
  /** Only messages with seq > after (a room's history since the viewer joined). */
  after?: number;
  limit: number;
}

/** putUser refused: the name is bound to another key (`owner` is the stored user). */
export class NameTakenError extends Error {
  constructor(readonly owner: UserRecord) {
    super(`the name ${owner.name} is bound to another key`);
    this.name = 'NameTakenError';
  }
}

/** A room's `created` event, or a new user, refused: a room or a user has that name already (maybe made on another node). */
export class NameInUseError extends Error {
  constructor(readonly room: string) {
    super(`the name ${room} is a room or a user already`);
    this.name = 'NameInUseError';
  }
}

/** Why a message may not be stored after all (asked once no earlier copy was found); undefined when it may. */
export type AppendCheck = () => { code: ErrorCode; detail?: string } | undefined;

/** append refused by its check. */
export class AppendRefusedError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
  ) {
    super(`the message was refused: ${code}${detail ? ` (${detail})` : ''}`);
    this.name = 'AppendRefusedError';
  }
}

export interface Store {
  /** Present when other server nodes share this store: what they commit, and who is online there. */
  readonly cluster?: ClusterFeed;
  /** Loads or creates the store; recovers after a crash. */
  open(): Promise<void>;
  /** Flushes everything and releases files. */
  close(): Promise<void>;

  listUsers(): Promise<UserRecord[]>;
  /**
   * Registers a user, or binds a key to an existing keyless user. Either way ackedSeq and
   * historySince start at the current head: the mailbox starts empty, messages to everyone are
   * reachable through history, and private messages the name had before are not. Durable when
   * it resolves. A name already bound to another key (or asked for without one) is refused with
   * NameTakenError: on a shared store another node may have registered it a moment ago.
   */
  putUser(user: { name: string; publicKey: string | null }): Promise<UserRecord>;
  /** Forgets a user and its devices (operator reset): the name can be registered again with a new key. */
  deleteUser(name: string): Promise<boolean>;

  /**
   * Stores a message, assigning the next sequence number, or finds the earlier copy with the
   * same (from, id). Resolves only once the message is durable and readable, and new messages
   * resolve in seq order: the server hands each to caught-up sessions as it resolves. The seq
   * may be chosen only as it commits (PostgreSQL with several nodes): a store shared by nodes
   * commits seqs in order, so a reader that sees a seq sees every lower one.
   * A store shared by nodes asks `check` under its write lock once it found no earlier copy, and
   * rejects with AppendRefusedError when it refuses: a message refused here may still be a resend
   * of one another node stored. A store with one server may ignore it (it knows every copy).
   */
  append(message: NewMessage, check?: AppendCheck): Promise<AppendResult>;
  /**
   * Messages for `name`'s mailbox with seq > afterSeq, oldest first: private messages to them,
   * messages to everyone and to rooms they were in at the time (room events: see RoomBook),
   * except those they sent themselves, unless their `keys` name one of the sender's own devices
   * (v4: the sender's other devices get them).
   */
  readMailbox(name: string, afterSeq: number, limit: number): Promise<StoredMessage[]>;
  /** The retained message with this seq, as edits and deletes left it; undefined when there is none. */
  findBySeq(seq: number): Promise<StoredMessage | undefined>;
  /** A page of history, returned oldest first; `more` when older messages exist. */
  readHistory(query: HistoryQuery): Promise<{ messages: StoredMessage[]; more: boolean }>;
  /** Records that `name` acknowledged everything up to seq (never moves backwards). */
  setAcked(name: string, seq: number): Promise<void>;
  /** Every user's devices (v4), read at start. */
  listDevices(): Promise<DeviceRecord[]>;
  /**
   * Replaces a user's device record (list, removed devices, recovery box); its cursors never move
   * backwards (a lower one is ignored) and a device not in `cursors` keeps its own. Durable when it
   * resolves. Fails when the name is not registered.
   */
  putDevices(record: DeviceRecord): Promise<void>;
  /** Records that one device acknowledged everything up to seq (never moves backwards). */
  setDeviceAcked(name: string, device: string, seq: number): Promise<void>;
  /** Teachers and TAs by name (students are not listed), set by the operator; names need not be registered yet. */
  listRoles(): Promise<Map<string, Role>>;
  /** Sets a name's role (`student` removes it); durable when it resolves. */
  setRole(name: string, role: Role): Promise<void>;
  /** Who each user blocked (PROTOCOL.md 20.9), by blocker; a user who blocked nobody is not listed. */
  listBlocks(): Promise<Map<string, Set<string>>>;
  /** Blocks (`on`) or unblocks `blocked` for `blocker`; durable when it resolves. */
  setBlocked(blocker: string, blocked: string, on: boolean): Promise<void>;
  /**
   * Held messages (`held`) whose name is still unregistered and that no `undelivered` event has
   * ended, oldest first. A name registering gets its held messages in its mailbox: putUser starts
   * its ackedSeq just before the first of them.
   */
  listHeld(): Promise<StoredMessage[]>;
  /** Mutes, bans and exam mode as the stored moderation events left them. */
  moderation(): Promise<ModerationState>;
  /** Every room as its stored events left it (read at start; the server follows events after). */
  listRooms(): Promise<Room[]>;
  /**
   * The highest sequence number this server knows stored (0 when empty). On a store shared by
   * several nodes it may lag other nodes' newest messages until this node hears of them.
   */
  headSeq(): number;
  /**
   * Whether (from, id) is stored or being stored: a resend of it is answered as a duplicate
   * without the send checks. A store shared by nodes may miss another node's message here;
   * append still finds it and answers duplicate.
   */
  hasMessage(from: string, id: string): boolean;
}

// ---- several nodes on one store (issue 20): what the others commit and who is online there ----
// The store provides the feed (Store.cluster, e.g. postgres/node-bus.ts); ClusterLink
// (../cluster-link.ts) applies it to this node's roster, presence and sessions.

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
  /** Another node shut down, or fell silent for too long (killed): nobody is online there any more. */
  left(node: string): void;
  /** This node may have been counted dead by the others (it could not reach them for a while). */
  resumed(): void;
  /** The operator set a name's role in the shared store. */
  role(name: string, role: Role): void;
  /** A user on another node blocked or unblocked someone (PROTOCOL.md 20.9). */
  block(blocker: string, blocked: string, on: boolean): void;
  /** The listening connection came back: role and block changes made meanwhile were not heard. */
  missedNotes(): void;
}

export interface ClusterFeed {
  /** Starts hearing other nodes (after the server loaded its state from the store). */
  start(handlers: ClusterHandlers): Promise<void>;
  /** Tells the other nodes that a user's presence on this node changed (best effort). */
  announce(change: PresenceChange): void;
  /**
   * Reads what other nodes committed up to `upTo` (default: the store's head now), however late
   * their notifications are, and hands it to `messages` before resolving with that seq.
   */
  caughtUp(upTo?: number): Promise<number>;
  stop(): Promise<void>;
}
