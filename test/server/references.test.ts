/**
 * Message references over the raw protocol (PROTOCOL.md 20.5): replies, edits, deletes and
 * reactions, who may do which, and what each refusal is.
 */
import { strict as assert } from 'node:assert';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '../../src/protocol/room-frames';
import { PlainClient } from '../helpers/plain-client';
import { RawClient } from '../helpers/raw-client';
import { V3Harness } from '../helpers/v3-harness';

describe('message references', () => {
  const harness = new V3Harness();
  const start = (roles: Record<string, Role> = {}) => harness.start(roles);
  const login = (name: string, extra?: Record<string, unknown>) => harness.login(name, extra);
  const server = () => harness.server;
  const send = (client: RawClient, to: string, content: Record<string, unknown>) => harness.send(client, to, content);

  async function sentSeq(client: RawClient, to: string, content: Record<string, unknown>): Promise<number> {
    const answer = await send(client, to, content);
    assert.equal(answer.type, 'sent', JSON.stringify(answer));
    return answer.type === 'sent' ? answer.seq : -1;
  }

  async function refusal(client: RawClient, to: string, content: Record<string, unknown>): Promise<string> {
    const answer = await send(client, to, content);
    return answer.type === 'error' ? answer.code : `sent ${JSON.stringify(answer)}`;
  }

  let next = 0;
  afterEach(() => harness.close());

  it('delivers a reply and a reaction with their ref', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const question = await sentSeq(alice, '*', { text: 'who has the notes?' });
    const reply = await sentSeq(bob, '*', { text: 'I do', ref: { seq: question, rel: 'reply' } });
    const got = await alice.next('msg', (m) => m.seq === reply);
    assert.deepEqual([got.text, got.ref], ['I do', { seq: question, rel: 'reply' }]);
    const reaction = await sentSeq(alice, '*', { text: '👍', ref: { seq: reply, rel: 'react' } });
    const reacted = await bob.next('msg', (m) => m.seq === reaction);
    assert.deepEqual(reacted.ref, { seq: reply, rel: 'react' });
    assert.equal(await refusal(alice, '*', { text: 'not a reaction', ref: { seq: reply, rel: 'react' } }), 'invalid_frame');
  });

  it('refuses a ref to a missing seq, to another conversation, and to an event', async () => {
    await start();
    const alice = await login('alice');
    await login('bob');
    await login('carol');
    const toBob = await sentSeq(alice, 'bob', { text: 'just for bob' });
    const toAll = await sentSeq(alice, '*', { text: 'hello all' });
    assert.equal(await refusal(alice, '*', { text: 'x', ref: { seq: 9999, rel: 'reply' } }), 'bad_ref');
    assert.equal(await refusal(alice, '*', { text: 'x', ref: { seq: toBob, rel: 'reply' } }), 'bad_ref', 'a private message is not in Everyone');
    assert.equal(await refusal(alice, 'carol', { text: 'x', ref: { seq: toBob, rel: 'edit' } }), 'bad_ref', 'alice↔bob is not alice↔carol');
    assert.equal(await refusal(alice, 'bob', { text: 'x', ref: { seq: toAll, rel: 'reply' } }), 'bad_ref', 'an Everyone message is not in a private conversation');
    assert.equal(await sentSeq(alice, 'bob', { text: 'edited for bob', ref: { seq: toBob, rel: 'edit' } }) > toBob, true);
    alice.send({ type: 'room_create', rid: 'r1', room: 'lab', kind: 'group', encrypted: true, members: ['bob'] });
    const created = await alice.next('room');
    assert.equal(await refusal(alice, '#lab', { ref: { seq: created.room.seq, rel: 'delete' } }), 'bad_ref', 'an event is not a message to change');
  });

  it("refuses editing another's message or changing its form, and deleting it as a student", async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const mine = await sentSeq(alice, '*', { text: 'first draft' });
    assert.equal(await refusal(bob, '*', { text: 'hijacked', ref: { seq: mine, rel: 'edit' } }), 'bad_ref');
    assert.equal(await refusal(bob, '*', { ref: { seq: mine, rel: 'delete' } }), 'forbidden');
    assert.equal(await refusal(alice, '*', { text: 'x', ref: { seq: mine, rel: 'delete' } }), 'invalid_frame', 'a delete carries no content');
    const box = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };
    const boxed = await sentSeq(alice, 'bob', { box });
    assert.equal(await refusal(alice, 'bob', { text: 'now in the clear', ref: { seq: boxed, rel: 'edit' } }), 'bad_ref');
    assert.equal(await sentSeq(alice, 'bob', { box, ref: { seq: boxed, rel: 'edit' } }) > boxed, true);
    const deleted = await sentSeq(alice, '*', { ref: { seq: mine, rel: 'delete' } });
    const seen = await bob.next('msg', (m) => m.seq === deleted);
    assert.deepEqual([seen.text, seen.box, seen.ref], [undefined, undefined, { seq: mine, rel: 'delete' }]);
  });

  it("lets a teacher delete a student's message to everyone but not a private box", async () => {
    await start({ 'mrs.k': 'teacher' });
    const teacher = await login('mrs.k');
    const alice = await login('alice');
    const rude = await sentSeq(alice, '*', { text: 'something rude' });
    assert.equal((await send(teacher, '*', { ref: { seq: rude, rel: 'delete' } })).type, 'sent');
    const box = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(48, 2).toString('base64') };
    const boxed = await sentSeq(alice, 'mrs.k', { box });
    assert.equal(await refusal(teacher, 'alice', { ref: { seq: boxed, rel: 'delete' } }), 'forbidden');
  });

  async function historyOf(client: RawClient, withWhom: string) {
    const rid = `h${++next}`;
    client.send({ type: 'history', rid, with: withWhom });
    return (await client.next('history_page', (page) => page.rid === rid)).messages;
  }

  /** Whether any file under the data directory holds `text`. */
  async function onDisk(text: string): Promise<boolean> {
    const files = (await readdir(server().dataDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    for (const file of files) if ((await readFile(join(file.parentPath, file.name))).includes(Buffer.from(text, 'utf8'))) return true;
    return false;
  }

  it('shows an edited message with its newest content in history, delivering the edit like a message', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const target = await sentSeq(alice, 'bob', { text: 'meet at 5' });
    const edit = await sentSeq(alice, 'bob', { text: 'meet at 6', ref: { seq: target, rel: 'edit' } });
    const delivered = await bob.next('msg', (m) => m.seq === edit);
    assert.deepEqual([delivered.text, delivered.ref], ['meet at 6', { seq: target, rel: 'edit' }]);
    const [original] = await historyOf(bob, 'alice');
    assert.deepEqual([original.seq, original.text, original.edited], [target, 'meet at 6', { seq: edit, id: delivered.id, ts: delivered.ts }]);
  });

  it('erases a deleted message from history and from the data directory, also after a restart, and refuses to edit it', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const target = await sentSeq(alice, '*', { text: 'my password is hunter2' });
    await bob.next('msg', (m) => m.seq === target);
    const removal = await sentSeq(alice, '*', { ref: { seq: target, rel: 'delete' } });
    await bob.next('msg', (m) => m.seq === removal);
    await server().store.settled();
    assert.equal(await onDisk('hunter2'), false, 'the deleted text is not on disk');
    const check = async (client: RawClient) => {
      const shown = (await historyOf(client, '*')).find((m) => m.seq === target);
      assert.deepEqual([shown?.text, shown?.deleted?.by], [undefined, 'alice']);
    };
    await check(bob);
    assert.equal(await refusal(alice, '*', { text: 'my password is swordfish', ref: { seq: target, rel: 'edit' } }), 'bad_ref');
    harness.closeClients();
    const dataDir = server().dataDir;
    await server().stop();
    await harness.start({}, { dataDir });
    await check(await login('bob'));
    assert.equal(await onDisk('hunter2'), false);
  });

  it('shows v2 clients replies, edits, deletes and reactions as text (PROTOCOL.md 20.6)', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const old = await login('carol', { v: 2 });
    const question = await sentSeq(bob, '*', { text: 'lunch?' });
    const reply = await sentSeq(alice, '*', { text: 'yes', ref: { seq: question, rel: 'reply' } });
    const edit = await sentSeq(alice, '*', { text: 'yes, at 12', ref: { seq: reply, rel: 'edit' } });
    const reaction = await sentSeq(bob, '*', { text: '👍', ref: { seq: reply, rel: 'react' } });
    const removal = await sentSeq(alice, '*', { ref: { seq: reply, rel: 'delete' } });
    const texts = await Promise.all([reply, edit, reaction, removal].map(async (seq) => (await old.next('msg', (m) => m.seq === seq)).text));
    assert.deepEqual(texts, ['[reply to bob] yes', '(edited) yes, at 12', '[reacted 👍]', '[message deleted]']);
    const shown = (await historyOf(old, '*')).find((m) => m.seq === reply);
    assert.equal(shown?.text, '[message deleted]');
  });

  it('shows plain-text users replies, edits, deletes and reactions as lines (PROTOCOL.md 20.6)', async () => {
    await start();
    const alice = await login('alice');
    const bob = await login('bob');
    const plain = harness.track(await PlainClient.open(server().port));
    plain.write('pat\n');
    await plain.waitForText('Welcome [pat]');
    const question = await sentSeq(bob, '*', { text: 'lunch?' });
    const reply = await sentSeq(alice, '*', { text: 'yes', ref: { seq: question, rel: 'reply' } });
    await sentSeq(alice, '*', { text: 'yes, at 12', ref: { seq: reply, rel: 'edit' } });
    await sentSeq(bob, '*', { text: '👍', ref: { seq: reply, rel: 'react' } });
    await sentSeq(bob, '*', { text: '👍', ref: { seq: reply, rel: 'unreact' } });
    await sentSeq(alice, '*', { ref: { seq: reply, rel: 'delete' } });
    let at = 0;
    // Everyone's lines keep the seed's `ToAll:` marker.
    for (const line of ['[alice] ToAll: [reply to bob] yes', '[alice] ToAll: (edited) yes, at 12', '[bob] ToAll: reacted 👍', '[bob] ToAll: took back 👍', '[alice] ToAll: deleted a message']) {
      at = await plain.waitForText(line, at);
    }
  });

  it('accepts ref from v3 sessions only, and says so in hello.features', async () => {
    await start();
    const alice = await login('alice', { v: 2 });
    assert.ok(alice.hello.features.includes('refs'), `features: ${alice.hello.features.join(', ')}`);
    const first = await sentSeq(alice, '*', { text: 'v2 message' });
    assert.equal(await refusal(alice, '*', { text: 'a reply', ref: { seq: first, rel: 'reply' } }), 'invalid_frame');
  });
});
