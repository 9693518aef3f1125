/**
 * The listener: accepts sockets (through the TLS gate when on), admits them per address, greets
 * each with `hello`, closes connections that stop reading (slow-consumers.ts) or misbehave, and closes everything
 * gracefully on shutdown. It knows connections, never users or messages.
 */
import { createServer, AddressInfo, Server, Socket } from 'node:net';
import type { ErrorCode } from '../protocol/errors';
import type { Clock } from './clock';
import { Connection, ConnectionOptions } from './connection';
import type { Logger } from './logger';
import { frameLine } from './message-lines';
import { plainNotice } from './plain-lines';
import type { Penalties } from './server-services';
import { OutputLimits, SlowConsumers } from './slow-consumers';
import { TlsGate, TlsGateOptions } from './tls-gate';

export interface ListenerOptions {
  log: Logger;
  clock: Clock;
  maxConnectionsPerAddress: number;
  loginTimeoutMs: number;
  /** What connections that do not read may cost (slow-consumers.ts). */
  output: OutputLimits;
  tls: Omit<TlsGateOptions, 'log' | 'onSecure'> | undefined;
  /** How connections read and pick their handler; output bounds and overflow are the listener's own. */
  connection: Omit<ConnectionOptions, 'limits' | 'unsentBudget' | 'onOverflow' | 'onTlsHello'> & { maxLineBytes: number };
  /** The `hello` line a new connection is greeted with. */
  hello(connection: Connection): string;
  /** A connection closed (after the listener forgot it). */
  onClosed(connection: Connection): void;
}

export class Listener implements Penalties {
  readonly connections = new Set<Connection>();
  private readonly net: Server;
  private readonly tlsGate: TlsGate | undefined;
  private readonly perAddress = new Map<string, number>();
  private readonly connectionOptions: ConnectionOptions;
  private readonly slowConsumers: SlowConsumers;
  private closing = false;

  constructor(private readonly options: ListenerOptions) {
    const { maxLineBytes, ...connection } = options.connection;
    const output = options.output;
    this.slowConsumers = new SlowConsumers(this.connections, output.stallTimeoutMs, output.unsentBudgetBytes, options.clock, options.log);
    this.connectionOptions = {
      ...connection,
      limits: { maxLineBytes, softQueueBytes: output.softQueueBytes, hardQueueBytes: output.hardQueueBytes },
      unsentBudget: this.slowConsumers.budget,
      onOverflow: (overflowing, why) => this.slowConsumers.drop(overflowing, why),
      onTlsHello: (connection) => {
        // The client sees our plain `hello` where it expects a TLS record and reports that.
        options.log.info(`closed a TLS connection from ${connection.address}: this server is plain TCP (start it with --tls-cert and --tls-key for TLS)`);
        connection.transport.end();
      },
    };
    this.tlsGate = options.tls && new TlsGate({ ...options.tls, log: options.log, onSecure: (socket) => this.accept(socket) });
    this.net = createServer({ noDelay: true }, (socket) => this.incoming(socket));
  }

  get tls(): boolean {
    return this.tlsGate !== undefined;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
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

  /**
   * Stops accepting and reading, waits for `settle` (messages being stored), tells every client
   * goodbye and closes the sockets, destroying those still open after 3 s.
   */
  async close(settle: () => Promise<void>): Promise<void> {
    this.closing = true;
    this.slowConsumers.stop();
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    this.tlsGate?.closePending();
    for (const connection of this.connections) connection.pauseInput();
    await settle();
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

  /**
   * Counts an error against the connection and closes abusive ones. Rate-limit refusals weigh a
   * tenth: a client draining a big outbox may hit the limit often without being hostile. A
   * storage failure (full disk) is the server's trouble, not the client's: it never counts.
   */
  penalise(connection: Connection, code?: ErrorCode): boolean {
    if (code === 'storage_failed') return false;
    if (code === 'rate_limited' && ++connection.rateLimitedCount % 10 !== 0) return false;
    if (connection.errors.take()) return false;
    this.options.log.warn(`closing ${connection.session?.name ?? connection.address}: too many errors`);
    if (connection.mode === 'plain') connection.transport.end(plainNotice('Too many errors. Goodbye.'));
    else connection.sendError('abuse', { fatal: true });
    return true;
  }

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
    raw.on('error', (error) => this.options.log.debug(`socket error from ${address}: ${error.message}`));
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
    socket.once('close', () => {
      connection.dispose();
      this.connections.delete(connection);
      this.options.onClosed(connection);
    });
    if (count > this.options.maxConnectionsPerAddress) {
      this.options.log.warn(`refused a connection from ${address}: ${count - 1} already open`);
      connection.sendError('too_many_connections', { fatal: true });
      return;
    }
    connection.transport.write(this.options.hello(connection));
    connection.timer(this.options.loginTimeoutMs, () => {
      if (connection.session || connection.linking) return;
      if (connection.mode === 'plain') connection.transport.end(plainNotice('No user name arrived in time. Goodbye.'));
      else connection.sendError('login_timeout', { fatal: true });
    });
  }
}
