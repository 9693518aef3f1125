/**
 * Messages between the extension host and the chat webview, both directions, as discriminated
 * unions. Imports nothing: compiled by the extension's tsconfig (Node) and the webview's (DOM).
 * The host checks what the webview posts with `parseWebviewMessage`; the webview trusts the host.
 */

/** The conversation with everyone (the protocol's "*" recipient). */
export const EVERYONE_ID = '*';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export interface ConnectionView {
  status: ConnectionStatus;
  /** Your user name once known. */
  me?: string;
  /** host:port */
  server?: string;
  /** Why the connection is down or retrying, in plain words. */
  detail?: string;
  online: number;
}

/**
 * How far the other person's key is trusted: 'verified' (safety numbers compared), 'pinned'
 * (first seen, not compared), 'key_changed' (differs from the pin: sending is held until the user
 * accepts it), 'unknown_key' (not seen yet), 'no_key' (a plain-text client).
 */
export type KeyState = 'verified' | 'pinned' | 'key_changed' | 'unknown_key' | 'no_key';

/** What the chat shows of a room: its header and why the composer may be off. */
export interface RoomSummary {
  /** 'group': chosen members; 'class': a teacher's, anyone may join. */
  kind: 'group' | 'class';
  /** End-to-end encrypted; false: the server can read it. */
  encrypted: boolean;
  /** Only teachers and TAs post in it. */
  readOnly: boolean;
  /** Members as far as known (0 while unknown). */
  members: number;
  /** This user is a member. */
  member: boolean;
}

export interface ConversationSummary {
  /** EVERYONE_ID, a classmate's name, or "#" and a room name. */
  id: string;
  title: string;
  /** Undefined for Everyone. */
  online?: boolean;
  unread: number;
  /** Undefined for Everyone. */
  key?: KeyState;
  /** Why sending here is not possible right now (the composer shows it), or undefined. */
  sendBlocked?: string;
  /** Set for a room. */
  room?: RoomSummary;
}

/**
 * pending: waiting for the server to store it; waiting: for `waitingFor` to join (nobody has the
 * name yet: it is encrypted and sent when they first log in); sent: stored; failed: refused (see `error`).
 */
export type Delivery = 'pending' | 'waiting' | 'sent' | 'failed';

/**
 * Where a file transfer stands, as its card shows it. 'offered': an incoming offer waiting for a
 * decision, or our upload done and waiting for the classmate; 'done': saved (incoming) or
 * delivered (outgoing).
 */
export type FileCardState = 'offered' | 'sending' | 'receiving' | 'done' | 'declined' | 'cancelled' | 'failed';

export interface FileCardView {
  /** The server's file id. */
  file: string;
  /** As the sender named it: display only, always rendered as text. */
  name: string;
  /** Plaintext bytes. */
  size: number;
  direction: 'incoming' | 'outgoing';
  /** The classmate on the other end. */
  peer: string;
  state: FileCardState;
  /** Whole percent, while sending or receiving. */
  percent?: number;
  /** Why it failed, in plain words. */
  reason?: string;
}

export interface MessageView {
  /** The sender's message id: stable from pending to sent. */
  id: string;
  seq?: number;
  from: string;
  mine: boolean;
  /** ms since the epoch (server time once sent). */
  ts: number;
  /** Undefined when it could not be decrypted; `problem` then says why. */
  text?: string;
  problem?: string;
  /** End-to-end encrypted: false means the server could read it (shown with a mark). */
  encrypted: boolean;
  /** Sent from a plain-text client (nc): the sender's name is not authenticated. */
  plain: boolean;
  delivery: Delivery;
  /** With delivery 'waiting': the name nobody has registered yet. */
  waitingFor?: string;
  error?: string;
  /** Set when the message is a file offer: the webview shows a card instead of the text. */
  file?: FileCardView;
  /** A membership or moderation change ("alice added bob"): shown as a centred system line. */
  system?: true;
  /** A reply: who and what it answers, as far as this client saw the original. */
  replyTo?: { seq: number; from?: string; snippet?: string };
  /** Changed by its sender since (the text is the newest). */
  edited?: true;
  /** Deleted: no text; `by` is who deleted it (the sender, or a teacher or TA). */
  deleted?: { by: string };
  /** Reactions, each with who reacted. */
  reactions?: Array<{ emoji: string; names: string[] }>;
  /** It names this user (@alice). */
  mentionsMe?: true;
}

