/** Starts a real ChatServer on 127.0.0.1 port 0 with the embedded store in a temp directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatServer, ChatServerOptions } from '../../src/server/chat-server';
import { LogStore } from '../../src/server/store/log-store';

export interface TestServer {
  server: ChatServer;
  store: LogStore;
  port: number;
  dataDir: string;
  /** Stops the server and closes the store; keeps the data directory. */
  stop(): Promise<void>;
  /** Stops and deletes the data directory. */
  close(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'classchat-test-'));
}

export async function startTestServer(options: Partial<ChatServerOptions> & { dataDir?: string; port?: number } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const store = new LogStore({ dataDir });
  await store.open();
  const server = new ChatServer({ ...options, store });
  const address = await server.listen(options.port ?? 0, '127.0.0.1');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await store.close();
  };
  return {
    server,
    store,
    port: address.port,
    dataDir,
    stop,
    close: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
