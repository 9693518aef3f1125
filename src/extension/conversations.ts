/**
 * What the chat shows, kept in the extension host: the roster, one conversation per classmate
 * plus Everyone, the messages of each (pending until the server stores them), and unread counts.
 * No vscode and no sockets: ChatSession feeds it client events, the views read it.
 */
import type { ReceivedMessage, RosterEntry } from '../client/types';
import { insertionIndex } from '../../webview/message-order';
import { ConversationSummary, EVERYONE_ID, FileCardView, KeyState, MessageView } from '../../webview/protocol';

/** Messages kept per conversation; older ones are dropped from memory (history can reload them). */
export const MAX_MESSAGES_PER_CONVERSATION = 1000;
/** Characters of the original a pending reply quotes (the client library's snippets are about as long). */
const QUOTE_CHARS = 80;

export interface Classmate {
  name: string;
  online: boolean;
  /** False for a plain-text (nc) user: private messages to them cannot be encrypted. */
  hasKey: boolean;
  unread: number;
  key: KeyState;
  /** Staff are named as such in the tree (absent: a student). */
  role?: 'teacher' | 'ta';
  /** This user blocked them: their messages are hidden. */
  blocked?: true;
}

export type ConversationChange =
  | { kind: 'list' }
  | { kind: 'message'; conversation: string; message: MessageView }
  | { kind: 'older'; conversation: string; messages: MessageView[]; more: boolean };

interface Conversation {
  messages: MessageView[];
  unread: number;
  /** Older messages exist on the server beyond what is loaded. */
  more: boolean;
  historyLoaded: boolean;
}

export class Conversations {
  private readonly roster = new Map<string, { online: boolean; hasKey: boolean; role?: 'teacher' | 'ta' }>();
  private readonly conversations = new Map<string, Conversation>();
  private blocked = new Set<string>();
  private readonly listeners = new Set<(change: ConversationChange) => void>();
  /** The conversation the chat view has open. */
  private activeId = EVERYONE_ID;
  /** Whether a person can see the chat view now (messages there are not unread). */
  private visible = false;

  /**
   * `keyState` tells how far each classmate's key is trusted (the client's trust book);
   * `trackCard` registers a file offer's card and returns what is known of its transfer (a
   * reloaded offer may be long done).
   */
  constructor(
    readonly me: string,
    private readonly keyState: (name: string) => KeyState = () => 'unknown_key',
    private readonly trackCard: (conversation: string, card: FileCardView) => FileCardView = (_conversation, card) => card,
  ) {}

  /** Key trust changed (verified, accepted, changed): redraw the lists. */
  keysChanged(): void {
    this.emit({ kind: 'list' });
  }

  /** A room was created, joined, left or changed: redraw the lists. */
  roomsChanged(): void {
    this.emit({ kind: 'list' });
  }

