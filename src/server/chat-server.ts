/**
 * ChatServer: accepts connections, owns the roster and the online sessions, routes messages
 * through the store, and shuts down gracefully. Frame handling lives in json-handlers.ts and
 * plain-text.ts; delivery in session.ts.
 */
import { createServer, AddressInfo, Server, Socket } from 'node:net';
import type { ErrorCode } from '../protocol/errors';
import { LIMITS, PROTOCOL_VERSIONS } from '../protocol/limits';
import { EVERYONE } from '../protocol/names';
import type { Box, FileRef, UserInfo } from '../protocol/frames';
import { sodiumReady } from '../crypto/sodium';
import { Clock, systemClock } from './clock';
import { Connection } from './connection';
import { Logger, silentLogger } from './logger';
import { frameLine, messageBytes, plainMessageLine } from './message-lines';
import { Session, SessionKind } from './session';
import { SessionRegistry } from './session-registry';
import type { Store, StoredMessage } from './store/store';
import { TokenBucket } from './token-bucket';
import { jsonHandler } from './json-handlers';
import { plainHandler, plainNotice } from './plain-text';
import { FileRelay } from './files/file-relay';
import { TlsGate } from './tls-gate';
import { PresenceBatcher } from './presence-batcher';
import { RosterJson, RosterPageSource } from './roster-json';
import { PendingWrites } from './pending-writes';
import { outputLimits, SlowConsumers } from './slow-consumers';
import { DEFAULT_REGISTRATION_LIMITS, RegistrationGate } from './registration-gate';
import type { ChatServerOptions, RosterEntry, SubmitResult } from './chat-server-options';

export type { ChatServerOptions, RosterEntry, SubmitResult } from './chat-server-options';

export const SERVER_SOFTWARE = 'classchat-server/0.1.0';

export class ChatServer {
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly joinCode: string | undefined;
  readonly loginTimeoutMs: number;
  readonly users = new Map<string, RosterEntry>();
  private readonly rosterJson = new RosterJson();
  readonly sessions = new SessionRegistry();
  readonly files: FileRelay | undefined;
  private readonly presence: PresenceBatcher;
  private readonly registrations: RegistrationGate;
  private readonly plainText: boolean;
  private readonly rateLimit: { perSecond: number; burst: number } | false;
  private readonly maxPerAddress: number;
  private readonly maxSessionsPerUser: number;
  private readonly slowConsumers: SlowConsumers;
  private readonly net: Server;
  private readonly tlsGate: TlsGate | undefined;
  private readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly rateBuckets = new Map<string, TokenBucket>();
  private readonly pendingWrites: PendingWrites;
  private readonly connectionOptions;
  private closing = false;

  constructor(options: ChatServerOptions) {
    this.store = options.store;
    this.log = options.log ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.joinCode = options.joinCode || undefined;
    this.plainText = options.plainText ?? true;
    this.rateLimit = options.rateLimit ?? { perSecond: 20, burst: 100 };
    this.maxPerAddress = options.maxConnectionsPerAddress ?? 200;
    this.maxSessionsPerUser = Math.max(1, options.maxSessionsPerUser ?? 8);
    this.loginTimeoutMs = options.loginTimeoutMs ?? 30_000;
    this.pendingWrites = new PendingWrites(Math.max(1, options.maxPendingWrites ?? 1024));
    const output = outputLimits(options);
    this.slowConsumers = new SlowConsumers(this.connections, output.stallTimeoutMs, output.unsentBudgetBytes, this.clock, this.log);
    this.connectionOptions = {
      limits: { maxLineBytes: LIMITS.maxLineBytes, softQueueBytes: output.softQueueBytes, hardQueueBytes: output.hardQueueBytes },
      unsentBudget: this.slowConsumers.budget,
      clock: this.clock,
      errorBurst: 20,
      errorsPerSecond: 0.5,
      plainIdleMs: options.plainIdleMs ?? 150,
      chooseHandler: (connection: Connection, mode: 'json' | 'plain') => {
        if (mode === 'json') return jsonHandler(this);
        if (this.plainText) return plainHandler(this);
        connection.sendError('bad_json', { detail: 'this server speaks only ClassChat JSON frames', fatal: true });
        return undefined;
      },
      onOverflow: (connection: Connection, why: string) => this.slowConsumers.drop(connection, why),
      inputGate: this.pendingWrites,
      onTlsHello: (connection: Connection) => {
        // The client sees our plain `hello` where it expects a TLS record and reports that.
        this.log.info(`closed a TLS connection from ${connection.address}: this server is plain TCP (start it with --tls-cert and --tls-key for TLS)`);
        connection.transport.end();
      },
    };
    this.registrations = new RegistrationGate(this.joinCode, { ...DEFAULT_REGISTRATION_LIMITS, ...options.registrations }, this.clock, this.log);
    this.files = options.files ? new FileRelay(this, options.files) : undefined;
    this.presence = new PresenceBatcher(this.sessions, options.presenceBatching ?? { writesPerSecond: 50_000, minDelayMs: 50 }, this.clock);
    const tls = options.tls && { ...options.tls, firstByteTimeoutMs: options.tlsFirstByteTimeoutMs ?? 2000, handshakeTimeoutMs: options.tlsHandshakeTimeoutMs ?? 10_000 };
    this.tlsGate = tls && new TlsGate({ ...tls, log: this.log, onSecure: (socket) => this.accept(socket) });
    this.net = createServer({ noDelay: true }, (socket) => this.incoming(socket));
  }

