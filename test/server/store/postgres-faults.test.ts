import { strict as assert } from 'node:assert';
import { ChatServer } from '../../../src/server/chat-server';
import { PostgresStore } from '../../../src/server/store/postgres/postgres-store';
import { MIGRATIONS } from '../../../src/server/store/postgres/migrations';
import { TestPostgres } from '../../helpers/postgres';
import { RawClient } from '../../helpers/raw-client';

/** What the PostgreSQL store does beyond the shared contract: outages, migrations, old resends. */
describe('PostgresStore against a real PostgreSQL', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let databases = 0;
  const stores: PostgresStore[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  });
  after(async () => {
    await pg?.stop();
  });

  async function openStore(options: { recentIds?: number; url?: string } = {}): Promise<PostgresStore> {
    const store = new PostgresStore({ url: options.url ?? (await pg.createDatabase(`faults${++databases}`)), ...options });
    await store.open();
    stores.push(store);
    return store;
  }

  it('refuses sends with storage_failed while PostgreSQL is down, stays up, and stores them once it is back', async () => {
    const store = await openStore();
    const server = new ChatServer({ store, rateLimit: false });
    const { port } = await server.listen(0, '127.0.0.1');
    const alice = await RawClient.login(port, 'alice');
    const bob = await RawClient.login(port, 'bob');
    try {
      const send = (ids: string[]) => ids.forEach((id) => alice.client.send({ type: 'send', id, to: id.startsWith('all') ? '*' : 'bob', text: `text of ${id}` }));
      send(['before1', 'all-before2']);
      await alice.client.waitFor(() => (alice.client.all('sent').length === 2 ? true : undefined), 'acks before the outage');

      await pg.stopServer('immediate');
      const during = ['during1', 'all-during2', 'during3'];
      send(during);
      await alice.client.waitFor(() => (alice.client.all('error').length === 3 ? true : undefined), 'three refusals', 20000);
      assert.deepEqual(alice.client.all('error').map((e) => [e.id, e.code, e.fatal]), during.map((id) => [id, 'storage_failed', false]));
      assert.equal(alice.client.all('sent').length, 2);

      await pg.startServer();
      send(during);
      await alice.client.waitFor(() => (alice.client.all('sent').length === 5 ? true : undefined), 'acks once PostgreSQL is back', 20000);
      assert.ok(alice.client.all('sent').every((sent) => sent.duplicate !== true));
      await bob.client.waitFor(() => (bob.client.all('msg').length >= 5 ? true : undefined), 'every message at bob');
      assert.deepEqual(bob.client.all('msg').map((m) => m.id), ['before1', 'all-before2', ...during]);
      assert.deepEqual((await store.readMailbox('bob', 0, 10)).map((m) => m.id), ['before1', 'all-before2', ...during]);
    } finally {
      alice.client.close();
      bob.client.close();
      await server.close();
    }
  });

  it('records each migration once in classchat_schema_version and refuses a database from a newer server', async () => {
    const url = await pg.createDatabase(`faults${++databases}`);
    const first = await openStore({ url });
    await first.close();
    stores.pop();
    const again = await openStore({ url });
    await again.close();
    stores.pop();
    await pg.sql(`DO $$ BEGIN IF (SELECT count(*) FROM classchat_schema_version) <> ${MIGRATIONS.length} THEN RAISE EXCEPTION 'migrations applied twice'; END IF; END $$`, `faults${databases}`);
    await pg.sql("INSERT INTO classchat_schema_version (version, description) VALUES (99, 'from the future')", `faults${databases}`);
    await assert.rejects(openStore({ url }), new RegExp(`schema version 99, newer than this server knows \\(${MIGRATIONS.length}\\): upgrade the server`));
  });

  it('finds a resend older than the in-memory window in the database: the same message, marked duplicate', async () => {
    const store = await openStore({ recentIds: 1 });
    const first = await store.append({ from: 'alice', id: 'old', to: '*', ts: 1, text: 'first' });
    await store.append({ from: 'alice', id: 'newer', to: '*', ts: 2, text: 'pushes old out of the window' });
    assert.equal(store.hasMessage('alice', 'old'), false);
    const again = await store.append({ from: 'alice', id: 'old', to: '*', ts: 3, text: 'resent' });
    assert.deepEqual([again.duplicate, again.message], [true, first.message]);
    assert.deepEqual((await store.readHistory({ viewer: 'bob', with: '*', limit: 10 })).messages.map((m) => m.text), ['first', 'pushes old out of the window']);
  });
});
