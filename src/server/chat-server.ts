/**
 * ChatServer: builds the server's parts and wires them together. The listener accepts and admits
 * connections (listener.ts), the roster knows users (roster.ts), logins open sessions
 * (logins.ts), mailboxes store and deliver messages (mailboxes.ts); the JSON and plain-text
 * handlers and the file relay see only the narrow views in server-services.ts.
 */
import type { AddressInfo } from 'node:net';
import type { ErrorCode } from '../protocol/errors';
import { LIMITS } from '../protocol/limits';
import type { UserInfo } from '../protocol/frames';
import { sodiumReady } from '../crypto/sodium';
import { Clock, systemClock } from './clock';
import type { Connection } from './connection';
import { Logger, silentLogger } from './logger';
import type { Session, SessionKind } from './session';
import { SessionRegistry } from './session-registry';
import type { Store } from './store/store';
import { jsonHandler } from './json-handlers';
import { plainHandler } from './plain-text';
import { FileRelay } from './files/file-relay';
import { PresenceBatcher } from './presence-batcher';
import { PendingWrites } from './pending-writes';
import { DEFAULT_REGISTRATION_LIMITS, RegistrationGate } from './registration-gate';
import { Listener } from './listener';
import { outputLimits } from './slow-consumers';
import { Roster } from './roster';
import { Mailboxes } from './mailboxes';
import { Logins } from './logins';
import { Rooms } from './rooms/rooms';
import { Moderation } from './moderation/moderation';
import { Blocks } from './blocks/blocks';
import { DEFAULT_HELD_LIMITS, HeldMessages } from './held-messages';
import { ClusterLink } from './cluster-link';
import { ClusterSync, ONE_NODE } from './cluster-sync';
import { Devices } from './devices/devices';
import { helloLine } from './hello-line';
import type { AuthResult, HandlerServices, SubmitInput } from './server-services';
import type { ChatServerOptions, RosterEntry, SubmitResult } from './chat-server-options';

export type { ChatServerOptions, RosterEntry, SubmitResult } from './chat-server-options';

export { SERVER_SOFTWARE } from './hello-line';

export class ChatServer {
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly joinCode: string | undefined;
  readonly sessions = new SessionRegistry();
  readonly files: FileRelay | undefined;
  private readonly rosterPart: Roster;
  private readonly rooms: Rooms;
  private readonly moderation: Moderation;
  private readonly blocks: Blocks;
  private readonly held: HeldMessages;
  private readonly mail: Mailboxes;
  private readonly logins: Logins;
  private readonly devices: Devices;
  private readonly listener: Listener;
  private readonly presence: PresenceBatcher;
  /** Other nodes sharing the store, when there are any. */
  private readonly cluster: ClusterLink | undefined;
  private readonly pendingWrites: PendingWrites;
  private readonly plainText: boolean;
  private readonly services: HandlerServices;
  private closing = false;

