/**
 * ChatClient: what a person does once connected (ReconnectingClient does the connecting), as one
 * public facade. Each method hands over to one part; client-parts.ts builds the parts
 * (conversations, trust, roster, files, rooms and room keys, references, moderation), routes
 * each server frame to the one it concerns and tells them about the connection's life.
 * No vscode here: the CLI and the extension both use it.
 */
import type { Identity } from '../crypto/identity';
import type { Box, HelloFrame, ServerFrame, WelcomeFrame } from '../protocol/frames';
import { ConnectionLink } from './client-link';
import { ClientParts } from './client-parts';
import type { Connection } from './connection';
import type { IncomingFile } from './file-download';
import type { FileStatus } from './file-transfers';
import type { OutgoingFile } from './file-upload';
import type { SentInfo } from './outbox';
import type { BlockControls } from './blocks';
import { LoginProof, ReconnectingClient } from './reconnecting-client';
import type { ChatDevices } from './devices/chat-devices';
import type { RoomView } from './room-book';
import type { CreateRoomOptions } from './rooms';
import { checkRecipient } from './rules';
import type { KeyTrust } from './trust-book';
import type { ChatClientOptions, HistoryPage, QueuedMessage, RosterEntry, SendOptions } from './types';

export class ChatClient extends ReconnectingClient {
  private readonly parts: ClientParts;

  constructor(options: ChatClientOptions) {
    super(options);
    const { name: me, clock, requestTimeoutMs } = this;
    const link = new ConnectionLink({ me, clock, requestTimeoutMs, current: () => this.link, connected: () => this.state === 'connected', checkOpen: () => this.checkOpen() });
    this.parts = new ClientParts(options, link, this.emit.bind(this), { drop: (reason) => this.dropConnection(reason), noteFatal: (error) => this.noteFatal(error) });
  }

  /** Everyone the server knows, with their keys and whether they are online. */
  get roster(): ReadonlyMap<string, RosterEntry> {
    return this.parts.users.entries;
  }

  /** The highest seq shown so far: keep it, and pass it as `lastSeenSeq` to the next client of this user. */
  get lastSeenSeq(): number {
    return this.parts.conversations.lastSeenSeq;
  }

  /** Blocking classmates (blocks.ts; protocol v3 with the `blocks` feature): kept by the server for every device. */
  get blocks(): BlockControls {
    return this.parts.blocks;
  }

  /** Linked devices (devices/chat-devices.ts): list, approve, remove, the recovery code. Undefined without `options.devices`. */
  get devices(): ChatDevices | undefined {
    return this.parts.devices;
  }

  /** Messages waiting for the server's `sent`. */
  get outboxSize(): number {
    return this.parts.conversations.outboxSize;
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
    return this.parts.references.queueText(to, text, options);
  }

  // ---- references (references/; protocol v3): each names a message this client has seen, by seq ----

  /** Replaces the text of your message `seq` in `conversation` ("*", a name or "#room"); everyone who has it sees a `messageChanged`. */
  async editMessage(conversation: string, seq: number, text: string): Promise<SentInfo> {
    return this.parts.references.edit(conversation, seq, text);
  }

  /** Deletes message `seq` (yours; a teacher or TA: anyone's where not encrypted); the server erases its content. */
  async deleteMessage(conversation: string, seq: number): Promise<SentInfo> {
    return this.parts.references.remove(conversation, seq);
  }

  /** Reacts to message `seq` with one emoji or short word (1-32 bytes, no spaces). */
  async react(conversation: string, seq: number, emoji: string): Promise<SentInfo> {
    return this.parts.references.react(conversation, seq, emoji, false);
  }

  async unreact(conversation: string, seq: number, emoji: string): Promise<SentInfo> {
    return this.parts.references.react(conversation, seq, emoji, true);
  }

  // ---- moderation (moderation.ts; teachers and TAs, protocol v3): each resolves once the server did it ----

  /** Refuses `name`'s messages everywhere (with `muted`) for 1-10080 minutes. */
  async mute(name: string, minutes: number): Promise<void> {
    return this.parts.moderation.mute(name, minutes);
  }

  async unmute(name: string): Promise<void> {
    return this.parts.moderation.unmute(name);
  }

  /** Exam mode: while on, only teachers and TAs can write to Everyone. */
  async setExamMode(on: boolean): Promise<void> {
    return this.parts.moderation.setExamMode(on);
  }

  /** Ends `name`'s sessions and refuses its logins until `unban`. */
  async ban(name: string): Promise<void> {
    return this.parts.moderation.ban(name);
  }

  async unban(name: string): Promise<void> {
    return this.parts.moderation.unban(name);
  }

  /** Queues an end-to-end encrypted payload for one user (the caller encrypts). */
  async sendBox(to: string, box: Box): Promise<SentInfo> {
    return this.parts.conversations.sendBox(to, box);
  }

  /** One page of a conversation ("*" for messages to everyone, "#room" for a room), oldest first. */
  async history(withWhom: string, opts: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    return this.parts.conversations.history(withWhom, opts);
  }

