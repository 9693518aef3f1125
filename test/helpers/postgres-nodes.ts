/**
 * Server nodes on one throwaway PostgreSQL for mocha tests of several nodes (issue 20): one
 * PostgreSQL per file, a fresh database per test, and every node and client the test made closed
 * after it.
 */
import type { Role } from '../../src/protocol/room-frames';
import { ChatServer } from '../../src/server/chat-server';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { TestPostgres } from './postgres';
import type { RawClient } from './raw-client';

export interface PostgresNodes {
  readonly pg: TestPostgres;
  /** Raw clients to close after the test. */
  readonly clients: RawClient[];
  /** A new, empty database, with `roles` set as the operator would before any node starts. */
  database(roles?: Record<string, Role>): Promise<string>;
  /** A node named `name` on the database at `url`, listening on 127.0.0.1; returns its port. */
  node(url: string, name: string): Promise<number>;
}

/** Registers the hooks in the calling `describe`; `prefix` names its databases. */
export function usePostgresNodes(prefix: string): PostgresNodes {
  let pg: TestPostgres | undefined;
  let databases = 0;
  const nodes: Array<{ server: ChatServer; store: PostgresStore }> = [];
  const clients: RawClient[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const { server, store } of nodes.splice(0)) {
      await server.close();
      await store.close().catch(() => undefined);
    }
  });
  after(async () => {
    await pg?.stop();
  });
  const started = () => {
    if (!pg) throw new Error('PostgreSQL is not started yet (use the fixture inside a test)');
    return pg;
  };
  return {
    get pg() {
      return started();
    },
    clients,
    async database(roles = {}) {
      const url = await started().createDatabase(`${prefix}${++databases}`);
      if (Object.keys(roles).length > 0) {
        const setup = new PostgresStore({ url });
        await setup.open();
        for (const [name, role] of Object.entries(roles)) await setup.setRole(name, role);
        await setup.close();
      }
      return url;
    },
    async node(url, name) {
      const store = new PostgresStore({ url, node: name });
      await store.open();
      const server = new ChatServer({ store, rateLimit: false });
      nodes.push({ server, store });
      return (await server.listen(0, '127.0.0.1')).port;
    },
  };
}