export type HostMessage =
  /** Everything the view shows, after `ready` and when the open conversation changes. */
  | {
      type: 'snapshot';
      connection: ConnectionView;
      conversations: ConversationSummary[];
      active: string;
      messages: MessageView[];
      more: boolean;
    }
  | { type: 'connection'; connection: ConnectionView }
  | { type: 'conversations'; conversations: ConversationSummary[] }
  /** Older messages for the top of a conversation (history), oldest first. */
  | { type: 'older'; conversation: string; messages: MessageView[]; more: boolean }
  /** A new message, or a change to one already shown (pending → sent). */
  | { type: 'upsert'; conversation: string; message: MessageView }
  | { type: 'notice'; level: 'info' | 'error'; text: string };

export type WebviewMessage =
  /** The view is loaded and listening; `active` is the conversation it restored, if any. */
  | { type: 'ready'; active?: string }
  | { type: 'open'; conversation: string }
  | { type: 'send'; conversation: string; text: string }
  | { type: 'loadOlder'; conversation: string }
  | { type: 'connect' }
  /** Compare safety numbers with this classmate (the host shows them). */
  | { type: 'verify'; conversation: string }
  /** Accept this classmate's changed key (after the warning). */
  | { type: 'acceptKey'; conversation: string }
  /** A file card's buttons: Save… (the host asks where), Decline, Cancel. */
  | { type: 'acceptFile'; file: string }
  | { type: 'declineFile'; file: string }
  | { type: 'cancelFile'; file: string }
  /** A room header's buttons: Join (a class room), Members. `room` is "#name". */
  | { type: 'joinRoom'; room: string }
  | { type: 'roomMembers'; room: string };

const CONVERSATION_ID = /^(\*|#?[a-z0-9_.-]{1,32})$/;
/** "#" and a room name (protocol 20.1: the user-name characters). */
const ROOM_ID = /^#[a-z0-9_.-]{1,32}$/;
/** The server's file ids (protocol: 1-64 of A-Z a-z 0-9 _ -). */
const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Generous bound for one composer message; the client enforces the protocol's own limit. */
const MAX_TEXT_CHARS = 64 * 1024;

/** The webview's message checked field by field, or undefined when it is not one. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  const conversation = typeof message.conversation === 'string' && CONVERSATION_ID.test(message.conversation) ? message.conversation : undefined;
  switch (message.type) {
    case 'ready': {
      if (message.active === undefined) return { type: 'ready' };
      return typeof message.active === 'string' && CONVERSATION_ID.test(message.active) ? { type: 'ready', active: message.active } : { type: 'ready' };
    }
    case 'open':
    case 'loadOlder':
      return conversation === undefined ? undefined : { type: message.type, conversation };
    case 'verify':
    case 'acceptKey':
      return conversation === undefined || conversation === EVERYONE_ID || ROOM_ID.test(conversation) ? undefined : { type: message.type, conversation };
    case 'send':
      if (conversation === undefined || typeof message.text !== 'string' || message.text.length > MAX_TEXT_CHARS) return undefined;
      return { type: 'send', conversation, text: message.text };
    case 'connect':
      return { type: 'connect' };
    case 'acceptFile':
    case 'declineFile':
    case 'cancelFile':
      return typeof message.file === 'string' && FILE_ID.test(message.file) ? { type: message.type, file: message.file } : undefined;
    case 'joinRoom':
    case 'roomMembers':
      return typeof message.room === 'string' && ROOM_ID.test(message.room) ? { type: message.type, room: message.room } : undefined;
    default:
      return undefined;
  }
}