  /** Acknowledges everything up to `seq` (only needed with autoAck: false). Batched per tick. */
  acknowledge(seq: number): void {
    this.parts.conversations.acknowledge(seq);
  }

  // ---- rooms (rooms.ts, room-keys.ts; protocol v3) ----

  /** The rooms this user knows of (its own and the class rooms listed), with the members as far as known. */
  rooms(): RoomView[] {
    return this.parts.rooms.views();
  }

  /** Creates a room (encrypted unless `encrypted: false`, which only staff may choose) with `members`. */
  createRoom(name: string, options: CreateRoomOptions): Promise<RoomView> {
    return this.parts.rooms.create(name, options);
  }

  /** Joins a class room. */
  joinRoom(name: string): Promise<RoomView> {
    return this.parts.rooms.join(name);
  }

  leaveRoom(name: string): Promise<RoomView> {
    return this.parts.rooms.leave(name);
  }

  addToRoom(name: string, members: string[]): Promise<RoomView> {
    return this.parts.rooms.add(name, members);
  }

  /** Removes `member` (the room's owner, a teacher or a TA may); the members' next messages go under new keys. */
  removeFromRoom(name: string, member: string): Promise<RoomView> {
    return this.parts.rooms.remove(name, member);
  }

  /** Asks the server for this user's rooms and every class room. */
  listRooms(): Promise<RoomView[]> {
    return this.parts.rooms.list();
  }

  /** Asks the server who is in `name`. */
  roomMembers(name: string): Promise<string[]> {
    return this.parts.rooms.members(name);
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
    return this.parts.trust.keyTrust(name);
  }

  /**
   * The safety number of your key and `name`'s current key (the one the server reports; the pin
   * when offline): 12 groups of 5 digits, the same on both sides. Compare it, then `verify`.
   */
  async safetyNumber(name: string): Promise<string> {
    return this.parts.trust.safetyNumber(name);
  }

  /**
   * Marks `name`'s current key verified (you compared safety numbers), accepting it if it had
   * changed. Pass the number you compared: if the key changed since, this throws key_changed.
   */
  async verify(name: string, comparedNumber?: string): Promise<void> {
    return this.parts.trust.verify(name, comparedNumber);
  }

  /** Accepts the key the server now reports for `name` (pinned again, unverified; no key: the pin is forgotten), after a key change. */
  async acceptKey(name: string): Promise<void> {
    return this.parts.trust.acceptKey(name);
  }

  // ---- files (end-to-end encrypted, relayed and stored by the server; file-transfers.ts) ----

  /**
   * Offers the file at `path` to `to` (under its own name, or `name`) and uploads it; `done`
   * settles when the server holds all of it.
   */
  sendFile(to: string, path: string, options: { name?: string } = {}): Promise<OutgoingFile> {
    this.checkOpen();
    return this.parts.files.send(checkRecipient(to), path, () => this.clock.now(), options.name);
  }

  /** Receives an offered file into `dir` (never overwriting: "name (1).ext"); `done` gives the saved path. */
  acceptFile(file: string, dir: string, options: { name?: string } = {}): Promise<IncomingFile> {
    this.checkOpen();
    return this.parts.files.accept(file, dir, () => this.clock.now(), options.name);
  }

  declineFile(file: string): void {
    this.parts.files.decline(file);
  }

  cancelFile(file: string): void {
    this.parts.files.cancel(file);
  }

  /** Files sent to or by this user that the server still holds or recently finished. */
  listFiles(): Promise<FileStatus[]> {
    return this.parts.files.list();
  }

  /** Says bye, then saves what was shown last. */
  override async close(): Promise<void> {
    await super.close();
    await this.parts.closed();
  }

  // ---- the connection's life, told to the parts (client-parts.ts) ----

  protected override protocolVersions(): readonly number[] {
    return this.parts.devices?.protocolVersions() ?? super.protocolVersions();
  }

  protected override async loginProof(identity: Identity, challenge: string, v: number): Promise<LoginProof> {
    return this.parts.devices?.loginProof(challenge, v) ?? super.loginProof(identity, challenge, v);
  }

  protected prepare(): Promise<Identity> {
    return this.parts.prepare();
  }

  protected onHello(hello: HelloFrame): void {
    this.parts.onHello(hello);
  }

  protected get loginAckedSeq(): number | undefined {
    return this.parts.conversations.loginAckedSeq;
  }

  protected onLoggedIn(welcome: WelcomeFrame): void {
    this.parts.users.loggedIn(welcome.users);
  }

  protected afterLogin(conn: Connection, welcome: WelcomeFrame, resolveConnect: () => void): void {
    this.parts.afterLogin(conn, welcome, resolveConnect);
  }

  protected onFrame(frame: ServerFrame): void {
    this.parts.route(frame);
  }

  protected onDrain(): void {
    this.parts.drained();
  }

  protected onConnectionLost(): void {
    this.parts.connectionLost();
  }

  protected stopConnectionTimers(): void {
    this.parts.conversations.stopTimers();
  }

  protected beforeBye(): void {
    this.parts.conversations.flushAcks();
  }

  protected onShutdown(reason: Error): void {
    this.parts.shutdown(reason);
  }
}
