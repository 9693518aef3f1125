/**
 * Presence across nodes in what a login is told (issue 20): the welcome roster of a login on one
 * node shows who is online on the other, and stops showing them once they leave.
 */
import { strict as assert } from 'node:assert';
import { ChatServer } from '../../src/server/chat-server';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { TestPostgres } from '../helpers/postgres';
import { RawClient } from '../helpers/raw-client';

describe('presence across nodes in the welcome roster', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  const servers: Array<{ server: ChatServer; store: PostgresStore }> = [];
  const clients: RawClient[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const { server, store } of servers) {
      await server.close();
      await store.close().catch(() => undefined);
    }
    await pg?.stop();
  });

  async function node(url: string, name: string): Promise<number> {
    const store = new PostgresStore({ url, node: name });
    await store.open();
    const server = new ChatServer({ store, rateLimit: false });
    servers.push({ server, store });
    return (await server.listen(0, '127.0.0.1')).port;
  }

  async function login(port: number, name: string, identity?: Awaited<ReturnType<typeof RawClient.login>>['identity']) {
    const result = await RawClient.login(port, name, identity, { v: 3 });
    clients.push(result.client);
    return result;
  }

  const onlineIn = (welcome: { users?: Array<{ name: string; online: boolean }> }) => (welcome.users ?? []).filter((user) => user.online).map((user) => user.name).sort();

  it('shows a user registered and online on the other node as online, and offline once gone', async () => {
    const url = await pg.createDatabase('presence1');
    const portA = await node(url, 'a');
    const portB = await node(url, 'b');
    const ann = await login(portA, 'ann');
    const ben = await login(portB, 'ben');
    // Wait until node A has heard of ben (ann is told), then log in on A.
    await ann.client.next('presence', (frame) => frame.user.name === 'ben' && frame.user.online);
    const cat = await login(portA, 'cat');
    assert.deepEqual(onlineIn(cat.welcome), ['ann', 'ben', 'cat']);
    ben.client.close();
    await ann.client.next('presence', (frame) => frame.user.name === 'ben' && !frame.user.online);
    const cat2 = await login(portA, 'cat', cat.identity);
    assert.deepEqual(onlineIn(cat2.welcome), ['ann', 'cat']);
  });
});
