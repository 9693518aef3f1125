/**
 * ChatClient: connects and logs in, keeps the connection alive, reconnects with backoff, owns the
 * outbox (resent with the same ids after a reconnect, so the server deduplicates) and the
 * received-message bookkeeping (drop seq ≤ last seen, cumulative acks batched per tick).
 * No vscode here: the CLI and the extension both use it.
 */
import { PrivateBoxes } from '../crypto/e2ee';
import { Identity, signLogin } from '../crypto/identity';
import { safetyNumber } from '../crypto/safety-number';
import { sodiumReady } from '../crypto/sodium';
import { ClassChatError } from '../protocol/errors';
import { encodeFileChunk } from '../protocol/codec';
import { boxSchema, Box, ServerFrame, ServerFrameOf, UserInfo, WelcomeFrame } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import { LIMITS } from '../protocol/limits';
import { Backoff } from './backoff';
import { Clock, systemClock, Timer } from './clock';
import { Connection } from './connection';
import { checkTlsOptions, ClientTlsOptions } from './tls';
import { ChatClientError } from './errors';
import { KeepAlive } from './keep-alive';
import { loadOrCreateIdentity } from './key-store';
import { newMessageId, OutboxPayload, SentInfo } from './outbox';
import { PrivateMessages } from './private-messages';
import { Receipts } from './receipts';
import { PendingRequests } from './requests';
import { FileStatus, FileTransfers } from './file-transfers';
import type { IncomingFile } from './file-download';
import type { OutgoingFile } from './file-upload';
import { Sender } from './sender';
import { checkClientName, checkRecipient, isPermanent, pickVersion, serverError, toError } from './rules';
import { KeyTrust, TrustBook } from './trust-book';
import { MemoryTrustStore } from './trust-store';
import { TypedEmitter } from './typed-events';
import type { ChatClientEvents, ChatClientOptions, ClientState, ClientStateName, HistoryPage, QueuedMessage, ReceivedMessage, RosterEntry, SendOptions } from './types';

export class ChatClient extends TypedEmitter<ChatClientEvents> {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  private readonly options: ChatClientOptions;
  private readonly tls: ClientTlsOptions | undefined;
  private readonly clock: Clock;
  private readonly reconnectBackoff: Backoff;
  private readonly sender: Sender;
  private readonly autoAck: boolean;
  private readonly rosterMap = new Map<string, RosterEntry>();
  private readonly requests: PendingRequests<HistoryPage>;
  private readonly files: FileTransfers;
  /** The current server's per-file limit (from hello); undefined when it relays no files. */
  private maxFileBytes: number | undefined;
  private current: ClientState = { state: 'idle' };
  private conn: Connection | undefined;
  private phase: 'hello' | 'login' | 'ready' = 'hello';
  private login: { resolve(welcome: WelcomeFrame): void; reject(error: Error): void; timer: Timer } | undefined;
  private identityPromise: Promise<Identity> | undefined;
  private readonly trust: TrustBook;
  /** Set once the identity is loaded (first connect); undefined again after close. */
  private e2ee: PrivateMessages | undefined;
  private keepAlive: KeepAlive | undefined;
  private reconnectTimer: Timer | undefined;
  private reconnectAttempt = 0;
  private closing = false;
  /** The fatal error or `bye` reason seen on the current connection, reported when it closes. */
  private lostReason: Error | undefined;
  private readonly receipts = new Receipts((seq) => {
    if (!this.conn || this.phase !== 'ready') return false;
    this.conn.write({ type: 'ack', seq });
    return true;
  });