  constructor(options: ChatServerOptions) {
    this.store = options.store;
    this.log = options.log ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.joinCode = options.joinCode || undefined;
    this.plainText = options.plainText ?? true;
    this.pendingWrites = new PendingWrites(Math.max(1, options.maxPendingWrites ?? 1024));
    this.rosterPart = new Roster(this.sessions);
    this.rooms = new Rooms(this.rosterPart);
    this.moderation = new Moderation(this.rosterPart, this.clock, (name) => this.logins.endBanned(name));
    this.blocks = new Blocks({ store: this.store, roster: this.rosterPart, sessionsOf: (name) => this.sessions.forUser(name), log: this.log });
    this.held = new HeldMessages(this.store, () => this.mail, { ...DEFAULT_HELD_LIMITS, ...options.held }, this.clock, this.log);
    const feed = this.store.cluster;
    const sync = feed ? new ClusterSync(feed, this.log) : undefined;
    const stateSync = sync ?? ONE_NODE;
    this.presence = new PresenceBatcher(this.sessions, options.presenceBatching ?? { writesPerSecond: 50_000, minDelayMs: 50 }, this.clock);
    this.mail = new Mailboxes({
      store: this.store,
      roster: this.rosterPart,
      sessions: this.sessions,
      pendingWrites: this.pendingWrites,
      clock: this.clock,
      log: this.log,
      rooms: this.rooms,
      moderation: this.moderation,
      held: this.held,
      sync: stateSync,
      rateLimit: options.rateLimit ?? { perSecond: 20, burst: 100 },
    });
    this.cluster = feed && sync && new ClusterLink({ feed, sync, store: this.store, sessions: this.sessions, roster: this.rosterPart, mail: this.mail, presence: this.presence, blocks: this.blocks, log: this.log });
    this.logins = new Logins({
      store: this.store,
      roster: this.rosterPart,
      sessions: this.sessions,
      mail: this.mail,
      registrations: new RegistrationGate(this.joinCode, { ...DEFAULT_REGISTRATION_LIMITS, ...options.registrations }, this.clock, this.log),
      presence: this.cluster?.presence ?? this.presence,
      log: this.log,
      rooms: this.rooms,
      moderation: this.moderation,
      sync: stateSync,
      blocks: this.blocks,
      maxSessionsPerUser: Math.max(1, options.maxSessionsPerUser ?? 8),
    });
    this.devices = new Devices({ store: this.store, roster: this.rosterPart, sessions: this.sessions, clock: this.clock, log: this.log, penalties: () => this.listener, advanceUser: (user, seq) => this.mail.advance(user, seq) });
    this.mail.devices = this.devices;
    const tls = options.tls && { ...options.tls, firstByteTimeoutMs: options.tlsFirstByteTimeoutMs ?? 2000, handshakeTimeoutMs: options.tlsHandshakeTimeoutMs ?? 10_000 };
    this.listener = new Listener({
      log: this.log,
      clock: this.clock,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 200,
      loginTimeoutMs: options.loginTimeoutMs ?? 30_000,
      output: outputLimits(options),
      tls,
      connection: {
        maxLineBytes: LIMITS.maxLineBytes,
        clock: this.clock,
        errorBurst: 20,
        errorsPerSecond: 0.5,
        plainIdleMs: options.plainIdleMs ?? 150,
        chooseHandler: (connection, mode) => this.handlerFor(connection, mode),
        inputGate: this.pendingWrites,
      },
      hello: (connection) => this.hello(connection),
      onClosed: (connection) => this.closed(connection),
    });
    this.files = options.files
      ? new FileRelay({ log: this.log, clock: this.clock, roster: this.rosterPart, mail: this.mail, penalties: this.listener, blocked: (recipient, sender) => this.blocks.blocked(recipient, sender) }, options.files)
      : undefined;
    this.services = {
      log: this.log,
      joinCode: this.joinCode,
      roster: this.rosterPart,
      logins: this.logins,
      mail: this.mail,
      penalties: this.listener,
      history: this.store,
      rooms: this.rooms,
      moderation: this.moderation,
      blocks: this.blocks,
      files: this.files,
      devices: this.devices,
      sync: stateSync,
    };
  }

  /** Loads the roster and starts listening; resolves with the bound address. */
  async listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    this.rosterPart.load(await this.store.listUsers(), await this.store.listRoles());
    this.devices.load(await sodiumReady(), await this.store.listDevices());
    this.rooms.load(await this.store.listRooms());
    this.moderation.load(await this.store.moderation());
    this.blocks.load(await this.store.listBlocks());
    this.held.start();
    await this.cluster?.start();
    return this.listener.listen(port, host);
  }

  address(): AddressInfo {
    return this.listener.address();
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
    this.files?.stop();
    this.presence.stop();
    this.held.stop();
    await this.listener.close(() => this.pendingWrites.settle());
    await this.cluster?.stop();
  }

  // ---- the parts' public faces, for the CLI and tests ----

  get users(): ReadonlyMap<string, RosterEntry> {
    return this.rosterPart.users;
  }

  roster(): UserInfo[] {
    return this.rosterPart.list();
  }

  authenticate(name: string, publicKey: string | null, joinCode: string | undefined, address: string): Promise<AuthResult> {
    return this.logins.authenticate(name, publicKey, joinCode, address);
  }

  startSession(connection: Connection, user: RosterEntry, kind: SessionKind, clientAckedSeq = 0): Session {
    return this.logins.startSession(connection, user, kind, clientAckedSeq);
  }

  submit(from: string, input: SubmitInput): SubmitResult | Promise<SubmitResult> {
    return this.mail.submit(from, input);
  }

  acknowledge(session: Session, seq: number): void {
    this.mail.acknowledge(session, seq);
  }

  penalise(connection: Connection, code?: ErrorCode): boolean {
    return this.listener.penalise(connection, code);
  }

  // ---- wiring ----

  private handlerFor(connection: Connection, mode: 'json' | 'plain') {
    if (mode === 'json') return jsonHandler(this.services);
    if (this.plainText) return plainHandler(this.services);
    connection.sendError('bad_json', { detail: 'this server speaks only ClassChat JSON frames', fatal: true });
    return undefined;
  }

  private hello(connection: Connection): string {
    return helloLine(connection.challenge, { files: this.files, plainText: this.plainText, tls: Boolean(this.listener.tls), joinCode: this.joinCode });
  }

  private closed(connection: Connection): void {
    this.files?.disconnected(connection);
    this.devices.disconnected(connection);
    if (connection.session) this.logins.ended(connection.session, !this.closing);
  }
}
