/**
 * ChatClient: what a person does once connected (ReconnectingClient does the connecting), as one
 * facade over its parts: conversations.ts (outbox, received messages, acks, history), trust.ts
 * (identity, key pins, key changes, verification, encryption), rooms.ts (membership, room
 * requests) with room-keys.ts (sender keys), file-transfers.ts and roster.ts.
 * It routes each server frame to the part it concerns and gives each part only the narrow views
 * in client-services.ts. No vscode here: the CLI and the extension both use it.
 */
import type { Identity } from '../crypto/identity';
import { REFS_FEATURE } from '../protocol/references';
import { ClassChatError } from '../protocol/errors';
import type { Box, FileOffer, HelloFrame, ServerFrame, ServerFrameOf, WelcomeFrame } from '../protocol/frames';
import { ConnectionLink } from './client-link';
import type { Connection } from './connection';
import { Conversations } from './conversations';
import type { SentInfo } from './outbox';
import { ReconnectingClient } from './reconnecting-client';
import { Roster } from './roster';
import type { RoomView } from './room-book';
import { Moderation } from './moderation';
import { ReceivedReferences } from './references/received-references';
import { ReferenceSends } from './references/reference-sends';
import { MemoryRoomKeyStore } from './room-key-store';
import type { RoomKeyring } from './room-keys';
import { RoomConversations } from './room-traffic';
import type { CreateRoomOptions, Rooms } from './rooms';
import { ROOMS_VERSION } from '../protocol/limits';
import { FileStatus, FileTransfers } from './file-transfers';
import type { IncomingFile } from './file-download';
import type { OutgoingFile } from './file-upload';
import { checkRecipient, isPermanent, serverError } from './rules';
import { Trust } from './trust';
import type { KeyTrust } from './trust-book';
import { MemoryTrustStore } from './trust-store';
import type { ChatClientOptions, HistoryPage, QueuedMessage, RosterEntry, SendOptions } from './types';

export class ChatClient extends ReconnectingClient {
  private readonly users: Roster;
  private readonly trust: Trust;
  private readonly files: FileTransfers;
  private readonly conversations: Conversations;
  private readonly roomBook: Rooms;
  private readonly roomKeys: RoomKeyring;
  private readonly references: ReferenceSends;
  private readonly moderation: Moderation;
  private refsListed = false;

  constructor(options: ChatClientOptions) {
    super(options);
    const emit = this.emit.bind(this);
    const { name: me, clock, requestTimeoutMs } = this;
    const link = new ConnectionLink({ me, clock, requestTimeoutMs, current: () => this.link, connected: () => this.state === 'connected', checkOpen: () => this.checkOpen() });
    this.users = new Roster({ observe: (user, previousKey) => this.trust.observe(user, previousKey), emit });
    const roster = this.users.entries;
    this.trust = new Trust({ me, keyStore: options.keyStore, trustStore: options.trustStore ?? new MemoryTrustStore(), roster, now: () => clock.now(), emit });
    const queueOffer = (to: string, text: string, offer: FileOffer): Promise<SentInfo> => this.conversations.queueOffer(to, text, offer);
    this.files = new FileTransfers({ link, queueOffer, openBox: (message) => this.trust.openBox(message), emit });
    const rooms = new RoomConversations({ link, emit, store: options.roomKeyStore ?? new MemoryRoomKeyStore(), trust: this.trust, conversations: () => this.conversations });
    [this.roomBook, this.roomKeys] = [rooms.rooms, rooms.keyring];
    const received = new ReceivedReferences(me);
    this.conversations = new Conversations(options, { link, keys: this.trust, attachments: this.files, rooms, roster, references: received, emit });
    this.references = new ReferenceSends({
      link,
      received,
      emit,
      sealPrivate: (to, id, content) => this.trust.sealContent(to, id, content),
      sealRoom: (room, id, content) => rooms.sealContent(room, id, content),
      queueText: (to, text, sendOptions) => this.conversations.queueText(to, text, sendOptions),
      queue: (to, payload, id) => this.conversations.enqueue(to, payload, id),
    });
    this.moderation = new Moderation(link);
  }