  constructor(options: ChatClientOptions) {
    super();
    this.name = checkClientName(options.name);
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError(`port must be 1-65535, not ${options.port}`);
    this.host = options.host;
    this.port = options.port;
    this.options = options;
    this.tls = options.tls ? checkTlsOptions(options.tls) : undefined;
    this.clock = options.timers ?? systemClock;
    this.reconnectBackoff = new Backoff({ initialMs: 500, maxMs: 30_000, ...options.backoff, jitter: 'full' });
    this.sender = new Sender(this.clock, { capacity: options.outboxCapacity, maxInFlight: options.maxInFlight, retry: options.sendRetry });
    this.autoAck = options.autoAck ?? true;
    if (options.lastSeenSeq !== undefined) {
      if (!Number.isSafeInteger(options.lastSeenSeq) || options.lastSeenSeq < 0) throw new RangeError(`lastSeenSeq must be an integer ≥ 0, not ${options.lastSeenSeq}`);
      this.receipts.restore(options.lastSeenSeq);
    }
    this.requests = new PendingRequests(this.clock);
    this.trust = new TrustBook(options.trustStore ?? new MemoryTrustStore(), () => this.clock.now(), (error) =>
      this.emit('error', new ChatClientError('trust_store_failed', `could not save the key pins: ${error.message}`)),
    );
    this.files = this.createFileTransfers();
  }