  /** Loads the roster and starts listening; resolves with the bound address. */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    await sodiumReady();
    for (const stored of await this.store.listUsers()) {
      const user = { ...stored };
      this.users.set(user.name, user);
      this.rosterChanged(user);
    }
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(port, host, () => {
        this.net.off('error', reject);
        resolve();
      });
    });
    this.slowConsumers.start();
    return this.address();
  }

  address(): AddressInfo {
    const address = this.net.address();
    if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
    return address;
  }

  get plainTextEnabled(): boolean {
    return this.plainText;
  }

  /**
   * Graceful shutdown: stop accepting and reading, let stored messages finish (their `sent`
   * replies go out), tell every client, close sockets. The caller closes the store afterwards.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.slowConsumers.stop();
    this.files?.stop();
    this.presence.stop();
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    this.tlsGate?.closePending();
    for (const connection of this.connections) connection.pauseInput();
    await this.pendingWrites.settle();
    for (const connection of this.connections) {
      if (connection.mode === 'plain') connection.transport.end(plainNotice('The server is shutting down. Goodbye.'));
      else connection.transport.end(frameLine({ type: 'bye', reason: 'server_shutdown' }));
    }
    const hardStop = setTimeout(() => {
      for (const connection of this.connections) connection.socket.destroy();
    }, 3000);
    await closed;
    clearTimeout(hardStop);
  }

  // ---- users and sessions ----

  roster(): UserInfo[] {
    return [...this.users.values()].map((user) => this.sessions.userInfo(user));
  }

  /** `roster()` as JSON pages in shared buffers, kept up to date rather than built per login. */
  rosterPages(): Buffer[] {
    return this.rosterJson.pages();
  }

  /** The roster pages to stream to a v2 login, each read as it is written. */
  rosterPageSources(): RosterPageSource[] {
    return this.rosterJson.pageSources();
  }

  private rosterChanged(user: RosterEntry): void {
    if (this.users.get(user.name) === user) this.rosterJson.set(this.sessions.userInfo(user));
    else this.rosterJson.delete(user.name);
  }

  /**
   * Checks a login against the roster, registering or binding the name when it is free.
   * `publicKey` null is a plain-text user, who can never take a name bound to a key.
   */
  async authenticate(name: string, publicKey: string | null, joinCode: string | undefined, address: string):
    Promise<{ ok: true; user: RosterEntry; registered: boolean } | { ok: false; code: ErrorCode }> {
    const existing = this.users.get(name);
    if (existing && existing.publicKey !== null) {
      return existing.publicKey === publicKey ? { ok: true, user: existing, registered: false } : { ok: false, code: 'name_taken' };
    }
    if (existing && publicKey === null) return { ok: true, user: existing, registered: false };
    if (!existing) {
      const refused = this.registrations.admit(address, joinCode, this.users.size);
      if (refused) return { ok: false, code: refused };
    }
    // Claim the name before awaiting the store, so a concurrent login cannot claim it too.
    const user: RosterEntry = existing ?? { name, publicKey, ackedSeq: this.store.headSeq() };
    const previousKey = user.publicKey;
    user.publicKey = publicKey;
    this.users.set(name, user);
    this.rosterChanged(user);
    try {
      const stored = await this.store.putUser({ name, publicKey });
      user.ackedSeq = Math.max(user.ackedSeq, stored.ackedSeq);
    } catch (error) {
      this.log.error(`could not store user ${name}: ${String(error)}`);
      if (existing) user.publicKey = previousKey;
      else this.users.delete(name);
      this.rosterChanged(user);
      return { ok: false, code: 'storage_failed' };
    }
    this.log.info(existing ? `bound a key to plain-text user ${name}` : `registered ${name}${publicKey ? '' : ' (plain text)'}`);
    return { ok: true, user, registered: true };
  }

  /**
   * Adds a session for `user` on `connection`. Several sessions of one user coexist; beyond
   * `maxSessionsPerUser` the oldest is closed with `bye replaced`.
   */
  startSession(connection: Connection, user: RosterEntry, kind: SessionKind, clientAckedSeq = 0): Session {
    const acked = Math.min(Math.max(user.ackedSeq, clientAckedSeq), this.store.headSeq());
    if (acked > user.ackedSeq) this.recordAck(user, acked);
    const session = new Session(user.name, kind, connection.transport, user.ackedSeq, this.store.headSeq(), this.store, {
      format: kind === 'json' ? (message) => messageBytes(message) : plainMessageLine,
      onSynced: (seq) => {
        if (kind === 'json') connection.transport.write(frameLine({ type: 'synced', seq }));
      },
      ackOnFlush: kind === 'plain',
      onFlushedUpTo: (seq) => this.acknowledge(session, seq),
    }, this.log);
    connection.session = session;
    const wasOnline = this.sessions.isOnline(user.name);
    for (const evicted of this.sessions.add(session, this.maxSessionsPerUser)) {
      evicted.closed = true;
      if (evicted.kind === 'plain') evicted.transport.end(plainNotice('You logged in from another connection. Goodbye.'));
      else evicted.transport.end(frameLine({ type: 'bye', reason: 'replaced' }));
    }
    this.log.info(`${user.name} logged in from ${connection.address} (${kind})`);
    if (!wasOnline) {
      this.rosterChanged(user);
      this.presence.changedUser(user);
    }
    return session;
  }

  /** Records that the session's client has everything up to `seq` (never beyond what was sent). */
  acknowledge(session: Session, seq: number): void {
    const upTo = Math.min(seq, session.pushedUpTo);
    if (upTo <= session.ackedSeq) return;
    session.ackedSeq = upTo;
    const user = this.users.get(session.name);
    if (user) this.recordAck(user, upTo);
  }

  private recordAck(user: RosterEntry, seq: number): void {
    if (seq <= user.ackedSeq) return;
    user.ackedSeq = seq;
    this.store.setAcked(user.name, seq).catch((error) => this.log.error(`could not store ack of ${user.name}: ${String(error)}`));
  }

  // ---- messages ----

  /** Rate-limits, checks and durably stores one message, then wakes its recipients. */
  submit(from: string, input: { id: string; to: string; text?: string; box?: Box; plain?: true; file?: FileRef }): SubmitResult | Promise<SubmitResult> {
    if (this.rateLimit) {
      let bucket = this.rateBuckets.get(from);
      if (!bucket) {
        bucket = new TokenBucket(this.rateLimit.perSecond, this.rateLimit.burst, this.clock);
        this.rateBuckets.set(from, bucket);
      }
      if (!bucket.take()) return { ok: false, code: 'rate_limited' };
    }
    if (input.to === EVERYONE) {
      if (input.box) return { ok: false, code: 'invalid_frame', detail: 'messages to everyone carry text, not box' };
    } else {
      const recipient = this.users.get(input.to);
      if (!recipient) return { ok: false, code: 'unknown_user', detail: input.to };
      if (input.box && recipient.publicKey === null) return { ok: false, code: 'no_key', detail: input.to };
    }
    const pending = this.store
      .append({
        from,
        id: input.id,
        to: input.to,
        ts: this.clock.now(),
        text: input.text,
        box: input.box,
        ...(input.plain ? { plain: true as const } : {}),
        ...(input.file ? { file: input.file } : {}),
      })
      .then(
        (result): SubmitResult => {
          if (!result.duplicate) this.wake(result.message);
          return { ok: true, message: result.message, duplicate: result.duplicate };
        },
        (error): SubmitResult => {
          this.log.error(`could not store a message from ${from}: ${String(error)}`);
          return { ok: false, code: 'storage_failed' };
        },
      );
    this.pendingWrites.track(pending);
    return pending;
  }

  /** Hands a just-stored message to its recipients' sessions (the same mailbox rule as the store's). */
  private wake(message: StoredMessage): void {
    if (message.to !== EVERYONE) {
      if (message.to === message.from) return;
      for (const session of this.sessions.forUser(message.to)) session.offer(message);
      return;
    }
    this.sessions.forEach((session) => {
      if (session.name !== message.from) session.offer(message);
    });
  }

  // ---- connections ----

  /** A new TCP socket: counted per address until it closes, then handed on (through TLS when on). */
  private incoming(raw: Socket): void {
    const address = raw.remoteAddress ?? 'unknown';
    if (this.closing) {
      raw.destroy();
      return;
    }
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    raw.once('close', () => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    raw.setKeepAlive(true, 60_000);
    raw.on('error', (error) => this.log.debug(`socket error from ${address}: ${error.message}`));
    if (this.tlsGate) this.tlsGate.admit(raw);
    else this.accept(raw);
  }

  /** A socket ready for ClassChat lines (plain TCP, or TLS after its handshake). */
  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (this.closing) {
      socket.destroy();
      return;
    }
    const count = this.perAddress.get(address) ?? 1;
    const connection = new Connection(socket, address, this.connectionOptions);
    this.connections.add(connection);
    socket.once('close', () => this.closed(connection));
    if (count > this.maxPerAddress) {
      this.log.warn(`refused a connection from ${address}: ${count - 1} already open`);
      connection.sendError('too_many_connections', { fatal: true });
      return;
    }
    connection.transport.write(
      frameLine({
        type: 'hello',
        protocol: 'classchat',
        versions: [...PROTOCOL_VERSIONS],
        server: SERVER_SOFTWARE,
        challenge: connection.challenge,
        features: ['history', 'e2ee-box', ...(this.files ? ['files'] : []), ...(this.plainText ? ['plain-text'] : []), ...(this.tlsGate ? ['tls'] : [])],
        joinCodeRequired: this.joinCode !== undefined,
        limits: {
          maxLineBytes: LIMITS.maxLineBytes,
          maxTextBytes: LIMITS.maxTextBytes,
          ...(this.files ? { maxFileBytes: this.files.spool.limits.maxFileBytes } : {}),
        },
        ...(this.plainText ? { info: 'ClassChat server. Plain-text users: type your user name and press Enter.' } : {}),
      }),
    );
    connection.timer(this.loginTimeoutMs, () => {
      if (connection.session) return;
      if (connection.mode === 'plain') connection.transport.end(plainNotice('No user name arrived in time. Goodbye.'));
      else connection.sendError('login_timeout', { fatal: true });
    });
  }

  private closed(connection: Connection): void {
    connection.dispose();
    this.connections.delete(connection);
    this.files?.disconnected(connection);
    const session = connection.session;
    if (!session) return;
    session.closed = true;
    if (this.sessions.remove(session)) {
      this.log.info(`${session.name} went offline`);
      const user = this.users.get(session.name);
      if (user) this.rosterChanged(user);
      if (user && !this.closing) this.presence.changedUser(user);
    }
  }

  /**
   * Counts an error against the connection and closes abusive ones. Rate-limit refusals weigh a
   * tenth: a client draining a big outbox may hit the limit often without being hostile. A
   * storage failure (full disk) is the server's trouble, not the client's: it never counts.
   */
  penalise(connection: Connection, code?: ErrorCode): boolean {
    if (code === 'storage_failed') return false;
    if (code === 'rate_limited' && ++connection.rateLimitedCount % 10 !== 0) return false;
    if (connection.errors.take()) return false;
    this.log.warn(`closing ${connection.session?.name ?? connection.address}: too many errors`);
    if (connection.mode === 'plain') connection.transport.end(plainNotice('Too many errors. Goodbye.'));
    else connection.sendError('abuse', { fatal: true });
    return true;
  }
}
