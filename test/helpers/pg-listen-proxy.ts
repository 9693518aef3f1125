/**
 * A TCP proxy in front of a test PostgreSQL that can hold back what the database sends to a
 * node's listening connection (the one that ran LISTEN): a real slow link for LISTEN/NOTIFY,
 * so a node hears of other nodes' commits late while its pool's queries still go through.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const LISTEN_QUERY = 'LISTEN classchat_commits';

export class ListenProxy {
  private readonly listeners = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private held = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `upstreamPort`. */
  static async start(upstreamPort: number): Promise<ListenProxy> {
    let proxy: ListenProxy | undefined;
    const server = createServer((client) => proxy!.forward(client, upstreamPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the proxy has no port');
    proxy = new ListenProxy(server, address.port);
    return proxy;
  }

  /** `url` with its port replaced by the proxy's. */
  via(url: string): string {
    const parsed = new URL(url);
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Notifications (and anything else) for listening connections wait until `release`. */
  hold(): void {
    this.held = true;
    for (const upstream of this.listeners) upstream.pause();
  }

  release(): void {
    this.held = false;
    for (const upstream of this.listeners) upstream.resume();
  }

  async close(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket, upstreamPort: number): void {
    const upstream = connect({ port: upstreamPort, host: '127.0.0.1' });
    this.sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      // A LISTEN query marks the connection (the simple-query message carries it as text).
      if (!this.listeners.has(upstream) && chunk.toString('latin1').includes(LISTEN_QUERY)) {
        this.listeners.add(upstream);
        if (this.held) upstream.pause();
      }
      upstream.write(chunk);
    });
    // Not pipe(): a drain would resume a held socket.
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.listeners.delete(upstream);
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
