/**
 * Replies, edits, deletes and reactions with the client library against the real server
 * (PROTOCOL.md 20.5), in Everyone (ref outside), a private conversation and an encrypted room
 * (replies and reactions inside the box): seen live by the other client as one `message` or one
 * `messageChanged`, and in history after a restart; a sealed reference that names another id is
 * dropped; a server without "refs" refuses clearly.
 */
import { strict as assert } from 'node:assert';
import type { ChatClient, MessageChange, ReceivedMessage } from '../../src/client';
import { MemoryRoomKeyStore } from '../../src/client/room-key-store';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import { sodiumReady } from '../../src/crypto/sodium';
import type { EnvelopeContent } from '../../src/protocol/references';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';
import { FakeServer } from './helpers/fake-server';
import { until } from './helpers/wait';

function changesOf(client: ChatClient): MessageChange[] {
  const changes: MessageChange[] = [];
  client.on('messageChanged', (change) => changes.push(change));
  return changes;
}

async function arrived(messages: ReceivedMessage[], seq: number): Promise<ReceivedMessage> {
  await until(() => messages.some((m) => m.seq === seq), `message ${seq}`);
  return messages.find((m) => m.seq === seq)!;
}

/** The `count`-th change (1-based) of message `seq` that is `how`. */
async function changed(changes: MessageChange[], seq: number, how: MessageChange['how'], count = 1): Promise<MessageChange> {
  const matching = () => changes.filter((c) => c.seq === seq && c.how === how);
  await until(() => matching().length >= count, `change ${count} (${how}) of message ${seq}`);
  return matching()[count - 1];
}

