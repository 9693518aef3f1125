/**
 * The connection half of ChatClient: connect, hello, signed login, keep-alive, reconnect with
 * backoff after a lost connection, and a clean shutdown. What happens once logged in (messages,
 * keys, files) is ChatClient's, through the hooks at the bottom.
 */
import { Identity, signLogin } from '../crypto/identity';
import { ClassChatError } from '../protocol/errors';
import { BINARY_CHUNKS_FEATURE } from '../protocol/binary-chunk';
import { CLIENT_PROTOCOL_VERSIONS } from '../protocol/limits';
import type { DeviceListWire } from '../protocol/device-frames';
import type { HelloFrame, ServerFrame, WelcomeFrame } from '../protocol/frames';
import { Backoff } from './backoff';
import { Clock, systemClock, Timer } from './clock';
import { Connection } from './connection';
import { ChatClientError } from './errors';
import { KeepAlive } from './keep-alive';
import { RosterPages } from './roster-pages';
import { ServerList } from './server-list';
import { checkClientName, isPermanent, pickVersion, serverError, toError } from './rules';
import { checkTlsOptions, ClientTlsOptions } from './tls';
import { TypedEmitter } from './typed-events';
import type { ChatClientEvents, ChatClientOptions, ClientState, ClientStateName } from './types';

type Phase = 'hello' | 'login' | 'ready';

/** What proves a login: the identity key, and a signature by it (or, in v4, by a device key). */
export interface LoginProof {
  publicKey: string;
  signature: string;
  device?: string;
  deviceList?: DeviceListWire;
}

export abstract class ReconnectingClient extends TypedEmitter<ChatClientEvents> {
  readonly name: string;
  /** `host`:`port`, then `servers`: a lost connection reconnects to the next one. */
  readonly servers: ServerList;
  protected readonly options: ChatClientOptions;
  protected readonly clock: Clock;
  private readonly tls: ClientTlsOptions | undefined;
  private readonly reconnectBackoff: Backoff;
  private current: ClientState = { state: 'idle' };
  private conn: Connection | undefined;
  private phase: Phase = 'hello';
  private readonly rosterPages = new RosterPages();
  private login: { resolve(welcome: WelcomeFrame): void; reject(error: Error): void; timer: Timer } | undefined;
  private keepAlive: KeepAlive | undefined;
  private reconnectTimer: Timer | undefined;
  private reconnectAttempt = 0;
  private closing = false;
  /** The fatal error or `bye` reason seen on the current connection, reported when it closes. */
  private lostReason: Error | undefined;

  constructor(options: ChatClientOptions) {
    super();
    this.name = checkClientName(options.name);
    this.servers = new ServerList({ host: options.host, port: options.port }, options.servers);
    this.options = options;
    this.tls = options.tls ? checkTlsOptions(options.tls) : undefined;
    this.clock = options.timers ?? systemClock;
    this.reconnectBackoff = new Backoff({ initialMs: 500, maxMs: 30_000, ...options.backoff, jitter: 'full' });
  }

  /** The server connected to, or tried next. */
  get host(): string {
    return this.servers.current.host;
  }

  get port(): number {
    return this.servers.current.port;
  }

  get state(): ClientStateName {
    return this.current.state;
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

  /** Says goodbye, closes the socket, stops all timers; pending calls reject with ChatClientError "closed". */
  async close(): Promise<void> {
    if (this.current.state === 'closed') return;
    if (this.phase === 'ready') this.beforeBye();
    const conn = this.conn;
    this.conn = undefined;
    if (conn && this.phase === 'ready') conn.end({ type: 'bye' });
    else conn?.destroy();
    this.shutdown();
    if (conn && !conn.closed) await waitClosed(conn, 2000);
  }

  /** The logged-in connection, if there is one: frames written to it reach the server in order. */
  protected get link(): Connection | undefined {
    return this.phase === 'ready' ? this.conn : undefined;
  }

  protected get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }

  protected checkOpen(): void {
    if (this.current.state === 'closed') throw new ChatClientError('closed', 'the client is closed; connect again to send');
  }

  /** Ends the current connection, reporting `reason` when it has closed (a `bye`, say). */
  protected dropConnection(reason: Error): void {
    this.lostReason = reason;
    this.conn?.destroy();
  }

  /** Remembers a fatal server error, reported when the server closes the connection. */
  protected noteFatal(error: Error): void {
    this.lostReason = error;
  }

  // ---- what the subclass does ----

  /** The protocol versions this client offers to speak (v4 only with linked devices). */
  protected protocolVersions(): readonly number[] {
    return CLIENT_PROTOCOL_VERSIONS;
  }

  /** The login's key and signature: the identity's (v1-v3); a device's in v4 (devices/chat-devices.ts). */
  protected async loginProof(identity: Identity, challenge: string, _v: number): Promise<LoginProof> {
    return { publicKey: identity.publicKey, signature: await signLogin(identity, challenge, this.name) };
  }

  /** Loads what logging in needs (identity, keys); runs before every attempt. */
  protected abstract prepare(): Promise<Identity>;
  /** The server said hello: its limits and features apply from now on. */
  protected abstract onHello(hello: HelloFrame): void;
  /** The highest seq this client has acknowledged, sent with the login. */
  protected abstract get loginAckedSeq(): number | undefined;
  /** Logged in, before anyone hears of it: take the roster from the welcome. */
  protected abstract onLoggedIn(welcome: WelcomeFrame): void;
  /**
   * Logged in, after the `state` and `welcome` events: tell listeners, settle `connect()` with
   * `resolveConnect`, then bring the outbox and transfers up to date.
   */
  protected abstract afterLogin(conn: Connection, welcome: WelcomeFrame, resolveConnect: () => void): void;
  /** A frame on a logged-in connection. */
  protected abstract onFrame(frame: ServerFrame): void;
  /** The socket accepts writes again. */
  protected abstract onDrain(): void;
  /** The logged-in connection was lost (a reconnect may follow). */
  protected abstract onConnectionLost(): void;
  /** About to say bye: last acknowledgements. */
  protected abstract beforeBye(): void;
  /** Closed for good: reject whatever is pending with `reason`. */
  protected abstract onShutdown(reason: Error): void;
  /** Timers that live only as long as one connection. */
  protected abstract stopConnectionTimers(): void;

