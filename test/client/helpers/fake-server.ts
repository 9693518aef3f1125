/**
 * A scriptable protocol peer for client tests: a real TCP server on 127.0.0.1 port 0 that says
 * `hello` and then records the client's frames; each test writes the server's side itself.
 */
import { createServer, Server, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseClientFrame } from '../../../src/protocol/codec';
import type { ClientFrame, ClientFrameOf, ClientFrameType, UserInfo } from '../../../src/protocol/frames';
import { LineDecoder } from '../../../src/protocol/line-decoder';
import { verifyLogin } from '../../../src/crypto/identity';

export interface HelloOverrides {
  versions?: number[];
  joinCodeRequired?: boolean;
}

export class FakeConnection {
  readonly frames: ClientFrame[] = [];
  readonly invalid: string[] = [];
  readonly challenge = randomBytes(32).toString('base64');
  closed = false;
  private readonly decoder = new LineDecoder(1024 * 1024);
  private waiters: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) {
        if (result.kind === 'error') this.invalid.push(result.code);
        else {
          const parsed = parseClientFrame(result.text);
          if (parsed.ok) this.frames.push(parsed.frame);
          else this.invalid.push(result.text);
        }
      }
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
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

  send(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  writeRaw(data: string): void {
    this.socket.write(data);
  }

  /** Waits for the first not-yet-consumed frame of `type` matching `where`, and consumes it. */
  async next<T extends ClientFrameType>(type: T, where: (frame: ClientFrameOf<T>) => boolean = () => true, timeoutMs = 3000): Promise<ClientFrameOf<T>> {
    return this.waitFor(() => {
      const index = this.frames.findIndex((frame) => frame.type === type && where(frame as ClientFrameOf<T>));
      if (index === -1) return undefined;
      return this.frames.splice(index, 1)[0] as ClientFrameOf<T>;
    }, `${type} frame`, timeoutMs);
  }

  all<T extends ClientFrameType>(type: T): ClientFrameOf<T>[] {
    return this.frames.filter((frame) => frame.type === type) as ClientFrameOf<T>[];
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : undefined), 'close', timeoutMs);
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

  async waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = 3000): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake server: timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export class FakeServer {
  readonly connections: FakeConnection[] = [];
  /** Say hello on accept (default true). */
  autoHello: HelloOverrides | false = {};
  private taken = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeServer> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const fake = new FakeServer(server, address.port);
    server.on('connection', (socket) => {
      const connection = new FakeConnection(socket);
      fake.connections.push(connection);
      if (fake.autoHello) connection.sendHello(fake.autoHello);
      const waiters = fake.waiters;
      fake.waiters = [];
      for (const waiter of waiters) waiter();
    });
    return fake;
  }

  /** The next connection not yet returned by this method. */
  async nextConnection(timeoutMs = 3000): Promise<FakeConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length <= this.taken) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('fake server: timed out waiting for a connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.connections[this.taken++];
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
