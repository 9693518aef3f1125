import { strict as assert } from 'node:assert';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('server routing and delivery', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  const login = async (name: string, identity?: Parameters<typeof RawClient.login>[2], extra?: Record<string, unknown>) => {
    const result = await RawClient.login(server.port, name, identity, extra);
    clients.push(result.client);
    return result;
  };

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('delivers a private message only to its recipient, stamped by the server', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    alice.client.send({ type: 'send', id: 'a1', to: 'Bob', text: 'hi bob', from: 'mallory' });
    const sent = await alice.client.next('sent');
    assert.equal(sent.id, 'a1');
    assert.equal(sent.duplicate, false);
    const msg = await bob.client.next('msg');
    assert.deepEqual([msg.from, msg.to, msg.text, msg.seq, msg.id], ['alice', 'bob', 'hi bob', sent.seq, 'a1']);
    assert.equal(msg.ts, sent.ts);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(carol.client.all('msg').length, 0);
    assert.equal(alice.client.all('msg').length, 0);
  });

  it('delivers a message to everyone to all others, not back to the sender', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    alice.client.send({ type: 'send', id: 'g1', to: '*', text: 'hello all' });
    await alice.client.next('sent');
    assert.equal((await bob.client.next('msg')).text, 'hello all');
    assert.equal((await carol.client.next('msg')).to, '*');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alice.client.all('msg').length, 0);
  });

  it('sends the roster at login and presence changes to others', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const online = await alice.client.next('presence', (p) => p.user.name === 'bob');
    assert.deepEqual(online.user, { name: 'bob', publicKey: bob.identity.publicKey, online: true });
    assert.deepEqual(
      bob.welcome.users.map((u) => [u.name, u.online]).sort(),
      [['alice', true], ['bob', true]],
    );
    bob.client.close();
    const offline = await alice.client.next('presence', (p) => p.user.name === 'bob' && !p.user.online);
    assert.equal(offline.user.online, false);
    const carol = await login('carol');
    assert.deepEqual(carol.welcome.users.find((u) => u.name === 'bob'), { name: 'bob', publicKey: bob.identity.publicKey, online: false });
  });

  it('rejects unknown recipients, encrypted messages to everyone and over-long text, keeping the connection', async () => {
    const alice = await login('alice');
    alice.client.send({ type: 'send', id: 'u1', to: 'nobody', text: 'x' });
    const unknown = await alice.client.next('error');
    assert.deepEqual([unknown.code, unknown.id, unknown.fatal], ['unknown_user', 'u1', false]);
    alice.client.send({ type: 'send', id: 'b1', to: '*', box: { nonce: 'AAAA', ciphertext: 'AAAA' } });
    assert.equal((await alice.client.next('error')).code, 'invalid_frame');
    alice.client.send({ type: 'send', id: 't1', to: '*', text: 'é'.repeat(8 * 1024 + 1) });
    const tooLong = await alice.client.next('error');
    assert.deepEqual([tooLong.code, tooLong.id], ['text_too_long', 't1']);
    alice.client.send({ type: 'send', id: 'ok1', to: '*', text: 'still fine' });
    assert.equal((await alice.client.next('sent')).id, 'ok1');
  });

  it('refuses an encrypted box to a plain-text user without a key', async () => {
    await server.server.authenticate('plainpat', null, undefined, '127.0.0.1');
    const alice = await login('alice');
    alice.client.send({ type: 'send', id: 'b2', to: 'plainpat', box: { nonce: 'AAAA', ciphertext: 'AAAA' } });
    assert.equal((await alice.client.next('error')).code, 'no_key');
  });

  it('acknowledges a resent id again and never delivers it twice', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    alice.client.send({ type: 'send', id: 'dup-1', to: 'bob', text: 'once' });
    alice.client.send({ type: 'send', id: 'dup-1', to: 'bob', text: 'once' });
    const first = await alice.client.next('sent');
    const second = await alice.client.next('sent');
    assert.equal(first.seq, second.seq);
    assert.deepEqual([first.duplicate, second.duplicate], [false, true]);
    alice.client.close();
    const again = await login('alice', alice.identity);
    again.client.send({ type: 'send', id: 'dup-1', to: 'bob', text: 'once' });
    const third = await again.client.next('sent');
    assert.deepEqual([third.seq, third.duplicate], [first.seq, true]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(bob.client.all('msg').length + 1, 2);
    assert.equal((await bob.client.next('msg')).text, 'once');
    assert.equal(bob.client.all('msg').length, 0);
  });

  it('delivers messages missed while offline in order at login, then synced, then live ones', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    bob.client.close();
    await alice.client.next('presence', (p) => p.user.name === 'bob' && !p.user.online);
    for (let i = 0; i < 30; i++) alice.client.send({ type: 'send', id: `o${i}`, to: i % 3 === 0 ? '*' : 'bob', text: `m${i}` });
    for (let i = 0; i < 30; i++) await alice.client.next('sent');
    const back = await login('bob', bob.identity);
    const synced = await back.client.next('synced');
    const missed = back.client.all('msg');
    assert.deepEqual(missed.map((m) => m.text), Array.from({ length: 30 }, (_, i) => `m${i}`));
    assert.equal(synced.seq, missed[missed.length - 1].seq);
    const seqs = missed.map((m) => m.seq);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);
    alice.client.send({ type: 'send', id: 'live', to: 'bob', text: 'live one' });
    assert.equal((await back.client.next('msg', (m) => m.id === 'live')).text, 'live one');
  });

  it('delivers unacknowledged messages again at the next login, and acknowledged ones never', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    for (let i = 0; i < 4; i++) alice.client.send({ type: 'send', id: `k${i}`, to: 'bob', text: `k${i}` });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await bob.client.next('msg'));
    bob.client.send({ type: 'ack', seq: got[1].seq });
    await new Promise((resolve) => setTimeout(resolve, 100));
    bob.client.close();
    const back = await login('bob', bob.identity);
    assert.equal(back.welcome.ackedSeq, got[1].seq);
    await back.client.next('synced');
    assert.deepEqual(back.client.all('msg').map((m) => m.text), ['k2', 'k3']);
  });

  it('treats login ackedSeq as an acknowledgement', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    for (let i = 0; i < 3; i++) alice.client.send({ type: 'send', id: `s${i}`, to: 'bob', text: `s${i}` });
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await bob.client.next('msg'));
    bob.client.close();
    const back = await login('bob', bob.identity, { ackedSeq: got[2].seq });
    await back.client.next('synced');
    assert.equal(back.client.all('msg').length, 0);
  });

  it('gives newcomers an empty mailbox and pages history of everyone and of a conversation', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    for (let i = 0; i < 7; i++) alice.client.send({ type: 'send', id: `h${i}`, to: '*', text: `all ${i}` });
    for (let i = 0; i < 3; i++) alice.client.send({ type: 'send', id: `p${i}`, to: 'bob', text: `dm ${i}` });
    for (let i = 0; i < 10; i++) await alice.client.next('sent');
    const carol = await login('carol');
    await carol.client.next('synced');
    assert.equal(carol.client.all('msg').length, 0);
    carol.client.send({ type: 'history', rid: 'r1', with: '*', limit: 5 });
    const page1 = await carol.client.next('history_page');
    assert.deepEqual(page1.messages.map((m) => m.text), ['all 2', 'all 3', 'all 4', 'all 5', 'all 6']);
    assert.equal(page1.more, true);
    carol.client.send({ type: 'history', rid: 'r2', with: '*', before: page1.messages[0].seq, limit: 5 });
    const page2 = await carol.client.next('history_page');
    assert.deepEqual(page2.messages.map((m) => m.text), ['all 0', 'all 1']);
    assert.equal(page2.more, false);
    carol.client.send({ type: 'history', rid: 'r3', with: 'alice' });
    assert.deepEqual((await carol.client.next('history_page')).messages, []);
    bob.client.send({ type: 'history', rid: 'r4', with: 'alice' });
    assert.deepEqual((await bob.client.next('history_page')).messages.map((m) => m.text), ['dm 0', 'dm 1', 'dm 2']);
  });

  it('trims a history page of big messages to 256 KiB and pages through the rest', async function () {
    this.timeout(20000);
    const alice = await login('alice');
    const text = 'é'.repeat(8 * 1024 - 8);
    for (let i = 0; i < 200; i++) alice.client.send({ type: 'send', id: `big${i}`, to: '*', text: `${String(i).padStart(3, '0')}${text}` });
    await alice.client.waitFor(() => (alice.client.all('sent').length === 200 ? true : undefined), '200 sent', 15000);
    const seen: string[] = [];
    let before: number | undefined;
    for (let round = 0; round < 40; round++) {
      alice.client.send({ type: 'history', rid: `hp${round}`, with: '*', limit: 200, ...(before ? { before } : {}) });
      const page = await alice.client.next('history_page');
      assert.ok(page.messages.length < 200 || round > 0, 'the first page must have been trimmed');
      assert.ok(Buffer.byteLength(JSON.stringify(page)) <= 256 * 1024, `page ${round}: ${Buffer.byteLength(JSON.stringify(page))} bytes`);
      seen.unshift(...page.messages.map((m) => m.id));
      if (!page.more) break;
      before = page.messages[0].seq;
    }
    assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => `big${i}`));
  });

  it('rate-limits a flooding user with rate_limited errors and disconnects repeated abuse', async () => {
    await server.close();
    server = await startTestServer({ rateLimit: { perSecond: 1, burst: 5 } });
    const alice = await login('alice');
    for (let i = 0; i < 400; i++) alice.client.send({ type: 'send', id: `f${i}`, to: '*', text: 'spam' });
    await alice.client.waitClosed();
    // Only the burst was stored; the `sent` replies may be cut off by the close (a client resends
    // unacknowledged ids and the server dedupes them).
    assert.equal(server.store.headSeq(), 5);
    const errors = alice.client.all('error');
    assert.ok(errors.filter((e) => e.code === 'rate_limited').length >= 100);
    assert.equal(errors[errors.length - 1].code, 'abuse');
  });

  it('caps connections per address', async () => {
    await server.close();
    server = await startTestServer({ maxConnectionsPerAddress: 3 });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await RawClient.open(server.port));
    clients.push(...open);
    const extra = await RawClient.open(server.port, false);
    clients.push(extra);
    const error = await extra.next('error');
    assert.deepEqual([error.code, error.fatal], ['too_many_connections', true]);
    await extra.waitClosed();
    assert.equal(extra.all('hello').length, 0);
  });
});
