/**
 * "Start Local Server": the ClassChat server with its embedded log store, running inside the
 * extension host (pure JS, so it loads there). No vscode: the command layer shows its address.
 */
import { networkInterfaces } from 'node:os';
import { ChatServer } from '../server/chat-server';
import { LogStore } from '../server/store/log-store';

export interface LocalServerOptions {
  host: '127.0.0.1' | '0.0.0.0';
  port: number;
  dataDir: string;
  log?: (line: string) => void;
}

export class LocalServer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: ChatServer,
    private readonly store: LogStore,
    readonly host: string,
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /** Opens the store and listens; on failure nothing is left open. */
  static async start(options: LocalServerOptions): Promise<LocalServer> {
    const log = options.log ?? (() => undefined);
    const store = new LogStore({ dataDir: options.dataDir, log });
    await store.open();
    const server = new ChatServer({
      store,
      log: { debug: () => undefined, info: log, warn: log, error: log },
    });
    try {
      const address = await server.listen(options.port, options.host);
      return new LocalServer(server, store, options.host, address.port, options.dataDir);
    } catch (error) {
      await server.close().catch(() => undefined);
      await store.close();
      throw error;
    }
  }

  /** Addresses classmates can use: this machine's LAN addresses when listening on all interfaces. */
  addresses(): string[] {
    if (this.host !== '0.0.0.0') return [`${this.host}:${this.port}`];
    const lan = lanAddresses();
    return lan.length > 0 ? lan.map((ip) => `${ip}:${this.port}`) : [`127.0.0.1:${this.port}`];
  }

  /** Stops accepting, says goodbye to clients, then flushes and closes the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.server.close();
      } finally {
        await this.store.close();
      }
    })();
    return this.closing;
  }
}

export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) found.push(info.address);
  }
  return found;
}
