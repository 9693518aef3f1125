/**
 * Blocking a classmate over the raw protocol (PROTOCOL.md 20.9): the server keeps a user's block
 * list (across restarts, for every session of the user), stops delivering the blocked person's
 * private messages and file offers to the blocker without telling the sender, and refuses what
 * cannot be blocked with a clear code.
 */
import { strict as assert } from 'node:assert';
import type { ServerFrameOf } from '../../src/protocol/frames';
import { PlainClient } from '../helpers/plain-client';
import type { RawClient } from '../helpers/raw-client';
import { V3Harness } from '../helpers/v3-harness';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };

describe('blocking a classmate', () => {
  const harness = new V3Harness();
  afterEach(() => harness.close());

  const request = async (client: RawClient, frame: Record<string, unknown>): Promise<ServerFrameOf<'blocked'> | ServerFrameOf<'error'>> => {
    const rid = `b${Math.random().toString(36).slice(2, 10)}`;
    client.send({ ...frame, rid });
    return client.waitFor(() => client.all('blocked').find((f) => f.rid === rid) ?? client.all('error').find((f) => f.rid === rid), `the reply to ${String(frame.type)}`);
  };
  const names = (reply: ServerFrameOf<'blocked'> | ServerFrameOf<'error'>) => (reply.type === 'blocked' ? reply.names : `error ${reply.code}`);
  /** Waits for a msg without consuming it, so `texts` still sees it. */
  const seen = (client: RawClient, where: (m: ServerFrameOf<'msg'>) => boolean) => client.waitFor(() => client.all('msg').find(where), 'a message');
  const texts = (client: RawClient) => client.all('msg').map((m) => `${m.from}: ${m.text ?? (m.file ? 'a file' : 'a box')}`);

  it('lists blocks in hello.features', async () => {
    await harness.start();
    const alice = await harness.login('alice');
    assert.ok(alice.hello.features.includes('blocks'), JSON.stringify(alice.hello.features));
  });

  it("no longer delivers the blocked person's private messages and file offers to the blocker; the sender gets sent as usual", async () => {
    await harness.start();
    const alice = await harness.login('alice');
    const dave = await harness.login('dave');
    const bob = await harness.login('bob');
    assert.deepEqual(names(await request(alice, { type: 'block', name: 'Dave' })), ['dave']);
    const privately = await harness.send(dave, 'alice', { box: BOX });
    assert.equal(privately.type, 'sent', 'the blocked sender is not told');
    const offer = await harness.send(dave, 'alice', { box: BOX, file: { size: 10, chunkBytes: 10 } });
    assert.equal(offer.type, 'sent');
    const toAll = await harness.send(dave, '*', { text: 'hello everyone' });
    assert.equal(toAll.type, 'sent');
    await harness.send(bob, 'alice', { box: BOX });
    await seen(alice, (m) => m.from === 'bob');
    // Everyone still reaches alice (her client hides it); nothing private of dave's does.
    assert.deepEqual(texts(alice), ['dave: hello everyone', 'bob: a box']);
    alice.send({ type: 'file_status', rid: 'files1' });
    assert.deepEqual((await alice.next('file_status')).files, [], "dave's offer is not listed to alice");
    dave.send({ type: 'file_status', rid: 'files2' });
    assert.equal((await dave.next('file_status')).files.length, 1, 'the sender still sees it offered');
    // Others still get dave's private messages.
    await harness.send(dave, 'bob', { box: BOX });
    await bob.next('msg', (m) => m.from === 'dave');
  });

  it('delivers again after unblocking, and tells every other session of the blocker about each change', async () => {
    await harness.start();
    const alice = await harness.login('alice');
    const aliceTerminal = await harness.login('alice');
    const dave = await harness.login('dave');
    await request(alice, { type: 'block', name: 'dave' });
    const news = await aliceTerminal.next('blocked');
    assert.deepEqual([news.rid, news.names], [undefined, ['dave']]);
    await harness.send(dave, 'alice', { text: 'while blocked' });
    assert.deepEqual(names(await request(alice, { type: 'unblock', name: 'dave' })), []);
    assert.deepEqual((await aliceTerminal.next('blocked')).names, []);
    await harness.send(dave, 'alice', { text: 'after unblocking' });
    await seen(alice, (m) => m.text === 'after unblocking');
    await aliceTerminal.next('msg', (m) => m.text === 'after unblocking');
    assert.deepEqual(texts(alice), ['dave: after unblocking']);
  });

  it('keeps the block list across a restart: the backlog of a blocker who was offline has none of it', async () => {
    await harness.start();
    let alice = await harness.login('alice');
    await harness.login('dave');
    await request(alice, { type: 'block', name: 'dave' });
    alice.close();
    const dataDir = harness.server.dataDir;
    harness.closeClients();
    await harness.server.stop();
    await harness.start({}, { dataDir });
    const daveAgain = await harness.login('dave');
    const bob = await harness.login('bob');
    assert.equal((await harness.send(daveAgain, 'alice', { text: 'after the restart' })).type, 'sent');
    await harness.send(bob, 'alice', { text: 'from bob' });
    alice = await harness.login('alice');
    await alice.waitFor(() => (alice.all('synced').length > 0 ? true : undefined), 'synced');
    assert.deepEqual(texts(alice), ['bob: from bob']);
    // The list comes unasked, right after the roster and before the backlog, so a client filters it.
    const kinds = alice.frames.map((frame) => frame.type).filter((type) => type === 'blocked' || type === 'msg');
    assert.deepEqual(kinds, ['blocked', 'msg']);
    assert.deepEqual(alice.all('blocked')[0].names, ['dave']);
    assert.deepEqual(names(await request(alice, { type: 'block_list' })), ['dave']);
  });

  it('does not deliver the private lines of a blocked plain-text user either', async () => {
    await harness.start();
    const alice = await harness.login('alice');
    const pat = harness.track(await PlainClient.open(harness.server.port));
    pat.write('pat\n');
    await pat.waitForText('Welcome [pat]');
    await alice.next('presence', (p) => p.user.name === 'pat');
    await request(alice, { type: 'block', name: 'pat' });
    pat.write('alice:are you there?\n');
    pat.write('all:hi all\n');
    await seen(alice, (m) => m.text === 'hi all');
    assert.deepEqual(texts(alice), ['pat: hi all']);
  });

  it('refuses an unknown name, yourself, a teacher and a TA with clear codes, and never crashes', async () => {
    await harness.start({ 'mrs.k': 'teacher', tim: 'ta' });
    const alice = await harness.login('alice');
    await harness.login('mrs.k');
    await harness.login('tim');
    assert.equal(names(await request(alice, { type: 'block', name: 'nobody' })), 'error unknown_user');
    assert.equal(names(await request(alice, { type: 'block', name: 'not a name!' })), 'error unknown_user');
    assert.equal(names(await request(alice, { type: 'block', name: 'alice' })), 'error invalid_frame');
    assert.equal(names(await request(alice, { type: 'block', name: 'mrs.k' })), 'error forbidden');
    assert.equal(names(await request(alice, { type: 'block', name: 'tim' })), 'error forbidden');
    assert.equal(names(await request(alice, { type: 'unblock', name: 'nobody' })), 'error unknown_user');
    assert.deepEqual(names(await request(alice, { type: 'unblock', name: 'mrs.k' })), [], 'unblocking someone not blocked changes nothing');
    assert.deepEqual(names(await request(alice, { type: 'block_list' })), []);
  });
});