  // ---- connecting ----

  private async attempt(): Promise<WelcomeFrame> {
    const identity = await this.prepare();
    if (this.closing) throw new ChatClientError('closed', 'the client was closed');
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<WelcomeFrame>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => this.failLogin(new ChatClientError('timeout', `no answer from ${this.host}:${this.port} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.login = { resolve, reject, timer };
      this.phase = 'hello';
      this.rosterPages.reset();
      this.lostReason = undefined;
      const conn = new Connection(this.host, this.port, this.tls);
      this.conn = conn;
      conn.on('frame', (frame) => this.conn === conn && this.received(conn, frame, identity));
      conn.on('invalid', (error) => this.conn === conn && this.emit('error', error));
      conn.on('activity', () => this.conn === conn && this.keepAlive?.received());
      conn.on('drain', () => this.conn === conn && this.onDrain());
      conn.on('close', (error) => this.conn === conn && this.closed(error));
    });
  }

  private failLogin(error: Error): void {
    const login = this.login;
    if (!login) return;
    this.login = undefined;
    login.timer.cancel();
    const conn = this.conn;
    this.conn = undefined;
    this.phase = 'hello';
    this.rosterPages.reset();
    conn?.destroy();
    login.reject(error);
  }

  private received(conn: Connection, frame: ServerFrame, identity: Identity): void {
    if (this.phase === 'ready') return this.onFrame(frame);
    if (frame.type === 'error') return this.failLogin(serverError(frame));
    if (frame.type === 'bye') return this.failLogin(new ClassChatError(frame.reason));
    if (this.phase === 'hello') {
      if (frame.type !== 'hello') return this.failLogin(new ClassChatError('invalid_frame', `the server sent "${frame.type}" before "hello"`));
      const v = pickVersion(frame.versions, this.protocolVersions());
      if (v === undefined) {
        return this.failLogin(new ClassChatError('unsupported_version', `the server speaks protocol version ${frame.versions.join(', ')}; this client speaks ${CLIENT_PROTOCOL_VERSIONS.join(', ')}`));
      }
      this.phase = 'login';
      const binaryChunks = (this.options.binaryChunks ?? true) && frame.features.includes(BINARY_CHUNKS_FEATURE);
      conn.useBinaryChunks(binaryChunks);
      this.onHello(frame);
      this.loginProof(identity, frame.challenge, v).then((proof) => {
        if (this.conn !== conn || this.phase !== 'login') return;
        const client = this.options.clientName ?? 'classchat-client/0.1.0';
        const features = binaryChunks ? [BINARY_CHUNKS_FEATURE] : undefined;
        conn.write({ type: 'login', v, name: this.name, ...proof, joinCode: this.options.joinCode, ackedSeq: this.loginAckedSeq, client, features });
      }, (error: unknown) => this.failLogin(toError(error)));
    } else if (frame.type === 'welcome' && !this.rosterPages.waiting) {
      const welcome = this.rosterPages.welcome(frame);
      if (welcome) this.welcomed(conn, welcome);
    } else if (frame.type === 'roster') {
      try {
        const welcome = this.rosterPages.page(frame);
        if (welcome) this.welcomed(conn, welcome);
      } catch (error) {
        this.failLogin(toError(error));
      }
    }
  }

  private welcomed(conn: Connection, welcome: WelcomeFrame): void {
    const login = this.login;
    this.login = undefined;
    login?.timer.cancel();
    this.phase = 'ready';
    this.reconnectBackoff.reset();
    this.reconnectAttempt = 0;
    this.keepAlive = new KeepAlive(
      this.clock,
      () => this.conn === conn && conn.write({ type: 'ping' }),
      (silentMs) => conn.destroy(new ChatClientError('timeout', `no data from the server for ${Math.round(silentMs / 1000)} s`)),
      this.options.keepAlive,
    );
    this.onLoggedIn(welcome);
    this.setState({ state: 'connected', welcome });
    this.emit('welcome', welcome);
    this.afterLogin(conn, welcome, () => login?.resolve(welcome));
  }

  // ---- losing the connection ----

  private closed(socketError: Error | undefined): void {
    if (this.login) return this.failLogin(this.lostReason ?? socketError ?? new ChatClientError('connection_lost', 'the server closed the connection during login'));
    this.conn = undefined;
    this.phase = 'hello';
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    this.stopConnectionTimers();
    this.onConnectionLost();
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
    if (this.servers.all.length > 1) this.servers.advance();
    // Another node is there now: try it at once the first time.
    const delayMs = this.servers.all.length > 1 && attempt === 1 ? 0 : this.reconnectBackoff.next();
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

  /** Ends everything: no reconnect, every pending call rejected. Idempotent. */
  private shutdown(error?: Error): void {
    if (this.current.state === 'closed') return;
    this.closing = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    this.stopConnectionTimers();
    const reason = error ?? new ChatClientError('closed', 'the client was closed');
    this.failLogin(reason);
    this.conn?.destroy();
    this.conn = undefined;
    this.phase = 'hello';
    this.onShutdown(reason);
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
