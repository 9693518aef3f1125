/** Starts a real ChatServer on 127.0.0.1 port 0 with the embedded store in a temp directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatServer, ChatServerOptions } from '../../src/server/chat-server';
import { LogStore, LogStoreOptions } from '../../src/server/store/log-store';
import { FileSpool } from '../../src/server/files/file-spool';
import type { FileLimits } from '../../src/server/files/file-quotas';
import type { Role } from '../../src/protocol/room-frames';

export interface TestServer {
  server: ChatServer;
  store: LogStore;
  /** The file spool in `<dataDir>/files` (undefined with `fileLimits: false`). */
  files: FileSpool | undefined;
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

export async function startTestServer(
  options: Partial<ChatServerOptions> & { dataDir?: string; port?: number; fileLimits?: Partial<FileLimits> | false; fileClock?: () => number; openFile?: LogStoreOptions['openFile'] } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const store = new LogStore({ dataDir, ...(options.openFile ? { openFile: options.openFile } : {}) });
  await store.open();
  const files = options.fileLimits === false ? undefined : new FileSpool(join(dataDir, 'files'), options.fileLimits ?? {}, options.fileClock);
  await files?.open();
  const server = new ChatServer({ ...options, store, files });
  const address = await server.listen(options.port ?? 0, '127.0.0.1');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await files?.close();
    await store.close();
  };
  return {
    server,
    store,
    files,
    port: address.port,
    dataDir,
    stop,
    close: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Gives names their roles in the store of `dataDir` (a new directory by default), as the operator's `role` command does; returns the directory. */
export async function dataDirWithRoles(roles: Record<string, Role>, dataDir?: string): Promise<string> {
  const dir = dataDir ?? (await makeDataDir());
  const store = new LogStore({ dataDir: dir });
  await store.open();
  for (const [name, role] of Object.entries(roles)) await store.setRole(name, role);
  await store.close();
  return dir;
}