describe('message references with the client library (real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fleet: ClientFleet;
  const roomKeyStores = new Map<string, MemoryRoomKeyStore>();
  const storeOf = (name: string) => roomKeyStores.get(name) ?? roomKeyStores.set(name, new MemoryRoomKeyStore()).get(name)!;
  const online = (name: string) => fleet.online(name, { roomKeyStore: storeOf(name) });

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    fleet = new ClientFleet(() => server.port);
  });

  afterEach(async () => {
    roomKeyStores.clear();
    await fleet.closeAll();
    await server.close();
  });

  /**
   * alice asks, bob replies twice, they react, bob edits one reply and deletes the other; then a
   * restarted bob reads it all back from history. `a` and `b` name the conversation at each side.
   */
  async function converse(alice: ChatClient, bob: ChatClient, a: string, b: string): Promise<void> {
    const [atAlice, atBob, changesAtAlice, changesAtBob] = [collect(alice), collect(bob), changesOf(alice), changesOf(bob)];
    const question = await alice.sendText(a, 'who has the notes, @Bob?');
    const asked = await arrived(atBob, question.seq);
    assert.deepEqual([asked.mentions, asked.mentionsMe], [['bob'], true]);

    const reply = await bob.sendText(b, 'I do', { replyTo: question.seq });
    const stray = await bob.sendText(b, 'oops, wrong chat', { replyTo: question.seq });
    const replied = await arrived(atAlice, reply.seq);
    assert.deepEqual(replied.replyTo, { seq: question.seq, from: 'alice', snippet: 'who has the notes, @Bob?' });
    assert.equal(replied.text, 'I do');
    await arrived(atAlice, stray.seq);

    await alice.react(a, reply.seq, '👍');
    assert.deepEqual((await changed(changesAtBob, reply.seq, 'reactions')).message.reactions, [{ emoji: '👍', names: ['alice'] }]);
    await bob.react(b, question.seq, '🎉');
    assert.deepEqual((await changed(changesAtAlice, question.seq, 'reactions')).message.reactions, [{ emoji: '🎉', names: ['bob'] }]);
    await alice.unreact(a, reply.seq, '👍');
    const unreacted = await changed(changesAtBob, reply.seq, 'reactions', 2);
    assert.deepEqual([unreacted.how, unreacted.message.reactions], ['reactions', undefined]);

    await bob.editMessage(b, reply.seq, 'I do, in my bag');
    const edit = await changed(changesAtAlice, reply.seq, 'edited');
    assert.deepEqual([edit.how, edit.conversation, edit.message.text, edit.message.replyTo?.seq, typeof edit.message.edited?.ts], ['edited', a, 'I do, in my bag', question.seq, 'number']);
    await bob.deleteMessage(b, stray.seq);
    const removal = await changed(changesAtAlice, stray.seq, 'deleted');
    assert.deepEqual([removal.how, removal.message.text, removal.message.deleted?.by], ['deleted', undefined, 'bob']);
    // Each annotation changed a message; none arrived as a message of its own.
    assert.deepEqual(atAlice.filter((m) => !m.event).map((m) => m.seq), [reply.seq, stray.seq]);
    assert.deepEqual(atBob.filter((m) => !m.event).map((m) => m.seq), [question.seq]);

    await bob.close();
    const again = await online('bob');
    const page = await again.history(b);
    const shown = page.messages.filter((m) => !m.event && m.seq >= question.seq);
    assert.deepEqual(
      shown.map((m) => [m.seq, m.text, m.replyTo?.seq, m.reactions, m.edited !== undefined, m.deleted?.by]),
      [
        [question.seq, 'who has the notes, @Bob?', undefined, [{ emoji: '🎉', names: ['bob'] }], false, undefined],
        [reply.seq, 'I do, in my bag', question.seq, undefined, true, undefined],
        // A deleted box is erased with what it replied to; a reference outside the box stays.
        [stray.seq, undefined, a === '*' ? question.seq : undefined, undefined, false, 'bob'],
      ],
    );
    assert.deepEqual(shown[1].replyTo, { seq: question.seq, from: 'alice', snippet: 'who has the notes, @Bob?' });
    assert.deepEqual(shown[0].mentions, ['bob']);
  }

  it('replies, reacts, edits and deletes in Everyone, with ref outside', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    await converse(alice, bob, '*', '*');
  });

  it('replies, reacts, edits and deletes in a private conversation, replies and reactions inside the box', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const atBob = collect(bob);
    const target = await alice.sendText('bob', 'first');
    await arrived(atBob, target.seq);
    const reply = await bob.sendText('alice', 'second', { replyTo: target.seq });
    const stored = (await alice.history('bob')).messages.find((m) => m.seq === reply.seq)!;
    assert.deepEqual([stored.box !== undefined, stored.ref, stored.replyTo?.seq], [true, undefined, target.seq], 'the server sees an ordinary box');
    await converse(alice, bob, 'bob', 'alice');
  });

  it('replies, reacts, edits and deletes in an encrypted room', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    await alice.createRoom('lab', { members: ['bob'] });
    await until(() => bob.rooms().some((room) => room.name === 'lab' && room.members.includes('alice')), 'bob to know #lab');
    await converse(alice, bob, '#lab', '#lab');
  });

  it('drops a reply or reaction sealed with another id than the message at that seq', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const [atBob, changesAtBob] = [collect(bob), changesOf(bob)];
    const target = await bob.sendText('alice', 'the original');
    await alice.close();
    const sodium = await sodiumReady();
    const identity = (await fleet.keys.get('alice')!.load())!;
    const bobKey = (await fleet.keys.get('bob')!.load())!.publicKey;
    const { client: raw } = await RawClient.login(server.port, 'alice', identity, { v: 3 });
    const boxes = new PrivateBoxes(sodium, identity);
    let next = 0;
    const sendSealed = async (content: EnvelopeContent): Promise<number> => {
      const id = `tamper${++next}`;
      raw.send({ type: 'send', id, to: 'bob', box: boxes.sealContent(bobKey, { from: 'alice', to: 'bob', id, content }) });
      return (await raw.next('sent', (frame) => frame.id === id)).seq;
    };
    const forgedReply = await sendSealed({ text: 'quoting something else', reply: { seq: target.seq, id: 'not-the-target-id' } });
    await sendSealed({ react: { seq: target.seq, id: 'not-the-target-id', emoji: '👎' } });
    const genuine = await sendSealed({ react: { seq: target.seq, id: target.id, emoji: '👍' } });
    const last = await sendSealed({ text: 'done' });
    await arrived(atBob, last);
    raw.close();
    assert.equal(atBob.some((m) => m.seq === forgedReply), false, 'the reply naming another id is not shown');
    assert.deepEqual(changesAtBob.map((c) => [c.seq, c.message.reactions]), [[target.seq, [{ emoji: '👍', names: ['alice'] }]]], `only the genuine reaction (${genuine}) counts`);
  });

  it('refuses references clearly on a server without "refs" (v2)', async () => {
    const fake = await FakeServer.start();
    try {
      fake.autoHello = { versions: [1, 2] };
      const client = new ClientFleet(() => fake.port).client('alice');
      const connected = client.connect();
      await (await fake.nextConnection()).acceptLogin();
      await connected;
      for (const attempt of [() => client.sendText('*', 'x', { replyTo: 1 }), () => client.editMessage('*', 1, 'x'), () => client.deleteMessage('*', 1), () => client.react('*', 1, '👍')]) {
        await assert.rejects(attempt(), (error: Error & { code?: string }) => error.code === 'unsupported_version' && /refs/.test(error.message));
      }
      await client.close();
    } finally {
      await fake.close();
    }
  });

  it('checks a reference before sending it: own message to edit, a seen target, a short reaction', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const atBob = collect(bob);
    const mine = await alice.sendText('*', 'mine');
    await arrived(atBob, mine.seq);
    await assert.rejects(bob.editMessage('*', mine.seq, 'hijacked'), { code: 'bad_ref' });
    await assert.rejects(bob.react('*', mine.seq, 'far too long a reaction for anyone'), { code: 'invalid_frame' });
    await assert.rejects(bob.react('*', 99_999, '👍'), { code: 'bad_ref' });
    await assert.rejects(bob.react('bob', mine.seq, '👍'), { code: 'bad_ref' }, 'a message of another conversation');
    await assert.rejects(alice.editMessage('*', mine.seq, ''), { code: 'invalid_frame' });
  });
});
