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
  /** This user is a teacher or TA and may delete anyone's server-readable message here (Everyone, a room that is not encrypted). */
  moderate?: true;
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
  /** An image's data: URL, once saved or sent: PNG, JPEG, GIF or WebP by its bytes, at most 5 MiB. */
  preview?: string;
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
  /** Deleted: no text; `by` is who deleted it (the sender, or a teacher or TA: `role`, when known). */
  deleted?: { by: string; role?: 'teacher' | 'ta' };
  /** Reactions, each with who reacted. */
  reactions?: Array<{ emoji: string; names: string[] }>;
  /** It names this user (@alice). */
  mentionsMe?: true;
}

/** One search result, as the panel's search box and the Search Messages pick show it. */
export interface SearchHitView {
  conversation: string;
  /** "Everyone", a classmate's name, or "#room". */
  title: string;
  seq: number;
  from: string;
  ts: number;
  /** The text around the match; `marks` are [start, end) ranges of it to highlight. */
  snippet: string;
  marks: Array<[number, number]>;
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
  | { type: 'notice'; level: 'info' | 'error'; text: string }
  /** What the search box's `query` found (newest best first); stale answers are dropped by the view. */
  | { type: 'searchResults'; query: string; hits: SearchHitView[] }
  /** Open `conversation` at the message with this seq: scroll to it and highlight it, loading older history as needed. */
  | { type: 'reveal'; conversation: string; seq: number };

export type WebviewMessage =
  /** The view is loaded and listening; `active` is the conversation it restored, if any. */
  | { type: 'ready'; active?: string }
  | { type: 'open'; conversation: string }
  /** `replyTo`: the seq of the message this one answers. */
  | { type: 'send'; conversation: string; text: string; replyTo?: number }
  /** Your message `seq` gets new text. */
  | { type: 'edit'; conversation: string; seq: number; text: string }
  /** Deletes message `seq` (yours; staff: anyone's where the server can read it). */
  | { type: 'delete'; conversation: string; seq: number }
  /** Adds (or with `remove`, takes back) this user's reaction to message `seq`. */
  | { type: 'react'; conversation: string; seq: number; emoji: string; remove: boolean }
  /** Copy a message's text to the clipboard (the host's clipboard works in every VS Code). */
  | { type: 'copy'; text: string }
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
  | { type: 'roomMembers'; room: string }
  /** The search box's text: the host answers with `searchResults` for the same query. */
  | { type: 'search'; query: string };

const CONVERSATION_ID = /^(\*|#?[a-z0-9_.-]{1,32})$/;
/** "#" and a room name (protocol 20.1: the user-name characters). */
const ROOM_ID = /^#[a-z0-9_.-]{1,32}$/;
/** The server's file ids (protocol: 1-64 of A-Z a-z 0-9 _ -). */
const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Generous bound for one composer message; the client enforces the protocol's own limit. */
const MAX_TEXT_CHARS = 64 * 1024;
/** A search box's text longer than this is no search anyone types. */
export const MAX_SEARCH_CHARS = 200;

/** A reaction: one emoji or a short word without spaces (the client checks the protocol's 32 bytes). */
const REACTION = /^\S{1,32}$/u;

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT_CHARS;
}

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
      if (conversation === undefined || !isText(message.text)) return undefined;
      if (message.replyTo === undefined) return { type: 'send', conversation, text: message.text };
      return isSeq(message.replyTo) ? { type: 'send', conversation, text: message.text, replyTo: message.replyTo } : undefined;
    case 'edit':
      return conversation === undefined || !isSeq(message.seq) || !isText(message.text) ? undefined : { type: 'edit', conversation, seq: message.seq, text: message.text };
    case 'delete':
      return conversation === undefined || !isSeq(message.seq) ? undefined : { type: 'delete', conversation, seq: message.seq };
    case 'react':
      if (conversation === undefined || !isSeq(message.seq) || typeof message.emoji !== 'string' || !REACTION.test(message.emoji)) return undefined;
      if (message.remove !== undefined && typeof message.remove !== 'boolean') return undefined;
      return { type: 'react', conversation, seq: message.seq, emoji: message.emoji, remove: message.remove === true };
    case 'copy':
      return isText(message.text) ? { type: 'copy', text: message.text } : undefined;
    case 'connect':
      return { type: 'connect' };
    case 'acceptFile':
    case 'declineFile':
    case 'cancelFile':
      return typeof message.file === 'string' && FILE_ID.test(message.file) ? { type: message.type, file: message.file } : undefined;
    case 'joinRoom':
    case 'roomMembers':
      return typeof message.room === 'string' && ROOM_ID.test(message.room) ? { type: message.type, room: message.room } : undefined;
    case 'search':
      return typeof message.query === 'string' && message.query.length <= MAX_SEARCH_CHARS ? { type: 'search', query: message.query } : undefined;
    default:
      return undefined;
  }
}
