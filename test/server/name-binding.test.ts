import { strict as assert } from 'node:assert';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

// A plain-text login proves nothing, so when a key binds the name its plain-text holders lose it.
describe('binding a key to a name plain-text users hold', () => {
  let server: TestServer;
  const sockets: Array<{ close(): void }> = [];
  const plain = async (name: string) => {
    const client = await PlainClient.open(server.port);
    sockets.push(client);
    await client.waitForText('"type":"hello"');
    client.write(`${name}\n`);
    await client.waitForText(`Welcome [${name}]`);
    return client;
  };
  const login = async (name: string) => {
    const result = await RawClient.login(server.port, name);
    sockets.push(result.client);
    return result;
  };

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false, plainIdleMs: 100 });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server.close();
  });

  it('closes the plain-text sessions of the name, telling them why', async () => {
    const squatter = await plain('alice');
    const owner = await login('alice');
    assert.equal(owner.welcome.registered, true);
    await squatter.waitClosed();
    assert.match(squatter.text, /alice is now protected by a key/);
  });

  it('delivers what is sent after the binding to the key owner, not the plain-text session', async () => {
    const squatter = await plain('alice');
    const bob = await login('bob');
    const owner = await login('alice');
    await squatter.waitClosed();
    const mark = squatter.text.length;
    bob.client.send({ type: 'send', id: 'b1', to: '*', text: 'after the binding' });
    const msg = await owner.client.next('msg', (frame) => frame.text === 'after the binding');
    assert.equal(msg.from, 'bob');
    assert.equal(squatter.text.slice(mark).includes('after the binding'), false);
    const stored = (await server.store.listUsers()).find((user) => user.name === 'alice')!;
    assert.ok(stored.ackedSeq < msg.seq, 'the message is still unacknowledged: only its owner may acknowledge it');
  });

  it('never lets a plain-text session acknowledge for a key-bound user', async () => {
    const squatter = await plain('alice');
    await login('alice');
    await squatter.waitClosed();
    const user = server.server.users.get('alice')!;
    const before = user.ackedSeq;
    const plainSession = { kind: 'plain', name: 'alice', pushedUpTo: before + 5, ackedSeq: before } as never;
    server.server.acknowledge(plainSession, before + 5);
    assert.equal(user.ackedSeq, before);
  });
});
