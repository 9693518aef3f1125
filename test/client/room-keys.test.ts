/**
 * The room keyring on its narrow views (room-keys.ts), two users side by side with no server: a
 * room message that arrives before its sender's key is held and shown once the key comes (or
 * undecrypted after a while), keys come only through the sender's pin, and the saved state
 * goes to a 0600 file.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvelopeContent } from '../../src/protocol/references';
import type { ChatMessage } from '../../src/protocol/frames';
import { ClientRoomBook } from '../../src/client/room-book';
import { FileRoomKeyStore, MemoryRoomKeyStore, RoomKeyFileError, roomKeysPathFor } from '../../src/client/room-key-store';
import { RoomKeyring } from '../../src/client/room-keys';
import { HOLD_ROOM_MESSAGE_MS } from '../../src/client/held-room-messages';
import type { ReceivedMessage } from '../../src/client/types';
import type { KeyTrust } from '../../src/client/trust-book';
import { FakeClock } from './helpers/fake-clock';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import { generateIdentity } from '../../src/crypto/identity';
import { sodiumReady } from '../../src/crypto/sodium';
import { PrivateMessages } from '../../src/client/private-messages';
import { TrustBook } from '../../src/client/trust-book';
import { MemoryTrustStore } from '../../src/client/trust-store';
import type { RosterEntry } from '../../src/client/types';

interface Member {
  keyring: RoomKeyring;
  book: ClientRoomBook;
  /** Hidden messages it queued, by recipient. */
  outgoing: Array<{ to: string; content: EnvelopeContent }>;
  shownLate: ReceivedMessage[];
  /** Whether a hidden message from this sender opens with its pin (false: its key changed). */
  pinOk: Map<string, boolean>;
}

async function member(me: string, clock: FakeClock, store = new MemoryRoomKeyStore()): Promise<Member> {
  const book = new ClientRoomBook(me);
  const outgoing: Member['outgoing'] = [];
  const shownLate: ReceivedMessage[] = [];
  const pinOk = new Map<string, boolean>();
  const keyring = new RoomKeyring({
    me,
    clock,
    store,
    book,
    sendHidden: (to, content) => outgoing.push({ to, content }),
    // Stands in for Trust.openPinned: the "box" here is the content itself, opened only when the pin holds.
    openPinned: (message) => (pinOk.get(message.from) === false ? undefined : { content: JSON.parse(message.text!) as EnvelopeContent, trust: 'pinned' as KeyTrust }),
    keyTrust: () => 'pinned',
    showLate: (message) => shownLate.push(message),
    emit: () => undefined,
  });
  await keyring.load();
  return { keyring, book, outgoing, shownLate, pinOk };
}

let seq = 0;
function created(room: string, owner: string, names: string[]): ChatMessage {
  return { type: 'msg', seq: ++seq, id: `e${seq}`, from: owner, to: `#${room}`, ts: 0, event: { kind: 'created', names } };
}

/** Applies an event to a member as rooms.ts would. */
function apply(to: Member, event: ChatMessage): void {
  const change = to.book.applyEvent(event);
  if (change) to.keyring.changed(change);
}

/** Hands `from`'s queued hidden messages for `to` over, as the server would deliver them. */
function deliverKeys(from: string, sender: Member, to: Member): void {
  for (const { content } of sender.outgoing.splice(0)) {
    to.keyring.onHidden({ type: 'msg', seq: ++seq, id: `k${seq}`, from, to: 'x', ts: 0, hidden: true, text: JSON.stringify(content) });
  }
}

function roomMessage(from: Member, name: string, room: string, text: string): ChatMessage {
  const id = `m${++seq}`;
  return { type: 'msg', seq, id, from: name, to: `#${room}`, ts: 0, box: from.keyring.seal(room, id, { text }) };
}

/** alice creates #lab with bob; both have applied the event. */
async function aliceAndBobInLab() {
  const clock = new FakeClock();
  const alice = await member('alice', clock);
  const bob = await member('bob', clock);
  const event = created('lab', 'alice', ['bob']);
  apply(alice, event);
  apply(bob, event);
  return { clock, alice, bob };
}

