/**
 * One connection as the extension shows it: a ChatClient, the Conversations it feeds, and the
 * connection view (status bar, composer). No vscode: tested against a real server in plain mocha.
 */
import { randomBytes } from 'node:crypto';
import { ChatClient } from '../client/chat-client';
import type { IncomingFile } from '../client/file-download';
import type { FileOfferView } from '../client/file-transfer-types';
import type { OutgoingFile } from '../client/file-upload';
import type { ChatClientOptions, ClientState } from '../client/types';
import { TypedEmitter } from '../client/typed-events';
import { ConnectionView, ConversationSummary, EVERYONE_ID, KeyState } from '../../webview/protocol';
import { ConversationChange, Conversations } from './conversations';
import { describeSendError } from './error-text';
import { FileCards } from './file-cards';
import { roomId, roomNameOf, SessionRooms } from './session-rooms';
import { SessionSearch } from './session-search';

/** Messages per history page when a conversation opens or scrolls up. */
export const HISTORY_PAGE = 50;

export type ChatSessionEvents = {
  connection: [connection: ConnectionView];
  change: [change: ConversationChange];
  /** A message from someone else arrived while its conversation was not in view. */
  /** `mentionsMe`: it names this user, so it notifies even in Everyone. */
  unread: [conversation: string, from: string, text: string | undefined, mentionsMe: boolean];
  /** The client stopped for good: `error` says why, undefined when closed on purpose. */
  ended: [error: Error | undefined];
  /** The server reports a key for `name` that differs from the pinned one. */
  keyChanged: [name: string];
  /** A failure outside any call (lost for good, a key store that cannot save). */
  error: [error: Error];
  /** A file offered to this user, waiting for a decision: once per offer (live, or found at login). */
  fileOffer: [offer: FileOfferView];
};

export class ChatSession extends TypedEmitter<ChatSessionEvents> {
  readonly conversations: Conversations;
  readonly rooms: SessionRooms;
  /** Every message this session has shown, searchable (decrypted ones too, in memory only). */
  readonly search: SessionSearch;
  readonly server: string;
  private readonly client: ChatClient;
  /** A teacher's or TA's requests (moderation-commands.ts); the server refuses anyone else. */
  readonly moderation: Pick<ChatClient, 'mute' | 'unmute' | 'setExamMode' | 'ban' | 'unban'>;
  /** Edits, deletes and reactions (message-actions.ts), each naming a message this client has seen. */
  readonly references: Pick<ChatClient, 'editMessage' | 'deleteMessage' | 'react' | 'unreact'>;
  /** This user's block list, kept by the server for every device (block-commands.ts). */
  readonly blocks: ChatClient['blocks'];
  private readonly files: FileCards;
  private connectionView: ConnectionView;
  private readonly loadingHistory = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(options: ChatClientOptions & { now?: () => number }) {
    super();
    this.client = new ChatClient(options);
    this.now = options.now ?? Date.now;
    this.server = `${options.host}:${options.port}`;
    this.conversations = new Conversations(
      this.client.name,
      (name) => this.keyState(name),
      (conversation, card) => this.files.track(conversation, card),
    );
    this.files = new FileCards(this.conversations);
    this.search = new SessionSearch(this.conversations);
    this.rooms = new SessionRooms(this.client, this.conversations);
    this.moderation = this.client;
    this.references = this.client;
    this.blocks = this.client.blocks;
    this.client.on('blocked', (names) => this.conversations.setBlocked(names));
    this.connectionView = { status: 'disconnected', me: this.client.name, server: this.server, online: 0 };
    this.conversations.onChange((change) => this.emit('change', change));
    this.client.on('state', (state) => this.onState(state));
    this.client.on('roster', (roster) => {
      this.conversations.setRoster(roster);
      this.setConnection({ ...this.connectionView, online: this.conversations.onlineCount() });
    });
    this.client.on('message', (message) => {
      const received = this.conversations.receive(message);
      // A file offer has its own notification (fileOffer), with Save…/Decline.
      const offerToMe = message.attachment !== undefined && message.to === this.client.name;
      if (received?.unread && !offerToMe) this.emit('unread', received.conversation, message.from, received.view.text, message.mentionsMe === true);
    });
    this.client.on('messageChanged', (change) => this.conversations.change(change.message));
    this.client.on('fileOffer', (offer) => {
      if (this.files.announce(offer)) this.emit('fileOffer', offer);
    });
    this.client.on('fileState', (file, state, by) => this.files.serverState(file, state, by));
    this.client.on('error', (error) => this.emit('error', error));
    this.client.on('keyChanged', (name) => {
      this.conversations.keysChanged();
      this.emit('keyChanged', name);
    });
  }

