/**
 * A scriptable protocol peer for client tests: a real TCP server on 127.0.0.1 port 0 that says
 * `hello` and then records the client's frames; each test writes the server's side itself.
 */
import { createServer, Server, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseClientFrame } from '../../../src/protocol/codec';
import type { ClientFrame, ClientFrameOf, UserInfo } from '../../../src/protocol/frames';
import { FrameSocket } from '../../helpers/frame-socket';
import { Signal } from '../../helpers/signal';
import { verifyLogin } from '../../../src/crypto/identity';
import { listenOnLoopback } from '../../helpers/loopback';

export interface HelloOverrides {
  versions?: number[];
  joinCodeRequired?: boolean;
}

export class FakeConnection extends FrameSocket<ClientFrame> {
  readonly challenge = randomBytes(32).toString('base64');

  constructor(socket: Socket) {
    super(socket, parseClientFrame, 'fake server');
  }

  sendHello(overrides: HelloOverrides = {}): void {
    this.send({
      type: 'hello',
      protocol: 'classchat',
      versions: overrides.versions ?? [1],
      server: 'fake-server/1',
      challenge: this.challenge,
      features: ['history'],
      joinCodeRequired: overrides.joinCodeRequired ?? false,
      limits: { maxLineBytes: 131072, maxTextBytes: 16384 },
    });
  }

  /** Waits for login, checks its signature, answers welcome. Returns the login frame. */
  async acceptLogin(options: { ackedSeq?: number; users?: UserInfo[] } = {}): Promise<ClientFrameOf<'login'>> {
    const login = await this.next('login');
    const valid = await verifyLogin(login.publicKey, login.signature, this.challenge, login.name.trim().toLowerCase());
    if (!valid) throw new Error('fake server: bad login signature');
    const users = options.users ?? [{ name: login.name, publicKey: login.publicKey, online: true }];
    this.send({ type: 'welcome', v: login.v, name: login.name, registered: false, ackedSeq: options.ackedSeq ?? login.ackedSeq ?? 0, users });
    return login;
  }

  /** Ends our side cleanly (FIN). */
  end(frame?: Record<string, unknown>): void {
    if (frame) this.socket.end(JSON.stringify(frame) + '\n');
    else this.socket.end();
  }

  /** Cuts the connection (RST-like). */
  drop(): void {
    this.socket.destroy();
  }
}

export class FakeServer {
  readonly connections: FakeConnection[] = [];
  /** Say hello on accept (default true). */
  autoHello: HelloOverrides | false = {};
  private taken = 0;
  private readonly arrivals = new Signal();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeServer> {
    const server = createServer({ noDelay: true });
    const fake = new FakeServer(server, await listenOnLoopback(server));
    server.on('connection', (socket) => {
      const connection = new FakeConnection(socket);
      fake.connections.push(connection);
      if (fake.autoHello) connection.sendHello(fake.autoHello);
      fake.arrivals.notify();
    });
    return fake;
  }

  /** The next connection not yet returned by this method. */
  async nextConnection(timeoutMs = 10_000): Promise<FakeConnection> {
    await this.arrivals.waitFor(() => (this.connections.length > this.taken ? true : undefined), () => 'a connection at the fake server', timeoutMs);
    return this.connections[this.taken++];
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