  /** Everyone the server knows, with their keys and whether they are online. */
  get roster(): ReadonlyMap<string, RosterEntry> {
    return this.users.entries;
  }

  /** The highest seq shown so far: keep it, and pass it as `lastSeenSeq` to the next client of this user. */
  get lastSeenSeq(): number {
    return this.conversations.lastSeenSeq;
  }

  /** Messages waiting for the server's `sent`. */
  get outboxSize(): number {
    return this.conversations.outboxSize;
  }

  // ---- conversations (conversations.ts) ----

  /**
   * Sends text to "*" (everyone: readable by the server), to one user (end-to-end encrypted to
   * their pinned key) or to "#room" (see sendToRoom); resolves once the server stored it. A
   * private message is refused with unknown_user, unknown_key (key never seen), key_changed (not
   * accepted yet), or no_key (a plain-text user, unless `allowUnencrypted`).
   */
  async sendText(to: string, text: string, options: SendOptions = {}): Promise<SentInfo> {
    return this.queueText(to, text, options).sent;
  }

  /** Like sendText, but returns the message id at once (to show the message as pending). `replyTo`: see references/. */
  queueText(to: string, text: string, options: SendOptions = {}): QueuedMessage {
    return this.references.queueText(to, text, options);
  }

  // ---- references (references/; protocol v3): each names a message this client has seen, by seq ----

  /** Replaces the text of your message `seq` in `conversation` ("*", a name or "#room"); everyone who has it sees a `messageChanged`. */
  async editMessage(conversation: string, seq: number, text: string): Promise<SentInfo> {
    return this.references.edit(conversation, seq, text);
  }

  /** Deletes message `seq` (yours; a teacher or TA: anyone's where not encrypted); the server erases its content. */
  async deleteMessage(conversation: string, seq: number): Promise<SentInfo> {
    return this.references.remove(conversation, seq);
  }

  /** Reacts to message `seq` with one emoji or short word (1-32 bytes, no spaces). */
  async react(conversation: string, seq: number, emoji: string): Promise<SentInfo> {
    return this.references.react(conversation, seq, emoji, false);
  }

  async unreact(conversation: string, seq: number, emoji: string): Promise<SentInfo> {
    return this.references.react(conversation, seq, emoji, true);
  }

  // ---- moderation (moderation.ts; teachers and TAs, protocol v3): each resolves once the server did it ----

  /** Refuses `name`'s messages everywhere (with `muted`) for 1-10080 minutes. */
  async mute(name: string, minutes: number): Promise<void> {
    return this.moderation.mute(name, minutes);
  }

  async unmute(name: string): Promise<void> {
    return this.moderation.unmute(name);
  }

  /** Exam mode: while on, only teachers and TAs can write to Everyone. */
  async setExamMode(on: boolean): Promise<void> {
    return this.moderation.setExamMode(on);
  }

  /** Ends `name`'s sessions and refuses its logins until `unban`. */
  async ban(name: string): Promise<void> {
    return this.moderation.ban(name);
  }

  async unban(name: string): Promise<void> {
    return this.moderation.unban(name);
  }

  /** Queues an end-to-end encrypted payload for one user (the caller encrypts). */
  async sendBox(to: string, box: Box): Promise<SentInfo> {
    return this.conversations.sendBox(to, box);
  }

  /** One page of a conversation ("*" for messages to everyone, "#room" for a room), oldest first. */
  async history(withWhom: string, opts: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    return this.conversations.history(withWhom, opts);
  }

  /** Acknowledges everything up to `seq` (only needed with autoAck: false). Batched per tick. */
  acknowledge(seq: number): void {
    this.conversations.acknowledge(seq);
  }