  get name(): string {
    return this.client.name;
  }

  get connection(): ConnectionView {
    return this.connectionView;
  }

  /** Connects and logs in; rejects when this first attempt fails (later losses reconnect by themselves). */
  async connect(): Promise<void> {
    await this.client.connect();
  }

  keyState(name: string): KeyState {
    try {
      return this.client.keyTrust(name);
    } catch {
      return 'unknown_key';
    }
  }

  /** The safety number to compare with `name` (12 groups of 5 digits). */
  safetyNumber(name: string): Promise<string> {
    return this.client.safetyNumber(name);
  }

  /** Marks `name`'s key verified; throws key_changed if it changed since `comparedNumber` was shown. */
  async verify(name: string, comparedNumber: string): Promise<void> {
    await this.client.verify(name, comparedNumber);
    this.conversations.keysChanged();
  }

  /** Accepts the key `name` has now, after a key change (pinned again, not verified). */
  async acceptKey(name: string): Promise<void> {
    await this.client.acceptKey(name);
    this.conversations.keysChanged();
  }

  /** Why the composer cannot send to `conversation` now, or undefined. */
  sendBlocked(conversation: string): string | undefined {
    if (this.connectionView.status === 'disconnected') return 'Not connected. Connect to send messages.';
    if (this.connectionView.status === 'connecting') return 'Connecting…';
    if (conversation === EVERYONE_ID) return undefined;
    const room = roomNameOf(conversation);
    if (room !== undefined) return this.rooms.sendBlocked(room);
    if (this.client.roster.get(conversation)?.publicKey === null) {
      return `${conversation} uses a plain-text client: a private message to them could not be encrypted, so it is not offered here.`;
    }
    if (this.keyState(conversation) === 'key_changed') return `${conversation}'s key changed. Compare safety numbers or accept the new key before sending.`;
    return undefined;
  }

  /** Everyone, then the rooms this user is in (and the open one), then classmates. */
  summaries(): ConversationSummary[] {
    const [everyone, ...classmates] = this.conversations.summaries();
    const active = roomNameOf(this.conversations.active);
    const shown = this.rooms.mine().map((room) => room.name);
    if (active !== undefined && !shown.includes(active) && this.rooms.get(active)) shown.push(active);
    const rooms = shown.map((name): ConversationSummary => {
      const id = roomId(name);
      return { id, title: id, unread: this.conversations.unread(id), room: this.rooms.summary(name) };
    });
    const staff = this.client.roster.get(this.client.name)?.role !== undefined;
    return [everyone, ...rooms, ...classmates].map((summary) => {
      const blocked = this.sendBlocked(summary.id);
      const shown = blocked === undefined ? summary : { ...summary, sendBlocked: blocked };
      // Staff delete anyone's message only where the server can read it (PROTOCOL.md 20.5).
      const readable = summary.id === EVERYONE_ID || (summary.room !== undefined && !summary.room.encrypted);
      return staff && readable ? { ...shown, moderate: true as const } : shown;
    });
  }