  onChange(listener: (change: ConversationChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get active(): string {
    return this.activeId;
  }

  /** Opens a conversation: its unread count drops to zero if the view is visible. */
  open(conversation: string): void {
    this.activeId = conversation;
    this.get(conversation);
    if (this.visible) this.markRead(conversation);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.markRead(this.activeId);
  }

  /** The user's block list changed (here or on another device). */
  setBlocked(names: readonly string[]): void {
    this.blocked = new Set(names);
    this.emit({ kind: 'list' });
  }

  setRoster(roster: ReadonlyMap<string, RosterEntry>): void {
    this.roster.clear();
    for (const [name, entry] of roster) {
      if (name !== this.me) this.roster.set(name, { online: entry.online, hasKey: entry.publicKey !== null, ...(entry.role ? { role: entry.role } : {}) });
    }
    this.emit({ kind: 'list' });
  }

  /** Classmates online first, then offline, each by name. */
  classmates(): Classmate[] {
    const names = new Set([...this.roster.keys(), ...[...this.conversations.keys()].filter((id) => id !== EVERYONE_ID && !isRoomId(id))]);
    return [...names]
      .map((name) => {
        const entry = this.roster.get(name);
        const hasKey = entry?.hasKey ?? true;
        const classmate: Classmate = { name, online: entry?.online ?? false, hasKey, unread: this.conversations.get(name)?.unread ?? 0, key: hasKey ? this.keyState(name) : 'no_key' };
        if (entry?.role) classmate.role = entry.role;
        if (this.blocked.has(name)) classmate.blocked = true;
        return classmate;
      })
      .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  }

  onlineCount(): number {
    let count = 0;
    for (const entry of this.roster.values()) if (entry.online) count++;
    return count;
  }

  /** Everyone first, then classmates as in `classmates()`. `sendBlocked` is filled by the session. */
  summaries(): ConversationSummary[] {
    const everyone: ConversationSummary = { id: EVERYONE_ID, title: 'Everyone', unread: this.get(EVERYONE_ID).unread };
    return [everyone, ...this.classmates().map((c) => ({ id: c.name, title: c.name, online: c.online, unread: c.unread, key: c.key }))];
  }

  unread(conversation: string): number {
    return this.conversations.get(conversation)?.unread ?? 0;
  }

  totalUnread(): number {
    let total = 0;
    for (const conversation of this.conversations.values()) total += conversation.unread;
    return total;
  }

  messages(conversation: string): readonly MessageView[] {
    return this.get(conversation).messages;
  }

  hasMore(conversation: string): boolean {
    const c = this.get(conversation);
    return !c.historyLoaded || c.more;
  }

  historyLoaded(conversation: string): boolean {
    return this.get(conversation).historyLoaded;
  }

  /** The conversation a message belongs to, seen from this user. */
  conversationOf(message: { from: string; to: string }): string {
    if (message.to === EVERYONE_ID || isRoomId(message.to)) return message.to;
    return message.from === this.me ? message.to : message.from;
  }

  /**
   * A message from the mailbox. Counts as unread unless it is ours or its conversation is open
   * in a visible view. Returns the view of it, or undefined when it was already shown.
   */
  receive(message: ReceivedMessage): { conversation: string; view: MessageView; unread: boolean } | undefined {
    const conversation = this.conversationOf(message);
    const c = this.get(conversation);
    const existing = c.messages.findIndex((m) => m.id === message.id && m.from === message.from);
    const view = this.withKnownCard(conversation, toView(message, this.me));
    if (existing >= 0) {
      // Our own message sent from this or another device: settle it, do not count it.
      c.messages[existing] = { ...c.messages[existing], seq: view.seq, ts: view.ts, delivery: 'sent', error: undefined };
      this.emit({ kind: 'message', conversation, message: c.messages[existing] });
      return undefined;
    }
    insertBySeq(c.messages, view);
    trim(c);
    // A system line (someone joined, was added...) is seen when the room is opened, not counted.
    const unread = !view.mine && view.system !== true && !(this.visible && this.activeId === conversation);
    if (unread) c.unread++;
    this.emit({ kind: 'message', conversation, message: view });
    if (unread || !this.roster.has(conversation)) this.emit({ kind: 'list' });
    return { conversation, view, unread };
  }

  /** An edit, a delete or a reaction changed a shown message: its row is redrawn (not counted as unread). */
  change(message: ReceivedMessage): void {
    const conversation = this.conversationOf(message);
    const c = this.get(conversation);
    const index = c.messages.findIndex((m) => m.id === message.id && m.from === message.from);
    if (index < 0) return;
    c.messages[index] = this.withKnownCard(conversation, { ...toView(message, this.me), delivery: c.messages[index].delivery });
    this.emit({ kind: 'message', conversation, message: c.messages[index] });
  }

  /** A message the user just typed, shown at once as pending (with the quote of what it replies to), or waiting for `to` to join. */
  addPending(id: string, to: string, text: string, now: number, encrypted: boolean, shown: { replyTo?: MessageView['replyTo']; waiting?: boolean } = {}): MessageView {
    const conversation = to === EVERYONE_ID ? EVERYONE_ID : to;
    const { replyTo, waiting = false } = shown;
    const view: MessageView = { id, from: this.me, mine: true, ts: now, text, encrypted, plain: false, delivery: waiting ? 'waiting' : 'pending', ...(replyTo && { replyTo }), ...(waiting ? { waitingFor: to } : {}) };
    const c = this.get(conversation);
    c.messages.push(view);
    trim(c);
    this.emit({ kind: 'message', conversation, message: view });
    return view;
  }

  /** The server stored our message. */
  markSent(id: string, to: string, seq: number, ts: number): void {
    this.update(to, id, { seq, ts, delivery: 'sent', error: undefined, waitingFor: undefined });
  }

  /** Our file offer, stored by the server: shown as a card (or updated, if history had it already). */
  addOwnFile(id: string, to: string, seq: number, ts: number, card: FileCardView): void {
    const c = this.get(to);
    const existing = c.messages.findIndex((m) => m.id === id && m.mine);
    const view: MessageView = { id, seq, from: this.me, mine: true, ts, text: `sent a file: ${card.name}`, encrypted: true, plain: false, delivery: 'sent', file: card };
    if (existing >= 0) c.messages[existing] = view;
    else insertBySeq(c.messages, view);
    trim(c);
    this.emit({ kind: 'message', conversation: to, message: view });
  }

  /** A transfer moved on: redraw its card (a no-op when its message is not in memory). */
  updateFileCard(conversation: string, card: FileCardView): void {
    const c = this.conversations.get(conversation);
    const index = c?.messages.findIndex((m) => m.file?.file === card.file) ?? -1;
    if (!c || index < 0) return;
    c.messages[index] = { ...c.messages[index], file: card };
    this.emit({ kind: 'message', conversation, message: c.messages[index] });
  }

  /** The server or the client refused our message. */
  markFailed(id: string, to: string, error: string): void {
    this.update(to, id, { delivery: 'failed', error });
  }

  /** A page of history, oldest first: messages not yet shown go on top. */
  addHistory(conversation: string, messages: readonly ReceivedMessage[], more: boolean): void {
    const c = this.get(conversation);
    const known = new Set(c.messages.map((m) => `${m.from}\u0000${m.id}`));
    const oldestSeq = c.messages.find((m) => m.seq !== undefined)?.seq ?? Infinity;
    const older = messages.filter((m) => !known.has(`${m.from}\u0000${m.id}`) && m.seq < oldestSeq).map((m) => this.withKnownCard(conversation, toView(m, this.me)));
    const room = Math.max(0, MAX_MESSAGES_PER_CONVERSATION - c.messages.length);
    const kept = older.slice(Math.max(0, older.length - room));
    c.messages.unshift(...kept);
    c.historyLoaded = true;
    c.more = more || kept.length < older.length;
    this.emit({ kind: 'older', conversation, messages: kept, more: c.more });
  }

  /** How a reply to message `seq` of `conversation` quotes it, from the messages shown. */
  quoteOf(conversation: string, seq: number): NonNullable<MessageView['replyTo']> {
    const target = this.conversations.get(conversation)?.messages.find((m) => m.seq === seq);
    if (!target) return { seq };
    const firstLine = target.deleted ? undefined : target.text?.split('\n')[0];
    return { seq, from: target.from, ...(firstLine !== undefined && { snippet: firstLine.length > QUOTE_CHARS ? `${firstLine.slice(0, QUOTE_CHARS)}…` : firstLine }) };
  }

  /** The seq to ask history for messages before, or undefined to ask for the newest page. */
  oldestSeq(conversation: string): number | undefined {
    return this.get(conversation).messages.find((m) => m.seq !== undefined)?.seq;
  }

  /** The view with its file card's known state, and the role of whoever deleted it for someone else. */
  private withKnownCard(conversation: string, view: MessageView): MessageView {
    const role = view.deleted && view.deleted.by !== view.from ? this.roster.get(view.deleted.by)?.role : undefined;
    const shown = role && view.deleted ? { ...view, deleted: { ...view.deleted, role } } : view;
    return shown.file ? { ...shown, file: this.trackCard(conversation, shown.file) } : shown;
  }

  private markRead(conversation: string): void {
    const c = this.conversations.get(conversation);
    if (!c || c.unread === 0) return;
    c.unread = 0;
    this.emit({ kind: 'list' });
  }

  private update(to: string, id: string, patch: Partial<MessageView>): void {
    const conversation = to === EVERYONE_ID ? EVERYONE_ID : to;
    const c = this.get(conversation);
    const index = c.messages.findIndex((m) => m.id === id && m.mine);
    if (index < 0) return;
    c.messages[index] = { ...c.messages[index], ...patch };
    this.emit({ kind: 'message', conversation, message: c.messages[index] });
  }

  private get(conversation: string): Conversation {
    let c = this.conversations.get(conversation);
    if (!c) {
      c = { messages: [], unread: 0, more: false, historyLoaded: false };
      this.conversations.set(conversation, c);
    }
    return c;
  }

  private emit(change: ConversationChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

const PROBLEMS: Record<string, string> = {
  could_not_decrypt: 'This message could not be decrypted (damaged, or sealed for another key).',
  misaddressed: 'This message was dropped: it was encrypted for another conversation (replayed by the server).',
  unknown_key: 'This message cannot be decrypted: the sender’s key is not known.',
};

export function toView(message: ReceivedMessage, me: string): MessageView {
  const view: MessageView = {
    id: message.id,
    seq: message.seq,
    from: message.from,
    mine: message.from === me,
    ts: message.ts,
    encrypted: message.encrypted,
    plain: message.plain === true,
    delivery: 'sent',
  };
  if (message.text !== undefined) view.text = message.text;
  if (message.event !== undefined) view.system = true;
  if (message.attachment) {
    const { file, name, size } = message.attachment;
    const mine = message.from === me;
    view.file = { file, name, size, direction: mine ? 'outgoing' : 'incoming', peer: mine ? message.to : message.from, state: 'offered' };
  }
  if (message.replyTo) view.replyTo = { ...message.replyTo };
  if (message.edited) view.edited = true;
  if (message.reactions && message.reactions.length > 0) view.reactions = message.reactions.map((r) => ({ emoji: r.emoji, names: [...r.names] }));
  if (message.mentionsMe) view.mentionsMe = true;
  if (message.deleted) view.deleted = { by: message.deleted.by };
  else if (message.text === undefined) view.problem = PROBLEMS[message.decryptError ?? 'could_not_decrypt'] ?? PROBLEMS.could_not_decrypt;
  return view;
}

/** "#lab-3": a room's conversation (user names never start with "#"). */
export function isRoomId(conversation: string): boolean {
  return conversation.startsWith('#');
}

function insertBySeq(messages: MessageView[], view: MessageView): void {
  messages.splice(insertionIndex(messages, view), 0, view);
}

function trim(c: Conversation): void {
  const excess = c.messages.length - MAX_MESSAGES_PER_CONVERSATION;
  if (excess > 0) {
    c.messages.splice(0, excess);
    c.more = true;
  }
}
