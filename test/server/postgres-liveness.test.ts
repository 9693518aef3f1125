/**
 * A node killed with SIGKILL says nothing to the others (issue 20): they count it dead once its
 * heartbeat is older than --node-timeout, and tell their clients its users went offline. A node
 * that is alive is never counted dead, however long it is quiet.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatServer } from '../../src/server/chat-server';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { TestPostgres } from '../helpers/postgres';
import { RawClient } from '../helpers/raw-client';
import { spawnServer, ServerProcess } from '../helpers/server-process';

const TIMEOUT_SECONDS = 2;

describe('a PostgreSQL node killed without a word', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let dir: string;
  let killed: ServerProcess | undefined;
  let server: ChatServer | undefined;
  let store: PostgresStore | undefined;
  const clients: RawClient[] = [];
  before(async () => {
    pg = await TestPostgres.start();
    dir = await mkdtemp(join(tmpdir(), 'classchat-node-'));
  });
  after(async () => {
    for (const client of clients) client.close();
    await server?.close();
    await store?.close().catch(() => undefined);
    if (killed && killed.child.exitCode === null && killed.child.signalCode === null) killed.child.kill('SIGKILL');
    await killed?.exited;
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is counted dead within its timeout and its users are shown offline on the other node', async () => {
    const url = await pg.createDatabase('liveness');
    store = new PostgresStore({ url, node: 'survivor', nodeTimeoutMs: TIMEOUT_SECONDS * 1000 });
    await store.open();
    server = new ChatServer({ store, rateLimit: false });
    const survivorPort = (await server.listen(0, '127.0.0.1')).port;
    killed = await spawnServer(['--store', url, '--data-dir', dir, '--rate-limit', '0', '--node-timeout', String(TIMEOUT_SECONDS)]);

    const alice = await RawClient.login(survivorPort, 'alice');
    clients.push(alice.client);
    const bob = await RawClient.login(killed.port, 'bob');
    clients.push(bob.client);
    await alice.client.next('presence', (p) => p.user.name === 'bob' && p.user.online);

    // Alive and quiet for twice the timeout: bob stays online.
    await new Promise((resolve) => setTimeout(resolve, 2 * TIMEOUT_SECONDS * 1000));
    assert.deepEqual(alice.client.all('presence').filter((p) => p.user.name === 'bob').map((p) => p.user.online), [], 'a live node is not counted dead');

    killed.child.kill('SIGKILL');
    assert.equal(await killed.exited, 'SIGKILL');
    const start = Date.now();
    const offline = await alice.client.next('presence', (p) => p.user.name === 'bob', 15000);
    const took = Date.now() - start;
    assert.equal(offline.user.online, false);
    // The timeout, plus up to one heartbeat of the survivor's to notice, plus slack for a busy machine.
    assert.ok(took < TIMEOUT_SECONDS * 1000 * 2 + 1000, `bob shown offline ${took} ms after the kill`);

    // Who is online agrees: a fresh login on the survivor sees bob offline.
    const carol = await RawClient.login(survivorPort, 'carol');
    clients.push(carol.client);
    const bobInfo = carol.welcome.users.find((u) => u.name === 'bob');
    assert.equal(bobInfo?.online, false);
  });
});