  /**
   * Shows the message as pending at once, then sent or failed. Reconnecting is fine: the client's
   * outbox sends it (with the same id) once the connection is back.
   */
  send(conversation: string, text: string, replyTo?: number): void {
    if (text.trim() === '') return;
    let queued;
    const quote = replyTo === undefined ? undefined : this.conversations.quoteOf(conversation, replyTo);
    try {
      // To a name nobody has yet: it waits for them to join (PROTOCOL.md 20.7).
      queued = this.client.queueText(conversation, text, { waitForJoin: true, ...(replyTo === undefined ? {} : { replyTo }) });
    } catch (error) {
      const id = `local-${randomBytes(8).toString('hex')}`;
      this.conversations.addPending(id, conversation, text, this.now(), false, { replyTo: quote });
      this.conversations.markFailed(id, conversation, describeSendError(error));
      return;
    }
    // queueText seals every private message (it refuses rather than send one in the clear).
    const room = roomNameOf(queued.to);
    const encrypted = room !== undefined ? this.rooms.encrypted(room) : queued.to !== EVERYONE_ID;
    this.conversations.addPending(queued.id, queued.to, text, this.now(), encrypted, { replyTo: quote, waiting: queued.waiting === true });
    queued.sent.then(
      (info) => this.conversations.markSent(info.id, queued.to, info.seq, info.ts),
      (error: unknown) => this.conversations.markFailed(queued.id, queued.to, describeSendError(error)),
    );
  }

  // ---- files ----

  /** Offers the file at `path` to `to` and starts the upload; its card shows in the conversation. */
  async sendFile(to: string, path: string): Promise<OutgoingFile> {
    const upload = await this.client.sendFile(to, path);
    this.files.outgoing(upload, path);
    return upload;
  }

  /** Receives an offered file into `dir` as `name` (never overwriting: "name (1).ext"). */
  async acceptFile(file: string, dir: string, name?: string): Promise<IncomingFile> {
    const download = await this.client.acceptFile(file, dir, name === undefined ? {} : { name });
    this.files.incoming(download, this.files.offer(file));
    return download;
  }

  declineFile(file: string): void {
    this.client.declineFile(file);
  }

  cancelFile(file: string): void {
    this.client.cancelFile(file);
  }

  /** Redraws a file card whose button led nowhere (dialog dismissed, request refused). */
  refreshFileCard(file: string): void {
    this.files.refresh(file);
  }

  /** An offer to this user seen in this session (from a message or the server's list). */
  fileOffer(file: string): FileOfferView | undefined {
    return this.files.offer(file);
  }

  /** After login: cards brought up to date, and offers that waited for us announced (once each). */
  private checkFiles(): void {
    this.client.listFiles().then(
      (files) => {
        for (const offer of this.files.status(files, this.client.name)) {
          if (this.files.announce(offer)) this.emit('fileOffer', offer);
        }
      },
      (error: unknown) => this.emit('error', error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** The newest page the first time a conversation opens, then older pages on request. */
  loadHistory(conversation: string, older = false): Promise<void> {
    if (!older && this.conversations.historyLoaded(conversation)) return Promise.resolve();
    if (older && !this.conversations.hasMore(conversation)) return Promise.resolve();
    const running = this.loadingHistory.get(conversation);
    if (running) return running;
    const before = this.conversations.historyLoaded(conversation) ? this.conversations.oldestSeq(conversation) : undefined;
    const loading = this.client
      .history(conversation, { before, limit: HISTORY_PAGE })
      .then((page) => this.conversations.addHistory(conversation, page.messages, page.more))
      .finally(() => this.loadingHistory.delete(conversation));
    this.loadingHistory.set(conversation, loading);
    return loading;
  }

  /** Says goodbye and stops reconnecting. */
  async close(): Promise<void> {
    await this.client.close();
    this.search.dispose();
    this.removeAllListeners();
  }

  private onState(state: ClientState): void {
    const base = { me: this.client.name, server: this.server, online: this.conversations.onlineCount() };
    switch (state.state) {
      case 'idle':
      case 'connecting':
        this.setConnection({ ...base, status: 'connecting' });
        return;
      case 'connected':
        this.setConnection({ ...base, status: 'connected' });
        this.checkFiles();
        return;
      case 'reconnecting':
        this.setConnection({ ...base, status: 'reconnecting', detail: `${state.reason.message}; retry ${state.attempt} in ${Math.ceil(state.delayMs / 1000)} s` });
        return;
      case 'closed':
        this.setConnection({ ...base, status: 'disconnected', online: 0, ...(state.error ? { detail: state.error.message } : {}) });
        this.emit('ended', state.error);
    }
  }

  private setConnection(connection: ConnectionView): void {
    this.connectionView = connection;
    this.emit('connection', connection);
  }
}
