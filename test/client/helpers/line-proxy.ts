/**
 * A recording, tampering TCP proxy on 127.0.0.1 port 0 in front of a server. It records every
 * byte each way (so a test can grep what the server received and sent), and can rewrite or
 * inject whole server → client lines (a malicious server or a network attacker); binary file
 * chunks pass as bytes, and can be rewritten too.
 */
import { connect, createServer, Server, Socket } from 'node:net';
import { BinaryChunkHeader, isBinaryChunkHeader, parseBinaryChunkHeader } from '../../../src/protocol/binary-chunk';
import { listenOnLoopback } from '../../helpers/loopback';

export class LineProxy {
  /** Every chunk the clients sent through the proxy, as the server received it. */
  readonly toServer: Buffer[] = [];
  /** Every chunk the server sent, before any rewriting. */
  readonly toClient: Buffer[] = [];
  /** Rewrites one server → client line (without its newline); `index` counts connections from 0. */
  rewrite: (line: string, index: number) => string = (line) => line;
  /** Rewrites the bytes of one binary file chunk (same length: the header is passed as it was). */
  rewriteBytes: (bytes: Buffer, header: BinaryChunkHeader) => Buffer = (bytes) => bytes;
  private readonly clients: Socket[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<LineProxy> {
    const server = createServer({ noDelay: true });
    const proxy = new LineProxy(server, await listenOnLoopback(server));
    server.on('connection', (client) => proxy.relay(client, targetPort));
    return proxy;
  }

  /** Sends `line` to the client of connection `index`, as if the server had written it. */
  inject(index: number, line: string): void {
    this.clients[index].write(line + '\n');
  }

  /** Everything recorded in one direction, as one buffer to search. */
  received(): Buffer {
    return Buffer.concat(this.toServer);
  }

  sent(): Buffer {
    return Buffer.concat(this.toClient);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number): void {
    const index = this.clients.length;
    this.clients.push(client);
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      this.toServer.push(chunk);
      upstream.write(chunk);
    });
    let pending = Buffer.alloc(0);
    /** Bytes (and the newline) of a binary chunk still to pass before the next line. */
    let raw: { header: BinaryChunkHeader; wanted: number } | undefined;
    upstream.on('data', (chunk: Buffer) => {
      this.toClient.push(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (raw) {
          if (pending.length < raw.wanted) break;
          const body = Buffer.from(pending.subarray(0, raw.wanted));
          pending = pending.subarray(raw.wanted);
          client.write(this.rewriteBytes(body.subarray(0, -1), raw.header));
          client.write(body.subarray(-1));
          raw = undefined;
          continue;
        }
        const newline = pending.indexOf(0x0a);
        if (newline < 0) break;
        const lineBytes = pending.subarray(0, newline);
        pending = pending.subarray(newline + 1);
        if (isBinaryChunkHeader(lineBytes)) {
          const header = parseBinaryChunkHeader(lineBytes);
          if (!('problem' in header)) raw = { header, wanted: header.length + 1 };
          client.write(Buffer.concat([lineBytes, Buffer.from('\n')]));
          continue;
        }
        client.write(this.rewrite(lineBytes.toString('utf8'), index) + '\n');
      }
    });
    client.on('close', cut);
    upstream.on('close', cut);
  }
}
