/**
 * ChatClient: what a person does once connected (ReconnectingClient does the connecting). Owns
 * the outbox (resent with the same ids after a reconnect, so the server deduplicates), the
 * received-message bookkeeping (drop seq ≤ last seen, cumulative acks batched per tick), keys
 * and trust, and file transfers. No vscode here: the CLI and the extension both use it.
 */
import type { Identity } from '../crypto/identity';
import { ClassChatError } from '../protocol/errors';
import { encodeFileChunk } from '../protocol/codec';
import { boxSchema, Box, HelloFrame, ServerFrame, ServerFrameOf, WelcomeFrame } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import { LIMITS } from '../protocol/limits';
import type { ClientLink } from './client-services';
import type { Connection } from './connection';
import { ChatClientError } from './errors';
import { newMessageId, OutboxPayload, SentInfo } from './outbox';
import { Receipts } from './receipts';
import { ReconnectingClient } from './reconnecting-client';
import { PendingRequests } from './requests';
import { FileStatus, FileTransfers } from './file-transfers';
import type { IncomingFile } from './file-download';
import type { OutgoingFile } from './file-upload';
import { ShownMessages } from './shown-messages';
import { Sender } from './sender';
import { checkRecipient, isPermanent, serverError } from './rules';
import { Trust } from './trust';
import type { KeyTrust } from './trust-book';
import { MemoryTrustStore } from './trust-store';
import type { ChatClientOptions, HistoryPage, QueuedMessage, ReceivedMessage, RosterEntry, SendOptions } from './types';

export class ChatClient extends ReconnectingClient {
  private readonly sender: Sender;
  private readonly autoAck: boolean;
  private readonly rosterMap = new Map<string, RosterEntry>();
  private readonly requests: PendingRequests<HistoryPage>;
  private readonly files: FileTransfers;
  private readonly trust: Trust;
  /** The last seq and recent message ids shown, kept in the seen store. */
  private readonly shown: ShownMessages;
  private readonly receipts = new Receipts((seq) => {
    const link = this.link;
    link?.write({ type: 'ack', seq });
    return link !== undefined;
  });

  constructor(options: ChatClientOptions) {
    super(options);
    this.sender = new Sender(this.clock, { capacity: options.outboxCapacity, maxInFlight: options.maxInFlight, retry: options.sendRetry });
    this.autoAck = options.autoAck ?? true;
    if (options.lastSeenSeq !== undefined) {
      if (!Number.isSafeInteger(options.lastSeenSeq) || options.lastSeenSeq < 0) throw new RangeError(`lastSeenSeq must be an integer ≥ 0, not ${options.lastSeenSeq}`);
      this.receipts.restore(options.lastSeenSeq);
    }
    this.shown = new ShownMessages(options.seenStore, this.clock, (error) => this.emit('error', seenStoreError(error)));
    this.requests = new PendingRequests(this.clock);
    this.trust = new Trust({
      me: this.name,
      keyStore: options.keyStore,
      trustStore: options.trustStore ?? new MemoryTrustStore(),
      roster: this.rosterMap,
      now: () => this.clock.now(),
      emit: (event, ...args) => this.emit(event, ...args),
    });
    this.files = new FileTransfers({
      link: this.createLink(),
      queueOffer: (to, text, offer) => {
        if (!this.trust.canSeal) throw new ChatClientError('not_connected', 'connect once before sending a file');
        const id = newMessageId();
        return this.enqueue(to, { box: this.trust.seal(to, id, text), file: offer }, id).sent;
      },
      openBox: (message) => this.trust.openBox(message),
      emit: (event, ...args) => this.emit(event, ...args),
    });
  }

  /** Everyone the server knows, with their keys and whether they are online. */
  get roster(): ReadonlyMap<string, RosterEntry> {
    return this.rosterMap;
  }

  /** The highest seq shown so far: keep it, and pass it as `lastSeenSeq` to the next client of this user. */
  get lastSeenSeq(): number {
    return this.receipts.lastSeen;
  }

  /** Messages waiting for the server's `sent`. */
  get outboxSize(): number {
    return this.sender.size;
  }

  /**
   * Sends text to "*" (everyone: readable by the server) or to one user (end-to-end encrypted to
   * their pinned key); resolves once the server stored it. A private message is refused with
   * unknown_user, unknown_key (key never seen), key_changed (not accepted yet), or no_key (a
   * plain-text user, unless `allowUnencrypted`).
   */
  async sendText(to: string, text: string, options: SendOptions = {}): Promise<SentInfo> {
    return this.queueText(to, text, options).sent;
  }

