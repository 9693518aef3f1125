import { strict as assert } from 'node:assert';
import { generateIdentity, signLogin } from '../../src/crypto/identity';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('server login', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const open = async () => {
    const client = await RawClient.open(server.port);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('greets first with a hello carrying versions, a fresh challenge and limits', async () => {
    const a = await open();
    const b = await open();
    assert.deepEqual(a.hello.versions, [1, 2, 3, 4]);
    assert.ok(a.hello.features.includes('devices'));
    assert.equal(Buffer.from(a.hello.challenge, 'base64').length, 32);
    assert.notEqual(a.hello.challenge, b.hello.challenge);
    assert.equal(a.hello.limits.maxTextBytes, 16 * 1024);
  });

  it('binds a name to its key on first login and accepts the same key later', async () => {
    const first = await RawClient.login(server.port, 'Alice');
    clients.push(first.client);
    assert.equal(first.welcome.name, 'alice');
    assert.equal(first.welcome.registered, true);
    first.client.close();
    const again = await RawClient.login(server.port, 'alice', first.identity);
    clients.push(again.client);
    assert.equal(again.welcome.registered, false);
  });

  it('refuses a name bound to another key with name_taken and no session', async () => {
    const first = await RawClient.login(server.port, 'alice');
    clients.push(first.client);
    const intruder = await open();
    await intruder.sendLogin('alice', await generateIdentity());
    const error = await intruder.next('error');
    assert.equal(error.code, 'name_taken');
    assert.equal(error.fatal, true);
    await intruder.waitClosed();
    assert.equal(intruder.all('welcome').length, 0);
    // The owner's session is untouched.
    assert.equal(first.client.closed, false);
    assert.equal(first.client.all('bye').length, 0);
  });

  it('refuses a signature made with the wrong key', async () => {
    const owner = await generateIdentity();
    const other = await generateIdentity();
    const client = await open();
    const signature = await signLogin(other, client.hello.challenge, 'bob');
    client.send({ type: 'login', v: 1, name: 'bob', publicKey: owner.publicKey, signature });
    assert.equal((await client.next('error')).code, 'bad_signature');
    await client.waitClosed();
    assert.equal(server.server.users.has('bob'), false);
  });

  it('refuses a replayed signature from an earlier connection', async () => {
    const identity = await generateIdentity();
    const first = await open();
    const signature = await signLogin(identity, first.hello.challenge, 'carol');
    first.send({ type: 'login', v: 1, name: 'carol', publicKey: identity.publicKey, signature });
    await first.next('welcome');
    first.close();
    const replay = await open();
    replay.send({ type: 'login', v: 1, name: 'carol', publicKey: identity.publicKey, signature });
    const error = await replay.next('error');
    assert.equal(error.code, 'bad_signature');
    assert.equal(replay.all('welcome').length, 0);
  });

  it('refuses a signature made for another name', async () => {
    const identity = await generateIdentity();
    const client = await open();
    const signature = await signLogin(identity, client.hello.challenge, 'dave');
    client.send({ type: 'login', v: 1, name: 'erin', publicKey: identity.publicKey, signature });
    assert.equal((await client.next('error')).code, 'bad_signature');
  });

  it('refuses an unsupported protocol version', async () => {
    const client = await open();
    const identity = await generateIdentity();
    await client.sendLogin('frank', identity, { v: 99 });
    const error = await client.next('error');
    assert.equal(error.code, 'unsupported_version');
    await client.waitClosed();
  });

  it('refuses invalid and reserved names', async () => {
    for (const [name, code] of [['bad name!', 'invalid_name'], ['all', 'name_reserved'], ['x'.repeat(33), 'invalid_name']] as const) {
      const client = await open();
      await client.sendLogin(name, await generateIdentity());
      assert.equal((await client.next('error')).code, code, name);
    }
  });

  it('answers frames before login with not_logged_in and keeps the connection', async () => {
    const client = await open();
    client.send({ type: 'send', id: 'm1', to: '*', text: 'hi' });
    assert.equal((await client.next('error')).code, 'not_logged_in');
    client.send({ type: 'ping', rid: 'p1' });
    assert.equal((await client.next('pong')).rid, 'p1');
  });

  it('lists the whole roster in welcome as the server sees it, after users register, come and go', async () => {
    const alice = await RawClient.login(server.port, 'alice');
    const bob = await RawClient.login(server.port, 'bob');
    clients.push(alice.client, bob.client);
    bob.client.close();
    for (let i = 0; i < 200 && server.server.sessions.isOnline('bob'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const carol = await RawClient.login(server.port, 'carol');
    clients.push(carol.client);
    assert.deepEqual(carol.welcome.users, server.server.roster());
    assert.deepEqual(
      carol.welcome.users.map((user) => [user.name, user.publicKey, user.online]),
      [
        ['alice', alice.identity.publicKey, true],
        ['bob', bob.identity.publicKey, false],
        ['carol', carol.identity.publicKey, true],
      ],
    );
  });

  it('lists a roster of 700 users intact in welcome (segments big enough to be written uncopied)', async () => {
    // 30-character names: 256 roster entries make a segment over the transport's 16 KiB gather size.
    for (let i = 0; i < 700; i++) assert.ok((await server.server.authenticate(`u${String(i).padStart(29, '0')}`, null, undefined, `seed-${i}`)).ok);
    const zed = await RawClient.login(server.port, 'zed');
    clients.push(zed.client);
    assert.equal(zed.welcome.users.length, 701);
    assert.deepEqual(zed.welcome.users, server.server.roster());
    zed.client.send({ type: 'ping', rid: 'after-welcome' });
    assert.equal((await zed.client.next('pong')).rid, 'after-welcome');
  });

  it('keeps several sessions of one user: each receives, and presence flips only with the last', async () => {
    const laptop = await RawClient.login(server.port, 'gina');
    clients.push(laptop.client);
    const watcher = await RawClient.login(server.port, 'hank');
    clients.push(watcher.client);
    const terminal = await RawClient.login(server.port, 'gina', laptop.identity);
    clients.push(terminal.client);
    watcher.client.send({ type: 'send', id: 'w1', to: 'gina', text: 'to both devices' });
    assert.equal((await laptop.client.next('msg')).text, 'to both devices');
    assert.equal((await terminal.client.next('msg')).text, 'to both devices');
    laptop.client.close();
    terminal.client.send({ type: 'send', id: 'g1', to: 'hank', text: 'still here' });
    assert.equal((await watcher.client.next('msg')).text, 'still here');
    assert.equal(watcher.client.all('presence').filter((p) => p.user.name === 'gina' && !p.user.online).length, 0);
    terminal.client.close();
    await watcher.client.next('presence', (p) => p.user.name === 'gina' && !p.user.online);
  });

  it('closes the oldest session with bye replaced beyond the per-user session limit', async () => {
    await server.close();
    server = await startTestServer({ maxSessionsPerUser: 2 });
    const first = await RawClient.login(server.port, 'ivan');
    const second = await RawClient.login(server.port, 'ivan', first.identity);
    const third = await RawClient.login(server.port, 'ivan', first.identity);
    clients.push(first.client, second.client, third.client);
    assert.equal((await first.client.next('bye')).reason, 'replaced');
    await first.client.waitClosed();
    assert.equal(second.client.closed, false);
    assert.equal(server.server.sessions.forUser('ivan').length, 2);
  });

  describe('with a join code', () => {
    beforeEach(async () => {
      await server.close();
      server = await startTestServer({ joinCode: 'room-42' });
    });

    it('requires the code to register a new name', async () => {
      const client = await open();
      assert.equal(client.hello.joinCodeRequired, true);
      await client.sendLogin('ivy', await generateIdentity());
      assert.equal((await client.next('error')).code, 'join_code_required');
      const wrong = await open();
      await wrong.sendLogin('ivy', await generateIdentity(), { joinCode: 'nope' });
      assert.equal((await wrong.next('error')).code, 'bad_join_code');
      const right = await RawClient.login(server.port, 'ivy', undefined, { joinCode: 'room-42' });
      clients.push(right.client);
      assert.equal(right.welcome.registered, true);
    });

    it('lets a registered user log in again without the code', async () => {
      const first = await RawClient.login(server.port, 'jack', undefined, { joinCode: 'room-42' });
      first.client.close();
      const again = await RawClient.login(server.port, 'jack', first.identity);
      clients.push(again.client);
      assert.equal(again.welcome.name, 'jack');
    });
  });
});