  // ---- rooms (rooms.ts, room-keys.ts; protocol v3) ----

  /** The rooms this user knows of (its own and the class rooms listed), with the members as far as known. */
  rooms(): RoomView[] {
    return this.roomBook.views();
  }

  /** Creates a room (encrypted unless `encrypted: false`, which only staff may choose) with `members`. */
  createRoom(name: string, options: CreateRoomOptions): Promise<RoomView> {
    return this.roomBook.create(name, options);
  }

  /** Joins a class room. */
  joinRoom(name: string): Promise<RoomView> {
    return this.roomBook.join(name);
  }

  leaveRoom(name: string): Promise<RoomView> {
    return this.roomBook.leave(name);
  }

  addToRoom(name: string, members: string[]): Promise<RoomView> {
    return this.roomBook.add(name, members);
  }

  /** Removes `member` (the room's owner, a teacher or a TA may); the members' next messages go under new keys. */
  removeFromRoom(name: string, member: string): Promise<RoomView> {
    return this.roomBook.remove(name, member);
  }

  /** Asks the server for this user's rooms and every class room. */
  listRooms(): Promise<RoomView[]> {
    return this.roomBook.list();
  }

  /** Asks the server who is in `name`. */
  roomMembers(name: string): Promise<string[]> {
    return this.roomBook.members(name);
  }

  /**
   * Sends text to `#name`: sealed with this user's sender key in an encrypted room (handed to the
   * members first when due), as text in a class room that is not encrypted. Like sendText.
   */
  sendToRoom(name: string, text: string): Promise<SentInfo> {
    return this.sendText(name.trimStart().startsWith('#') ? name : `#${name}`, text);
  }

  // ---- keys and trust (trust.ts) ----

  /** The state of `name`'s key: 'no_key' for a plain-text user (never pinned), 'key_changed' for a pinned one reported keyless. */
  keyTrust(name: string): KeyTrust | 'no_key' {
    return this.trust.keyTrust(name);
  }

  /**
   * The safety number of your key and `name`'s current key (the one the server reports; the pin
   * when offline): 12 groups of 5 digits, the same on both sides. Compare it, then `verify`.
   */
  async safetyNumber(name: string): Promise<string> {
    return this.trust.safetyNumber(name);
  }

  /**
   * Marks `name`'s current key verified (you compared safety numbers), accepting it if it had
   * changed. Pass the number you compared: if the key changed since, this throws key_changed.
   */
  async verify(name: string, comparedNumber?: string): Promise<void> {
    return this.trust.verify(name, comparedNumber);
  }

  /** Accepts the key the server now reports for `name` (pinned again, unverified; no key: the pin is forgotten), after a key change. */
  async acceptKey(name: string): Promise<void> {
    return this.trust.acceptKey(name);
  }

  // ---- files (end-to-end encrypted, relayed and stored by the server; file-transfers.ts) ----

  /**
   * Offers the file at `path` to `to` (under its own name, or `name`) and uploads it; `done`
   * settles when the server holds all of it.
   */
  sendFile(to: string, path: string, options: { name?: string } = {}): Promise<OutgoingFile> {
    this.checkOpen();
    return this.files.send(checkRecipient(to), path, () => this.clock.now(), options.name);
  }

  /** Receives an offered file into `dir` (never overwriting: "name (1).ext"); `done` gives the saved path. */
  acceptFile(file: string, dir: string, options: { name?: string } = {}): Promise<IncomingFile> {
    this.checkOpen();
    return this.files.accept(file, dir, () => this.clock.now(), options.name);
  }

  declineFile(file: string): void {
    this.files.decline(file);
  }

  cancelFile(file: string): void {
    this.files.cancel(file);
  }

  /** Files sent to or by this user that the server still holds or recently finished. */
  listFiles(): Promise<FileStatus[]> {
    return this.files.list();
  }