describe('RoomKeyring', () => {
  it('holds a room message whose key has not arrived and shows it once the key comes', async () => {
    const { alice, bob } = await aliceAndBobInLab();
    assert.deepEqual(alice.outgoing.map((out) => out.to), ['bob'], 'alice hands her new key to bob');
    const early = roomMessage(alice, 'alice', 'lab', 'early bird');
    assert.equal(bob.keyring.view(early, true), undefined, 'held, not shown as undecryptable');
    deliverKeys('alice', alice, bob);
    assert.deepEqual(bob.shownLate.map((m) => [m.text, m.conversation, m.decryptError]), [['early bird', '#lab', undefined]]);
  });

  it('shows a held message undecrypted once it waited too long, and from history never holds', async () => {
    const { clock, alice, bob } = await aliceAndBobInLab();
    const message = roomMessage(alice, 'alice', 'lab', 'lost key');
    assert.equal(bob.keyring.view(message, true), undefined);
    clock.advance(HOLD_ROOM_MESSAGE_MS);
    assert.deepEqual(bob.shownLate.map((m) => [m.text, m.decryptError]), [[undefined, 'unknown_key']]);
    assert.equal(bob.keyring.view(message, false)?.decryptError, 'unknown_key');
  });

  it('takes no room key from a classmate whose pinned key changed', async () => {
    const { alice, bob } = await aliceAndBobInLab();
    bob.pinOk.set('alice', false);
    deliverKeys('alice', alice, bob);
    const message = roomMessage(alice, 'alice', 'lab', 'from a changed key');
    assert.equal(bob.keyring.view(message, false)?.decryptError, 'unknown_key');
  });

  it('takes a key that arrives before the member list once the members are known', async () => {
    const clock = new FakeClock();
    const alice = await member('alice', clock);
    const bob = await member('bob', clock);
    apply(alice, created('lab', 'alice', ['bob']));
    // Bob's client restarted: it knows it is in #lab, not yet who else is.
    bob.book.setInfo({ room: 'lab', kind: 'group', encrypted: true, readOnly: false, owner: 'alice', size: 2, member: true, seq: 1 });
    deliverKeys('alice', alice, bob);
    bob.book.setMembers('lab', ['alice', 'bob']);
    bob.keyring.membersKnown('lab');
    const message = roomMessage(alice, 'alice', 'lab', 'after the list');
    assert.equal(bob.keyring.view(message, false)?.text, 'after the list');
  });

  it('saves the keys so a new keyring over the same store still opens the room', async () => {
    const clock = new FakeClock();
    const store = new MemoryRoomKeyStore();
    const alice = await member('alice', clock);
    const bob = await member('bob', clock, store);
    const event = created('lab', 'alice', ['bob']);
    apply(alice, event);
    apply(bob, event);
    deliverKeys('alice', alice, bob);
    const message = roomMessage(alice, 'alice', 'lab', 'kept');
    await bob.keyring.close();
    const again = await member('bob', clock, store);
    assert.equal(again.keyring.view(message, false)?.text, 'kept');
  });
});

describe('PrivateMessages.openPinned (how a room key is read)', () => {
  it("opens a hidden box only with the sender's pinned key, and not once the server reports another key", async () => {
    const sodium = await sodiumReady();
    const [alice, bob, mallory] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    const roster = new Map<string, RosterEntry>([['alice', { publicKey: alice.publicKey, online: true }]]);
    const book = new TrustBook(new MemoryTrustStore(), () => 0, () => undefined);
    book.observe('alice', alice.publicKey);
    const atBob = new PrivateMessages('bob', bob.publicKey, new PrivateBoxes(sodium, bob), book, roster);
    const content = { roomKey: { room: 'lab', keyId: 'AAAAAAAAAAA=', iteration: 0, chainKey: Buffer.alloc(32, 1).toString('base64'), signingKey: Buffer.alloc(32, 2).toString('base64') } };
    const hidden = (from: string, box: ReturnType<PrivateBoxes['sealContent']>): ChatMessage => ({ type: 'msg', seq: 1, id: 'k1', from, to: 'bob', ts: 0, hidden: true, box });
    const sealedBy = (who: typeof alice) => new PrivateBoxes(sodium, who).sealContent(bob.publicKey, { from: 'alice', to: 'bob', id: 'k1', content });

    assert.deepEqual(atBob.openPinned(hidden('alice', sealedBy(alice))), { content, trust: 'pinned' });
    assert.equal(atBob.openPinned(hidden('alice', sealedBy(mallory))), undefined, 'another key claiming to be alice');
    roster.set('alice', { publicKey: mallory.publicKey, online: true });
    assert.equal(atBob.openPinned(hidden('alice', sealedBy(alice))), undefined, "alice's key changed and was not accepted: no room keys from her");
  });
});

describe('FileRoomKeyStore', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'classchat-roomkeys-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sits next to the key file, is written 0600 and loads what it saved', async () => {
    const path = roomKeysPathFor(join(dir, 'alice.json'));
    assert.equal(path, join(dir, 'alice.rooms.json'));
    const store = new FileRoomKeyStore(path);
    assert.equal(await store.load(), undefined);
    await store.save({ version: 1, keys: { a: 1 }, rotate: [] });
    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await store.load(), { version: 1, keys: { a: 1 }, rotate: [] });
    assert.match(await readFile(path, 'utf8'), /classchat-room-keys-v1/);
  });

  it('refuses a damaged file instead of forgetting the keys', async () => {
    const path = join(dir, 'bob.rooms.json');
    await writeFile(path, '{"format":"something-else"}', { mode: 0o600 });
    await assert.rejects(new FileRoomKeyStore(path).load(), RoomKeyFileError);
  });
});