  get state(): ClientStateName {
    return this.current.state;
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

  /** Connects and logs in. Rejects (and does not retry) when this first attempt fails. */
  async connect(): Promise<WelcomeFrame> {
    if (this.current.state !== 'idle' && this.current.state !== 'closed') throw new ChatClientError('busy', `the client is already ${this.current.state}`);
    this.closing = false;
    this.setState({ state: 'connecting' });
    try {
      return await this.attempt();
    } catch (error) {
      this.shutdown(toError(error));
      throw error;
    }
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
    if (entry === undefined && recipient !== this.name && this.current.state === 'connected') {
      throw new ClassChatError('unknown_user', `There is no user with that name. (${recipient})`);
    }
    if (entry?.publicKey === null) {
      if (options.allowUnencrypted) return this.enqueue(recipient, { text });
      throw new ClassChatError('no_key', `${recipient} uses the plain-text mode and has no key: the message cannot be encrypted and the server could read it (send it explicitly unencrypted to accept that)`);
    }
    if (!this.e2ee) throw new ChatClientError('unknown_key', `${recipient}'s key is not known yet: connect first, so the message can be encrypted`);
    const id = newMessageId();
    return this.enqueue(recipient, { box: this.e2ee.seal(recipient, id, text) }, id);
  }

  /** The state of `name`'s key: 'no_key' for a plain-text user. */
  keyTrust(name: string): KeyTrust | 'no_key' {
    const user = checkRecipient(name);
    if (this.rosterMap.get(user)?.publicKey === null) return 'no_key';
    return this.e2ee?.keyTrust(user) ?? this.trust.status(user, this.rosterMap.get(user)?.publicKey ?? undefined);
  }

  /**
   * The safety number of your key and `name`'s current key (the one the server reports; the pin
   * when offline): 12 groups of 5 digits, the same on both sides. Compare it, then `verify`.
   */
  async safetyNumber(name: string): Promise<string> {
    const [identity, sodium] = await Promise.all([this.identity(), sodiumReady()]);
    return safetyNumber(sodium, identity.publicKey, this.peerKey(checkRecipient(name)));
  }

  /**
   * Marks `name`'s current key verified (you compared safety numbers), accepting it if it had
   * changed. Pass the number you compared: if the key changed since, this throws key_changed.
   */
  async verify(name: string, comparedNumber?: string): Promise<void> {
    const user = checkRecipient(name);
    const key = this.peerKey(user);
    if (comparedNumber !== undefined && (await this.safetyNumber(user)) !== comparedNumber) {
      throw new ChatClientError('key_changed', `${user}'s key changed after you compared the safety number; compare the new one`);
    }
    await this.saved(this.trust.accept(user, key));
    await this.saved(this.trust.verify(user, key));
  }

  /** Accepts the key the server now reports for `name` (pinned again, unverified), after a key change. */
  async acceptKey(name: string): Promise<void> {
    const user = checkRecipient(name);
    await this.saved(this.trust.accept(user, this.peerKey(user)));
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
    const conn = this.conn;
    if (!conn || this.phase !== 'ready') throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    return this.requests.start(this.options.requestTimeoutMs ?? 10_000, 'history request', (rid) =>
      conn.write({ type: 'history', rid, with: target, before, limit }),
    );
  }

  /** Acknowledges everything up to `seq` (only needed with autoAck: false). Batched per tick. */
  acknowledge(seq: number): void {
    this.receipts.acknowledge(seq);
  }

  /** Says goodbye, closes the socket, stops all timers; pending calls reject with ChatClientError "closed". */
  async close(): Promise<void> {
    if (this.current.state === 'closed') return;
    // Acknowledge what was shown before saying goodbye.
    if (this.phase === 'ready') this.receipts.flush();
    const conn = this.conn;
    this.conn = undefined;
    if (conn && this.phase === 'ready') conn.end({ type: 'bye' });
    else conn?.destroy();
    this.shutdown();
    if (conn && !conn.closed) await waitClosed(conn, 2000);
  }

  private peerKey(name: string): string {
    const current = this.rosterMap.get(name)?.publicKey;
    if (current === null) throw new ClassChatError('no_key', `${name} uses the plain-text mode and has no key`);
    const key = current ?? this.trust.get(name)?.publicKey;
    if (key === undefined) throw new ChatClientError('unknown_key', `${name}'s key is not known yet; connect first`);
    return key;
  }

  private async saved<T>(saving: Promise<T>): Promise<T> {
    try {
      return await saving;
    } catch (error) {
      throw new ChatClientError('trust_store_failed', `could not save the key pins: ${toError(error).message}`);
    }
  }

  /** A message as shown: decrypted and checked when it is a box; a file offer described. */
  private view(message: ServerFrameOf<'msg'>): ReceivedMessage {
    const shown: ReceivedMessage = this.e2ee
      ? this.e2ee.view(message)
      : message.box === undefined
        ? { ...message, encrypted: false, trust: 'not_encrypted' }
        : { ...message, encrypted: true, trust: 'unknown_key', decryptError: 'unknown_key' };
    if (message.file === undefined || shown.text === undefined) return shown;
    const attachment = this.files.describe(message, shown.text);
    if (!attachment) return { ...shown, text: undefined, decryptError: 'could_not_decrypt' };
    return { ...shown, text: `sent a file: ${attachment.name} (${attachment.size} bytes)`, attachment };
  }

  private createFileTransfers(): FileTransfers {
    const client = this;
    return new FileTransfers(
      {
        get me() {
          return client.name;
        },
        get maxFileBytes() {
          return client.maxFileBytes;
        },
        get ready() {
          return client.conn !== undefined && client.phase === 'ready';
        },
        get congested() {
          return client.conn?.congested ?? true;
        },
        send: (frame) => {
          if (!this.conn || this.phase !== 'ready') return false;
          this.conn.write(frame);
          return true;
        },
        sendChunk: (file, index, data) => {
          if (!this.conn || this.phase !== 'ready') return false;
          this.conn.writeLine(encodeFileChunk(file, index, data));
          return true;
        },
        queueOffer: (to, text, offer) => {
          if (!this.e2ee) throw new ChatClientError('not_connected', 'connect once before sending a file');
          const id = newMessageId();
          return this.enqueue(to, { box: this.e2ee.seal(to, id, text), file: offer }, id).sent;
        },
        openBox: (message) => this.e2ee?.view({ type: 'msg', seq: 0, ts: 0, ...message }).text,
        clock: this.clock,
        requestTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      },
      (file, state, by) => this.emit('fileState', file, state, by),
    );
  }

  /** Pins keys seen for the first time; reports keys that differ from their pin. */
  private observeKey(user: UserInfo, previousKey: string | null | undefined): void {
    if (user.publicKey === null || user.name === this.name) return;
    const pinned = this.trust.get(user.name)?.publicKey;
    if (this.trust.observe(user.name, user.publicKey) === 'key_changed' && pinned !== undefined && previousKey !== user.publicKey) {
      this.emit('keyChanged', user.name, { pinned, current: user.publicKey });
    }
  }

  // ---- connecting ----

  private identity(): Promise<Identity> {
    if (!this.identityPromise) {
      this.identityPromise = loadOrCreateIdentity(this.options.keyStore);
      // A failed load may succeed later (e.g. after chmod): do not cache the failure.
      this.identityPromise.catch(() => (this.identityPromise = undefined));
    }
    return this.identityPromise;
  }

  private async attempt(): Promise<WelcomeFrame> {
    const [identity, sodium] = await Promise.all([this.identity(), sodiumReady(), this.loadTrust()]);
    if (this.closing) throw new ChatClientError('closed', 'the client was closed');
    this.e2ee ??= new PrivateMessages(this.name, identity.publicKey, new PrivateBoxes(sodium, identity), this.trust, this.rosterMap);
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<WelcomeFrame>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => this.failLogin(new ChatClientError('timeout', `no answer from ${this.host}:${this.port} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.login = { resolve, reject, timer };
      this.phase = 'hello';
      this.lostReason = undefined;
      const conn = new Connection(this.host, this.port, this.tls);
      this.conn = conn;
      conn.on('frame', (frame) => this.conn === conn && this.onFrame(conn, frame, identity));
      conn.on('invalid', (error) => this.conn === conn && this.emit('error', error));
      conn.on('activity', () => this.conn === conn && this.keepAlive?.received());
      conn.on('drain', () => {
        if (this.conn !== conn) return;
        this.sender.pump();
        this.files.drained();
      });
      conn.on('close', (error) => this.conn === conn && this.onClose(error));
    });
  }

  private async loadTrust(): Promise<void> {
    try {
      await this.trust.load();
    } catch (error) {
      throw new ChatClientError('trust_store_failed', `could not load the key pins: ${toError(error).message}`);
    }
  }

  private failLogin(error: Error): void {
    const login = this.login;
    if (!login) return;
    this.login = undefined;
    login.timer.cancel();
    const conn = this.conn;
    this.conn = undefined;
    this.phase = 'hello';
    conn?.destroy();
    login.reject(error);
  }

  private onFrame(conn: Connection, frame: ServerFrame, identity: Identity): void {
    if (this.phase === 'ready') return this.dispatch(conn, frame);
    if (frame.type === 'error') return this.failLogin(serverError(frame));
    if (frame.type === 'bye') return this.failLogin(new ClassChatError(frame.reason));
    if (this.phase === 'hello') {
      if (frame.type !== 'hello') return this.failLogin(new ClassChatError('invalid_frame', `the server sent "${frame.type}" before "hello"`));
      const v = pickVersion(frame.versions);
      if (v === undefined) {
        return this.failLogin(new ClassChatError('unsupported_version', `the server speaks protocol version ${frame.versions.join(', ')}; this client speaks 1`));
      }
      this.phase = 'login';
      this.maxFileBytes = frame.features.includes('files') ? frame.limits.maxFileBytes : undefined;
      signLogin(identity, frame.challenge, this.name).then((signature) => {
        if (this.conn !== conn || this.phase !== 'login') return;
        const ackedSeq = this.receipts.loginAckedSeq;
        const client = this.options.clientName ?? 'classchat-client/0.1.0';
        conn.write({ type: 'login', v, name: this.name, publicKey: identity.publicKey, signature, joinCode: this.options.joinCode, ackedSeq, client });
      }, (error: unknown) => this.failLogin(toError(error)));
    } else if (frame.type === 'welcome') this.onWelcome(conn, frame);
  }

  private onWelcome(conn: Connection, welcome: WelcomeFrame): void {
    const login = this.login;
    this.login = undefined;
    login?.timer.cancel();
    this.phase = 'ready';
    this.reconnectBackoff.reset();
    this.reconnectAttempt = 0;
    this.rosterMap.clear();
    for (const user of welcome.users) this.rosterMap.set(user.name, { publicKey: user.publicKey, online: user.online });
    for (const user of welcome.users) this.observeKey(user, undefined);
    this.keepAlive = new KeepAlive(
      this.clock,
      () => this.conn === conn && conn.write({ type: 'ping' }),
      (silentMs) => conn.destroy(new ChatClientError('timeout', `no data from the server for ${Math.round(silentMs / 1000)} s`)),
      this.options.keepAlive,
    );
    this.setState({ state: 'connected', welcome });
    this.emit('welcome', welcome);
    this.emit('roster', this.rosterMap);
    login?.resolve(welcome);
    this.receipts.loggedIn(welcome.ackedSeq);
    this.sender.attach(conn);
    this.files.resume();
  }

  // ---- logged in ----

  private dispatch(conn: Connection, frame: ServerFrame): void {
    switch (frame.type) {
      case 'msg':
        if (this.receipts.accept(frame.seq)) {
          const message = this.view(frame);
          this.emit('message', message);
          if (message.attachment && message.to === this.name) this.emit('fileOffer', message.attachment);
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
        this.observeKey(frame.user, previous?.publicKey);
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
        this.lostReason = new ClassChatError(frame.reason, frame.reason === 'replaced' ? 'you logged in from another connection, so this one was closed' : undefined);
        conn.destroy();
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
        this.emit('error', new ClassChatError('invalid_frame', `the server sent "${frame.type}" after login`));
    }
  }

  private onServerError(frame: ServerFrameOf<'error'>): void {
    const error = serverError(frame);
    if (frame.fatal) this.lostReason = error;
    if (this.sender.onError(frame.id, error)) return;
    if (this.files.onError(frame.id, frame.rid, error)) return;
    if (this.requests.has(frame.rid)) {
      this.requests.reject(frame.rid, error);
      return;
    }
    if (!frame.fatal || !isPermanent(error.code)) this.emit('error', error);
  }

  private checkOpen(): void {
    if (this.current.state === 'closed') throw new ChatClientError('closed', 'the client is closed; connect again to send');
  }

  private enqueue(to: string, payload: OutboxPayload, id?: string): QueuedMessage {
    this.checkOpen();
    const recipient = checkRecipient(to);
    const { id: queuedId, sent } = this.sender.queue(recipient, payload, id);
    return { id: queuedId, to: recipient, sent };
  }

  // ---- losing the connection ----

  private onClose(socketError: Error | undefined): void {
    if (this.login) return this.failLogin(this.lostReason ?? socketError ?? new ChatClientError('connection_lost', 'the server closed the connection during login'));
    this.conn = undefined;
    this.phase = 'hello';
    this.stopConnectionTimers();
    this.sender.detach();
    this.files.paused();
    this.requests.rejectAll(new ChatClientError('connection_lost', 'the connection was lost before the server answered'));
    const reason = this.lostReason ?? socketError ?? new ChatClientError('connection_lost', `the server ${this.host}:${this.port} closed the connection`);
    if (this.closing) return;
    if (reason instanceof ClassChatError && isPermanent(reason.code)) {
      this.emit('error', reason);
      return this.shutdown(reason);
    }
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: Error): void {
    const attempt = ++this.reconnectAttempt;
    const delayMs = this.reconnectBackoff.next();
    this.setState({ state: 'reconnecting', attempt, delayMs, reason });
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.attempt().catch((error: unknown) => {
        if (this.closing) return;
        const failure = toError(error);
        if (failure instanceof ClassChatError && isPermanent(failure.code)) {
          this.emit('error', failure);
          this.shutdown(failure);
        } else this.scheduleReconnect(failure);
      });
    }, delayMs);
  }

  private stopConnectionTimers(): void {
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    this.receipts.cancel();
  }

  /** Ends everything: no reconnect, every pending call rejected. Idempotent. */
  private shutdown(error?: Error): void {
    if (this.current.state === 'closed') return;
    this.closing = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    this.stopConnectionTimers();
    const reason = error ?? new ChatClientError('closed', 'the client was closed');
    this.failLogin(reason);
    this.conn?.destroy();
    this.conn = undefined;
    this.phase = 'hello';
    this.sender.rejectAll(reason);
    this.requests.rejectAll(reason);
    this.files.dispose();
    this.e2ee?.dispose();
    this.e2ee = undefined;
    this.setState(error ? { state: 'closed', error } : { state: 'closed' });
  }

  private setState(state: ClientState): void {
    this.current = state;
    this.emit('state', state);
  }
}

function waitClosed(conn: Connection, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      conn.destroy();
      resolve();
    }, timeoutMs);
    conn.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
