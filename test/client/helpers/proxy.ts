/**
 * A TCP proxy on 127.0.0.1 port 0 in front of a server, to cut connections at chosen moments
 * (a real fault: the client sees its socket die, the server may already have acted).
 */
import { connect, createServer, Server, Socket } from 'node:net';
import { listenOnLoopback } from '../../helpers/loopback';

export class CutProxy {
  /** Called with each chunk from the server; return true to cut the connection instead of forwarding it. */
  cutWhen: (chunk: Buffer) => boolean = () => false;
  cuts = 0;
  /** While true, new connections are closed at once (the server looks down). */
  refuse = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CutProxy> {
    const server = createServer({ noDelay: true });
    const proxy = new CutProxy(server, await listenOnLoopback(server));
    server.on('connection', (client) => {
      if (proxy.refuse) {
        client.on('error', () => undefined);
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      const cut = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (chunk: Buffer) => upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        if (proxy.cutWhen(chunk)) {
          proxy.cuts++;
          cut();
        } else client.write(chunk);
      });
      client.on('close', cut);
      upstream.on('close', cut);
    });
    return proxy;
  }

  /** Cuts every connection through the proxy now, wherever its frames are. */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
