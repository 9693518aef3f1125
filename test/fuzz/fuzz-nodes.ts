/**
 * The servers a raw fuzz run talks to: one node on the embedded LogStore (the default), or two
 * nodes on one PostgreSQL (issue 20), with every user's connections going round the nodes so a
 * client moves between them as it reconnects.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatServer } from '../../src/server/chat-server';
import { LogStore } from '../../src/server/store/log-store';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import type { TestPostgres } from '../helpers/postgres';
import { makeDataDir, startTestServer } from '../helpers/test-server';

/** Rate limit off (the fuzz sends bursts on purpose); a small soft queue so a paused reader really congests. */
const SERVER_OPTIONS = { rateLimit: false, softQueueBytes: 4096 } as const;

export interface FuzzNodes {
  readonly ports: readonly number[];
  /** Until everything acknowledged is where storedContents looks. */
  settled(): Promise<void>;
  /** What the store holds, as searchable text per place (files of the data directory, or the database). */
  storedContents(): Promise<Array<{ name: string; bytes: Buffer }>>;
  close(): Promise<void>;
}

/** One node on a LogStore in a fresh data directory; `teacher` has the role before it starts. */
export async function oneNode(teacher: string): Promise<FuzzNodes> {
  const dataDir = await makeDataDir();
  const store = new LogStore({ dataDir });
  await store.open();
  await store.setRole(teacher, 'teacher');
  await store.close();
  const server = await startTestServer({ ...SERVER_OPTIONS, dataDir, fileLimits: false });
  return {
    ports: [server.port],
    settled: () => server.store.settled(),
    async storedContents() {
      const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
      return Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => ({ name: entry.name, bytes: await readFile(join(entry.parentPath, entry.name)) })));
    },
    close: () => server.close(),
  };
}

let databases = 0;

/** Two nodes on a fresh database of `pg`; `teacher` has the role before they start. */
export async function twoNodes(teacher: string, pg: TestPostgres): Promise<FuzzNodes> {
  const db = `fuzz${process.pid}_${++databases}`;
  const url = await pg.createDatabase(db);
  const setup = new PostgresStore({ url });
  await setup.open();
  await setup.setRole(teacher, 'teacher');
  await setup.close();
  const nodes: Array<{ server: ChatServer; store: PostgresStore }> = [];
  const ports: number[] = [];
  for (const name of ['a', 'b']) {
    const store = new PostgresStore({ url, node: name });
    await store.open();
    const server = new ChatServer({ ...SERVER_OPTIONS, store });
    nodes.push({ server, store });
    ports.push((await server.listen(0, '127.0.0.1')).port);
  }
  return {
    ports,
    settled: async () => undefined, // `sent` comes after the commit
    storedContents: async () => [{ name: `database ${db}`, bytes: Buffer.from(await pg.dump(db), 'utf8') }],
    async close() {
      for (const { server, store } of nodes) {
        await server.close();
        await store.close().catch(() => undefined);
      }
      await pg.sql(`DROP DATABASE "${db}" WITH (FORCE)`);
    },
  };
}