  /** Like sendText, but returns the message id at once (to show the message as pending). */
  queueText(to: string, text: string, options: SendOptions = {}): QueuedMessage {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > LIMITS.maxTextBytes) throw new ClassChatError('text_too_long', `the message is ${bytes} bytes; the limit is ${LIMITS.maxTextBytes} bytes`);
    this.checkOpen();
    const recipient = checkRecipient(to);
    if (recipient === EVERYONE) return this.enqueue(recipient, { text });
    const entry = this.rosterMap.get(recipient);
    if (entry === undefined && recipient !== this.name && this.state === 'connected') {
      throw new ClassChatError('unknown_user', `There is no user with that name. (${recipient})`);
    }
    // A pinned user reported keyless is a key change (refused by seal below), not a plain-text user.
    if (entry?.publicKey === null && !this.trust.isPinned(recipient)) {
      if (options.allowUnencrypted) return this.enqueue(recipient, { text });
      throw new ClassChatError('no_key', `${recipient} uses the plain-text mode and has no key: the message cannot be encrypted and the server could read it (send it explicitly unencrypted to accept that)`);
    }
    if (!this.trust.canSeal) throw new ChatClientError('unknown_key', `${recipient}'s key is not known yet: connect first, so the message can be encrypted`);
    const id = newMessageId();
    return this.enqueue(recipient, { box: this.trust.seal(recipient, id, text) }, id);
  }

  /** The state of `name`'s key: 'no_key' for a plain-text user (never pinned), 'key_changed' for a pinned one reported keyless. */
  keyTrust(name: string): KeyTrust | 'no_key' {
    return this.trust.keyTrust(name);
  }

  /**
   * The safety number of your key and `name`'s current key (the one the server reports; the pin
   * when offline): 12 groups of 5 digits, the same on both sides. Compare it, then `verify`.
   */
  safetyNumber(name: string): Promise<string> {
    return this.trust.safetyNumber(name);
  }

  /**
   * Marks `name`'s current key verified (you compared safety numbers), accepting it if it had
   * changed. Pass the number you compared: if the key changed since, this throws key_changed.
   */
  verify(name: string, comparedNumber?: string): Promise<void> {
    return this.trust.verify(name, comparedNumber);
  }

  /** Accepts the key the server now reports for `name` (pinned again, unverified; no key: the pin is forgotten), after a key change. */
  acceptKey(name: string): Promise<void> {
    return this.trust.acceptKey(name);
  }

  /** Queues an end-to-end encrypted payload for one user (the caller encrypts). */
  async sendBox(to: string, box: Box): Promise<SentInfo> {
    if (to === '*') throw new ClassChatError('invalid_frame', 'encrypted messages go to one user, not to everyone');
    const parsed = boxSchema.safeParse(box);
    if (!parsed.success) throw new ClassChatError('invalid_frame', `invalid box: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return this.enqueue(to, { box: parsed.data }).sent;
  }

  // ---- files (end-to-end encrypted, relayed and stored by the server; see file-transfers.ts) ----

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

  /** One page of a conversation ("*" for messages to everyone), oldest first. */
  async history(withWhom: string, opts: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    const target = checkRecipient(withWhom);
    const { before, limit } = opts;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.maxHistoryPage)) {
      throw new ClassChatError('invalid_frame', `history limit must be 1-${LIMITS.maxHistoryPage}, not ${limit}`);
    }
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 0)) throw new ClassChatError('invalid_frame', `before must be a seq ≥ 0, not ${before}`);
    const conn = this.link;
    if (!conn) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    return this.requests.start(this.requestTimeoutMs, 'history request', (rid) =>
      conn.write({ type: 'history', rid, with: target, before, limit }),
    );
  }

  /** Acknowledges everything up to `seq` (only needed with autoAck: false). Batched per tick. */
  acknowledge(seq: number): void {
    this.receipts.acknowledge(seq);
  }

  /** A message as shown: decrypted and checked when it is a box; a file offer described. */
  private view(message: ServerFrameOf<'msg'>): ReceivedMessage {
    const shown = this.trust.view(message);
    if (message.file === undefined || shown.text === undefined) return shown;
    const attachment = this.files.describe(message, shown.text);
    if (!attachment) return { ...shown, text: undefined, decryptError: 'could_not_decrypt' };
    return { ...shown, text: `sent a file: ${attachment.name} (${attachment.size} bytes)`, attachment };
  }

  /** The view of the connection the parts write through. */
  private createLink(): ClientLink {
    const client = this;
    return {
      me: this.name,
      clock: this.clock,
      requestTimeoutMs: this.requestTimeoutMs,
      get ready() {
        return client.link !== undefined;
      },
      get connected() {
        return client.state === 'connected';
      },
      get congested() {
        return client.link?.congested ?? true;
      },
      send: (frame) => {
        const link = this.link;
        link?.write(frame);
        return link !== undefined;
      },
      sendChunk: (file, index, data) => {
        const link = this.link;
        link?.writeLine(encodeFileChunk(file, index, data));
        return link !== undefined;
      },
      checkOpen: () => this.checkOpen(),
    };
  }

  // ---- connecting ----

  protected async prepare(): Promise<Identity> {
    const [identity] = await Promise.all([this.trust.load(), this.loadSeen()]);
    this.trust.startEncryption(identity);
    return identity;
  }

  private async loadSeen(): Promise<void> {
    const seq = await this.shown.load();
    if (seq !== undefined) this.receipts.restore(seq);
  }

  /** Says bye, then saves what was shown last. */
  override async close(): Promise<void> {
    await super.close();
    await this.shown.flush();
  }

  protected onHello(hello: HelloFrame): void {
    this.files.onHello(hello);
  }

  protected get loginAckedSeq(): number | undefined {
    return this.receipts.loginAckedSeq;
  }

  protected onLoggedIn(welcome: WelcomeFrame): void {
    this.rosterMap.clear();
    for (const user of welcome.users) this.rosterMap.set(user.name, { publicKey: user.publicKey, online: user.online });
    for (const user of welcome.users) this.trust.observe(user, undefined);
  }

  protected afterLogin(conn: Connection, welcome: WelcomeFrame, resolveConnect: () => void): void {
    this.emit('roster', this.rosterMap);
    resolveConnect();
    this.receipts.loggedIn(welcome.ackedSeq);
    this.sender.attach(conn);
    this.files.resume();
  }

  // ---- logged in ----

  protected onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'msg':
        if (this.receipts.accept(frame.seq)) {
          const message = this.view(frame);
          // A new seq with an id already shown from that sender is a replay: acknowledged, not shown.
          if (this.shown.admit(message)) {
            this.emit('message', message);
            if (message.attachment && message.to === this.name) this.emit('fileOffer', message.attachment);
          }
        }
        if (this.autoAck) this.receipts.acknowledge(this.receipts.lastSeen);
        return;
      case 'sent': {
        const info = this.sender.onSent(frame.id, frame.seq, frame.ts, frame.duplicate, frame.file);
        if (info) this.emit('sent', info);
        return;
      }
      case 'synced':
        this.emit('synced', frame.seq);
        return;
      case 'presence': {
        const previous = this.rosterMap.get(frame.user.name);
        this.rosterMap.set(frame.user.name, { publicKey: frame.user.publicKey, online: frame.user.online });
        this.trust.observe(frame.user, previous?.publicKey);
        this.emit('presence', frame.user, previous);
        this.emit('roster', this.rosterMap);
        return;
      }
      case 'history_page':
        this.requests.resolve(frame.rid, { with: frame.with, messages: frame.messages.map((message) => this.view(message)), more: frame.more });
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
      case 'pong':
        return;
      case 'hello':
      case 'welcome':
      case 'roster':
        this.emit('error', new ClassChatError('invalid_frame', `the server sent "${frame.type}" after login`));
    }
  }

  private onServerError(frame: ServerFrameOf<'error'>): void {
    const error = serverError(frame);
    if (frame.fatal) this.noteFatal(error);
    if (this.sender.onError(frame.id, error)) return;
    if (this.files.onError(frame.id, frame.rid, error)) return;
    if (this.requests.has(frame.rid)) {
      this.requests.reject(frame.rid, error);
      return;
    }
    if (!frame.fatal || !isPermanent(error.code)) this.emit('error', error);
  }

  private enqueue(to: string, payload: OutboxPayload, id?: string): QueuedMessage {
    this.checkOpen();
    const recipient = checkRecipient(to);
    const { id: queuedId, sent } = this.sender.queue(recipient, payload, id);
    return { id: queuedId, to: recipient, sent };
  }

  protected onDrain(): void {
    this.sender.pump();
    this.files.drained();
  }

  // ---- losing the connection ----

  protected onConnectionLost(): void {
    this.sender.detach();
    this.files.paused();
    this.requests.rejectAll(new ChatClientError('connection_lost', 'the connection was lost before the server answered'));
  }

  protected stopConnectionTimers(): void {
    this.receipts.cancel();
  }

  protected beforeBye(): void {
    // Acknowledge what was shown before saying goodbye.
    this.receipts.flush();
  }

  protected onShutdown(reason: Error): void {
    this.sender.rejectAll(reason);
    this.requests.rejectAll(reason);
    this.files.dispose();
    this.trust.dispose();
    void this.shown.flush();
  }
}

function seenStoreError(error: Error): ChatClientError {
  return new ChatClientError('seen_store_failed', `could not keep track of the messages already shown (one may be shown twice after a restart): ${error.message}`);
}