  /** Says bye, then saves what was shown last. */
  override async close(): Promise<void> {
    await super.close();
    await Promise.all([this.conversations.flushShown(), this.roomKeysClosed]);
  }

  // ---- connecting ----

  protected async prepare(): Promise<Identity> {
    const [identity] = await Promise.all([this.trust.load(), this.conversations.loadSeen(), this.roomKeys.load()]);
    this.trust.startEncryption(identity);
    return identity;
  }

  protected onHello(hello: HelloFrame): void {
    this.files.onHello(hello);
    this.moderation.onHello(hello);
    this.refsListed = hello.features.includes(REFS_FEATURE);
  }

  protected get loginAckedSeq(): number | undefined {
    return this.conversations.loginAckedSeq;
  }

  protected onLoggedIn(welcome: WelcomeFrame): void {
    this.users.loggedIn(welcome.users);
  }

  private roomKeysClosed: Promise<void> = Promise.resolve();

  protected afterLogin(conn: Connection, welcome: WelcomeFrame, resolveConnect: () => void): void {
    this.users.announce();
    resolveConnect();
    this.conversations.loggedIn(conn, welcome);
    this.roomBook.loggedIn(welcome);
    this.moderation.loggedIn(welcome.v);
    this.references.setServed(this.refsListed && welcome.v >= ROOMS_VERSION);
    this.files.resume();
  }

  // ---- logged in: each frame to the part it concerns ----

  protected onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'msg':
      case 'sent':
      case 'history_page':
        this.conversations.onFrame(frame);
        return;
      case 'synced':
        this.emit('synced', frame.seq);
        return;
      case 'presence':
        this.users.onPresence(frame.user);
        return;
      case 'error':
        return this.onServerError(frame);
      case 'bye':
        this.dropConnection(new ClassChatError(frame.reason, frame.reason === 'replaced' ? 'you logged in from another connection, so this one was closed' : undefined));
        return;
      case 'file_chunk':
      case 'file_ack':
      case 'file_state':
      case 'file_status':
        this.files.onFrame(frame);
        return;
      case 'room':
      case 'room_list':
      case 'room_members':
        this.roomBook.onFrame(frame);
        return;
      case 'done':
        this.moderation.onDone(frame.rid);
        return;
      case 'pong':
        return;
      case 'hello':
      case 'welcome':
      case 'roster':
        this.emit('error', new ClassChatError('invalid_frame', `the server sent "${frame.type}" after login`));
    }
  }

  /** An error goes to the send, transfer or request it answers; otherwise it is the application's. */
  private onServerError(frame: ServerFrameOf<'error'>): void {
    const error = serverError(frame);
    if (frame.fatal) this.noteFatal(error);
    if (this.conversations.claimSendError(frame.id, error)) return;
    if (this.files.onError(frame.id, frame.rid, error)) return;
    if (this.conversations.claimRequestError(frame.rid, error)) return;
    if (this.roomBook.claimRequestError(frame.rid, error)) return;
    if (this.moderation.claimRequestError(frame.rid, error)) return;
    if (!frame.fatal || !isPermanent(error.code)) this.emit('error', error);
  }

  protected onDrain(): void {
    this.conversations.drained();
    this.files.drained();
  }

  // ---- losing the connection ----

  protected onConnectionLost(): void {
    this.files.paused();
    this.conversations.connectionLost();
    this.roomBook.connectionLost();
    this.moderation.connectionLost();
  }

  protected stopConnectionTimers(): void {
    this.conversations.stopTimers();
  }

  protected beforeBye(): void {
    this.conversations.flushAcks();
  }

  protected onShutdown(reason: Error): void {
    this.conversations.shutdown(reason);
    this.roomBook.shutdown(reason);
    this.moderation.shutdown(reason);
    this.roomKeysClosed = this.roomKeys.close();
    this.files.dispose();
    this.trust.dispose();
    void this.conversations.flushShown();
  }
}
