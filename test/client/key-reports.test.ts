/**
 * A server that reports a pinned classmate as having no key (issue 14 item 13): that is a key
 * change (the server could be downgrading them to plain text to read the messages), warned about
 * and refused like one until the user accepts it.
 */
import { strict as assert } from 'node:assert';
import { ChatClient, ChatClientOptions, KeyChange } from '../../src/client';
import { ChatClientError } from '../../src/client/errors';
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { ClassChatError } from '../../src/protocol/errors';
import type { UserInfo } from '../../src/protocol/frames';
import { FakeClock } from './helpers/fake-clock';
import { FakeConnection, FakeServer } from './helpers/fake-server';
import { nextEvent, tick } from './helpers/wait';

function isCode(code: string) {
  return (error: unknown) => (error instanceof ClassChatError || error instanceof ChatClientError) && error.code === code;
}

describe('ChatClient: a pinned classmate reported without a key', () => {
  let bob: Identity;
  let server: FakeServer;
  let clients: ChatClient[];

  before(async () => (bob = await generateIdentity()));
  beforeEach(async () => {
    server = await FakeServer.start();
    clients = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  /** Connects alice, recording keyChanged events; the welcome lists `users` besides her. */
  async function connected(users: UserInfo[], options: Partial<ChatClientOptions> = {}): Promise<{ client: ChatClient; conn: FakeConnection; changes: Array<[string, KeyChange]> }> {
    const client = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'alice', keyStore: new MemoryKeyStore(), timers: new FakeClock(), ...options });
    client.on('error', () => undefined);
    clients.push(client);
    const changes: Array<[string, KeyChange]> = [];
    client.on('keyChanged', (name, change) => changes.push([name, change]));
    const welcome = client.connect();
    const conn = await server.nextConnection();
    await conn.acceptLogin({ users: [{ name: 'alice', publicKey: null, online: true }, ...users] });
    await welcome;
    return { client, conn, changes };
  }

  /** Sends a presence frame and waits until the client has handled it. */
  async function presence(client: ChatClient, conn: FakeConnection, user: UserInfo): Promise<void> {
    const seen = nextEvent(client, 'presence', (reported) => reported.name === user.name);
    conn.send({ type: 'presence', user });
    await seen;
  }

  it('warns of a key change when the server reports a verified classmate as keyless, and sends nothing to them, not even unencrypted', async () => {
    const trustStore = new MemoryTrustStore();
    await trustStore.save(new Map([['bob', { publicKey: bob.publicKey, verified: true, pinnedAt: 1 }]]));
    const { client, conn, changes } = await connected([{ name: 'bob', publicKey: null, online: true }], { trustStore });

    assert.deepEqual(changes, [['bob', { pinned: bob.publicKey, current: null }]]);
    assert.equal(client.keyTrust('bob'), 'key_changed');
    await assert.rejects(client.sendText('bob', 'for bob only'), isCode('key_changed'));
    await assert.rejects(client.sendText('bob', 'for bob only', { allowUnencrypted: true }), isCode('key_changed'));
    assert.equal(client.outboxSize, 0);

    // Reported keyless again: no second warning. Reported with the pinned key: trusted as before.
    await presence(client, conn, { name: 'bob', publicKey: null, online: false });
    assert.equal(changes.length, 1);
    await presence(client, conn, { name: 'bob', publicKey: bob.publicKey, online: true });
    assert.equal(client.keyTrust('bob'), 'verified');
    const sent = client.sendText('bob', 'sealed to the pin');
    const send = await conn.next('send');
    assert.equal(send.text, undefined);
    assert.ok(send.box, 'the message is encrypted');
    conn.send({ type: 'sent', id: send.id, seq: 1, ts: 1, duplicate: false });
    await sent;
    await tick();
    assert.equal(conn.all('send').length, 0, 'nothing else was sent');
  });

  it('warns when a presence frame drops the key of a pinned classmate; accepting that forgets the pin', async () => {
    const trustStore = new MemoryTrustStore();
    const { client, conn, changes } = await connected([{ name: 'bob', publicKey: bob.publicKey, online: true }], { trustStore });
    assert.equal(client.keyTrust('bob'), 'pinned');

    await presence(client, conn, { name: 'bob', publicKey: null, online: true });
    assert.deepEqual(changes, [['bob', { pinned: bob.publicKey, current: null }]]);
    assert.equal(client.keyTrust('bob'), 'key_changed');

    await client.acceptKey('bob');
    assert.equal(client.keyTrust('bob'), 'no_key');
    assert.equal((await trustStore.load()).has('bob'), false);
    await assert.rejects(client.sendText('bob', 'hi'), isCode('no_key'));
    const sent = client.sendText('bob', 'readable by the server', { allowUnencrypted: true });
    const send = await conn.next('send');
    assert.equal(send.text, 'readable by the server');
    conn.send({ type: 'sent', id: send.id, seq: 1, ts: 1, duplicate: false });
    await sent;
  });
});
