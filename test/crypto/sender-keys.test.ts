import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import { encodeEnvelopeV2, EnvelopeContentError } from '../../src/crypto/envelope';
import { generateIdentity } from '../../src/crypto/identity';
import { messageKey, sealRoomBox } from '../../src/crypto/sender-key-chain';
import { NoSenderKeyError, RoomKey, RoomKeys, RoomKeysOptions, RoomMessage } from '../../src/crypto/sender-keys';
import { Sodium, sodiumReady } from '../../src/crypto/sodium';
import { boxSchema } from '../../src/protocol/frames';
import type { EnvelopeContent } from '../../src/protocol/references';
import { largestContent } from './largest-content';

/** Rooms and their members, as the client's room book would say. */
class Members {
  private readonly rooms = new Map<string, Set<string>>();
  set(room: string, ...names: string[]): void {
    this.rooms.set(room, new Set(names));
  }
  readonly isMember = (room: string, name: string) => this.rooms.get(room)?.has(name) ?? false;
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index % bytes.length] ^= 0x01;
  return bytes.toString('base64');
}

describe('room sender keys (20.3)', () => {
  let sodium: Sodium;
  let members: Members;
  let keys: Record<'alice' | 'bob' | 'carol' | 'dave', RoomKeys>;
  const make = (name: string, options?: RoomKeysOptions) => new RoomKeys(sodium, name, members.isMember, options);
  /** alice's message `id` to #lab as it arrives. */
  const sendAs = (from: keyof typeof keys, id: string, content: EnvelopeContent, room = 'lab'): RoomMessage => ({ from, to: `#${room}`, id, box: keys[from].seal(room, id, content) });
  const hand = (to: RoomKeys, from: string, key: RoomKey) => assert.deepEqual(to.acceptRoomKey(from, key), { ok: true, status: 'added' });

  before(async () => {
    sodium = await sodiumReady();
  });

  beforeEach(() => {
    members = new Members();
    members.set('lab', 'alice', 'bob', 'carol');
    keys = { alice: make('alice'), bob: make('bob'), carol: make('carol'), dave: make('dave') };
    const handed = keys.alice.createSenderKey('lab');
    hand(keys.bob, 'alice', handed);
    hand(keys.carol, 'alice', handed);
  });

  afterEach(() => Object.values(keys).forEach((k) => k.dispose()));

  it('lets every member open a message, and the sender read its own back', () => {
    const content = { text: 'hello lab ✓' };
    const message = sendAs('alice', 'm1', content);
    assert.deepEqual(keys.bob.open(message), { ok: true, content });
    assert.deepEqual(keys.carol.open(message), { ok: true, content });
    assert.deepEqual(keys.alice.open(message), { ok: true, content });
    assert.deepEqual(keys.dave.open(message), { ok: false, error: 'unknown_key' });
  });

  it('round-trips replies, edits and reactions in order, opening each again (redelivery, history)', () => {
    const contents: EnvelopeContent[] = [{ text: 'q' }, { text: 'a', reply: { seq: 1, id: 'm0' } }, { react: { seq: 1, id: 'm0', emoji: '👍' } }, { text: 'b', edit: { seq: 2, id: 'm1' } }];
    const messages = contents.map((content, i) => sendAs('alice', `m${i}`, content));
    for (const [i, message] of messages.entries()) assert.deepEqual(keys.bob.open(message), { ok: true, content: contents[i] });
    for (const [i, message] of messages.entries()) assert.deepEqual(keys.bob.open(message), { ok: true, content: contents[i] });
  });

  it('lays the box out as 20.3 says: version, keyId, n, secretbox under MK_n, signature of it all and the nonce', () => {
    const handed = keys.alice.distribution('lab')!;
    const message = sendAs('alice', 'm1', { text: 'x' });
    const bytes = Buffer.from(message.box.ciphertext, 'base64');
    const nonce = Buffer.from(message.box.nonce, 'base64');
    assert.equal(nonce.length, 24);
    assert.equal(bytes[0], 1);
    assert.equal(bytes.subarray(1, 9).toString('base64'), handed.keyId);
    assert.equal(bytes.readUInt32BE(9), handed.iteration);
    const body = bytes.subarray(0, bytes.length - 64);
    assert.ok(sodium.crypto_sign_verify_detached(bytes.subarray(bytes.length - 64), Buffer.concat([body, nonce]), Buffer.from(handed.signingKey, 'base64')));
    const mk = sodium.crypto_generichash(32, new TextEncoder().encode('classchat-room-mk'), Buffer.from(handed.chainKey, 'base64'));
    const plain = sodium.crypto_secretbox_open_easy(body.subarray(13), nonce, mk);
    assert.equal(plain[0], 2, 'a version-2 envelope');
    assert.equal(plain.length % 32, 0);
    assert.equal(keys.alice.distribution('lab')!.iteration, handed.iteration + 1);
  });

  it('gives a new member nothing sent before it received the key', () => {
    const before = [sendAs('alice', 'm0', { text: 'zero' }), sendAs('alice', 'm1', { text: 'one' })];
    members.set('lab', 'alice', 'bob', 'carol', 'dave');
    const current = keys.alice.distribution('lab')!;
    assert.equal(current.iteration, 2);
    hand(keys.dave, 'alice', current);
    for (const message of before) assert.deepEqual(keys.dave.open(message), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(keys.dave.open(sendAs('alice', 'm2', { text: 'two' })), { ok: true, content: { text: 'two' } });
  });

  it('after rotation a removed member cannot open new messages; remaining members open old and new', () => {
    const old = sendAs('alice', 'm0', { text: 'before' });
    members.set('lab', 'alice', 'bob');
    const rotated = keys.alice.createSenderKey('lab');
    hand(keys.bob, 'alice', rotated);
    const fresh = sendAs('alice', 'm1', { text: 'after' });
    assert.deepEqual(keys.carol.open(fresh), { ok: false, error: 'unknown_key' });
    assert.deepEqual(keys.carol.open(old), { ok: true, content: { text: 'before' } });
    assert.deepEqual(keys.bob.open(fresh), { ok: true, content: { text: 'after' } });
    assert.deepEqual(keys.bob.open(old), { ok: true, content: { text: 'before' } });
    assert.deepEqual(keys.alice.open(old), { ok: true, content: { text: 'before' } });
    // A removed member cannot hand itself back in.
    assert.deepEqual(keys.bob.acceptRoomKey('carol', keys.carol.createSenderKey('lab')), { ok: false, error: 'not_member' });
  });

  it('keeps only the newest keysPerMember keys of each member', () => {
    const bob = make('bob', { keysPerMember: 2 });
    const first = sendAs('alice', 'm0', { text: 'first' });
    hand(bob, 'alice', keys.alice.distribution('lab')!);
    for (let i = 0; i < 2; i++) hand(bob, 'alice', keys.alice.createSenderKey('lab'));
    assert.deepEqual(bob.open(first), { ok: false, error: 'unknown_key' });
    assert.deepEqual(bob.open(sendAs('alice', 'm1', { text: 'new' })), { ok: true, content: { text: 'new' } });
    bob.dispose();
  });

  it('refuses a message with any byte of its ciphertext (version, keyId, n, secretbox, signature) or nonce changed', () => {
    const message = sendAs('alice', 'm1', { text: 'tamper with me' });
    const length = Buffer.from(message.box.ciphertext, 'base64').length;
    fc.assert(
      fc.property(fc.nat(length - 1), (index) => {
        const opened = keys.bob.open({ ...message, box: { ...message.box, ciphertext: flipByte(message.box.ciphertext, index) } });
        assert.equal(opened.ok, false);
        // Only a changed keyId can be reported as a key bob does not have.
        if (opened.ok === false && opened.error === 'unknown_key') assert.ok(index >= 1 && index < 9, `byte ${index}`);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.nat(23), (index) => assert.deepEqual(keys.bob.open({ ...message, box: { ...message.box, nonce: flipByte(message.box.nonce, index) } }), { ok: false, error: 'could_not_decrypt' })));
    for (const index of [0, 9, 12, length - 1]) {
      assert.deepEqual(keys.bob.open({ ...message, box: { ...message.box, ciphertext: flipByte(message.box.ciphertext, index) } }), { ok: false, error: 'could_not_decrypt' }, `byte ${index}`);
    }
    const truncated = Buffer.from(message.box.ciphertext, 'base64').subarray(0, 40).toString('base64');
    assert.deepEqual(keys.bob.open({ ...message, box: { ...message.box, ciphertext: truncated } }), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(keys.bob.open(message), { ok: true, content: { text: 'tamper with me' } }, 'the genuine message still opens');
  });

  it('stops a member who holds alice\'s chain key from forging her messages (the signature)', () => {
    // carol holds alice's chain key, so she can make a valid secretbox under alice's keyId and n, but cannot sign it as alice.
    const held = keys.alice.distribution('lab')!;
    const chainKey = Buffer.from(held.chainKey, 'base64');
    const plain = encodeEnvelopeV2({ from: 'alice', to: '#lab', id: 'f1', content: { text: 'alice says: no homework' } });
    const keyId = Buffer.from(held.keyId, 'base64');
    const forged = sealRoomBox(sodium, keyId, held.iteration, messageKey(sodium, chainKey), sodium.crypto_sign_keypair().privateKey, plain);
    assert.deepEqual(keys.bob.open({ from: 'alice', to: '#lab', id: 'f1', box: forged }), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(keys.bob.open(sendAs('alice', 'm1', { text: 'genuine' })), { ok: true, content: { text: 'genuine' } }, 'and the forgery did not move the chain');
  });

  it('files a handed-over key under the authenticated sender only, so another member cannot plant a key for alice', () => {
    // carol hands dave a key of her own making, claiming it is alice's (same room, alice's real keyId).
    members.set('lab', 'alice', 'bob', 'carol', 'dave');
    const alices = keys.alice.distribution('lab')!;
    const carolsFake = keys.carol.createSenderKey('lab');
    assert.deepEqual(keys.dave.acceptRoomKey('carol', { ...carolsFake, keyId: alices.keyId }), { ok: true, status: 'added' });
    const fromAlice = sendAs('alice', 'm1', { text: 'real' });
    assert.deepEqual(keys.dave.open(fromAlice), { ok: false, error: 'unknown_key' });
    // Her key did not block alice's real one (same keyId, another member).
    hand(keys.dave, 'alice', alices);
    assert.deepEqual(keys.dave.open(fromAlice), { ok: true, content: { text: 'real' } });
    // A second, different key under a keyId alice already used is refused; the same one again is a duplicate.
    assert.deepEqual(keys.dave.acceptRoomKey('alice', { ...carolsFake, keyId: alices.keyId }), { ok: false, error: 'conflict' });
    assert.deepEqual(keys.dave.acceptRoomKey('alice', alices), { ok: true, status: 'duplicate' });
    // alice's box relabelled by the server as carol's is refused.
    assert.deepEqual(keys.bob.open({ ...fromAlice, from: 'carol' }), { ok: false, error: 'unknown_key' });
  });

  it('refuses keys for rooms the sender or the receiver is not in, and malformed keys', () => {
    const handed = keys.alice.distribution('lab')!;
    assert.deepEqual(keys.dave.acceptRoomKey('alice', handed), { ok: false, error: 'not_member' });
    assert.deepEqual(keys.bob.acceptRoomKey('dave', handed), { ok: false, error: 'not_member' });
    assert.deepEqual(keys.bob.acceptRoomKey('alice', { ...handed, room: 'other' }), { ok: false, error: 'not_member' });
    const malformed: unknown[] = [
      undefined,
      { ...handed, chainKey: 'A'.repeat(44) }, // 33 bytes of base64 without padding: not 32 bytes
      { ...handed, keyId: '!!!!!!!!!!!!' },
      { ...handed, iteration: -1 },
      { ...handed, signingKey: Buffer.alloc(32, 0xff).toString('base64') }, // not an Ed25519 point
      { ...handed, extra: true },
    ];
    for (const bad of malformed) assert.deepEqual(keys.bob.acceptRoomKey('alice', bad), { ok: false, error: 'malformed' }, JSON.stringify(bad));
  });

  it('travels to a member inside a pairwise version-2 envelope', async () => {
    const [alice, bob] = await Promise.all([generateIdentity(), generateIdentity()]);
    const dave = make('dave');
    members.set('lab', 'alice', 'bob', 'dave');
    const roomKey = keys.alice.distribution('lab')!;
    const head = { from: 'alice', to: 'dave', id: 'k1' };
    const box = new PrivateBoxes(sodium, alice).sealContent(bob.publicKey, { ...head, content: { roomKey } });
    const opened = new PrivateBoxes(sodium, bob).openContent(alice.publicKey, box, head);
    assert.ok(opened.ok && opened.version === 2);
    assert.deepEqual(dave.acceptRoomKey(head.from, opened.content.roomKey), { ok: true, status: 'added' });
    assert.deepEqual(dave.open(sendAs('alice', 'm1', { text: 'hi dave' })), { ok: true, content: { text: 'hi dave' } });
    dave.dispose();
  });

  it('opens messages delivered in any order within the bound', () => {
    const initial = keys.alice.distribution('lab')!;
    const messages = Array.from({ length: 40 }, (_, i) => sendAs('alice', `m${i}`, { text: `#${i}` }));
    fc.assert(
      fc.property(fc.shuffledSubarray(messages.map((_, i) => i), { minLength: messages.length }), (order) => {
        const bob = make('bob');
        hand(bob, 'alice', initial);
        for (const i of order) assert.deepEqual(bob.open(messages[i]!), { ok: true, content: { text: `#${i}` } });
        bob.dispose();
      }),
      { numRuns: 30 },
    );
  });

  it('keeps at most maxMessageKeys message keys, and refuses a jump over maxJump without moving the chain', () => {
    const bob = make('bob', { maxMessageKeys: 5, maxJump: 10 });
    hand(bob, 'alice', keys.alice.distribution('lab')!);
    const messages = Array.from({ length: 25 }, (_, i) => sendAs('alice', `m${i}`, { text: `#${i}` }));
    assert.deepEqual(bob.open(messages[11]!), { ok: false, error: 'could_not_decrypt' }, '11 ahead of iteration 0');
    assert.deepEqual(bob.open(messages[10]!), { ok: true, content: { text: '#10' } }, 'the refused jump left the chain at 0');
    assert.deepEqual(bob.open(messages[6]!), { ok: true, content: { text: '#6' } }, 'within the newest 5 keys');
    assert.deepEqual(bob.open(messages[5]!), { ok: false, error: 'could_not_decrypt' }, 'dropped: older than the newest 5');
    assert.deepEqual(bob.open(messages[21]!), { ok: true, content: { text: '#21' } });
    assert.deepEqual(bob.open(messages[10]!), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(bob.open(messages[17]!), { ok: true, content: { text: '#17' } });
    bob.dispose();
  });

  it('reports a message relabelled with another id or room as misaddressed, and one not to a room as not openable', () => {
    const labKey = keys.alice.distribution('lab')!;
    const message = sendAs('alice', 'm1', { text: 'once' });
    assert.deepEqual(keys.bob.open({ ...message, id: 'm2' }), { ok: false, error: 'misaddressed' });
    // Keys are per room: the keyId is not found under #other...
    members.set('other', 'alice', 'bob');
    assert.deepEqual(keys.bob.open({ ...message, to: '#other' }), { ok: false, error: 'unknown_key' });
    // ...and if alice handed the same key for #other too, the envelope's `to` still tells the rooms apart.
    hand(keys.bob, 'alice', { ...labKey, room: 'other' });
    assert.deepEqual(keys.bob.open({ ...message, to: '#other' }), { ok: false, error: 'misaddressed' });
    assert.deepEqual(keys.bob.open({ ...message, to: 'bob' }), { ok: false, error: 'could_not_decrypt' });
  });

  it('refuses to seal without a sender key, or content over the limit; the largest content fits the box limit', () => {
    assert.throws(() => keys.bob.seal('lab', 'm1', { text: 'x' }), NoSenderKeyError);
    assert.throws(() => keys.alice.seal('lab', 'm1', { text: '\u0001'.repeat(4000), reply: { seq: 1, id: 'x' } }), EnvelopeContentError);
    members.set('r'.repeat(32), 'a'.repeat(32));
    const big = make('a'.repeat(32));
    big.createSenderKey('r'.repeat(32));
    const box = big.seal('r'.repeat(32), 'i'.repeat(64), largestContent());
    assert.ok(boxSchema.safeParse(box).success, `ciphertext of ${box.ciphertext.length} base64 characters`);
    big.dispose();
  });

  it('survives a save and restore through JSON: own key keeps its chain, received keys their message keys', () => {
    const early = sendAs('alice', 'm0', { text: 'early' });
    const late = sendAs('alice', 'm1', { text: 'late' });
    assert.deepEqual(keys.bob.open(late), { ok: true, content: { text: 'late' } });
    const alice = RoomKeys.fromJSON(sodium, 'alice', members.isMember, JSON.parse(JSON.stringify(keys.alice)));
    const bob = RoomKeys.fromJSON(sodium, 'bob', members.isMember, JSON.parse(JSON.stringify(keys.bob)));
    assert.deepEqual(bob.open(early), { ok: true, content: { text: 'early' } }, 'skipped key kept');
    assert.deepEqual(alice.open(early), { ok: true, content: { text: 'early' } }, 'own message read back');
    const next: RoomMessage = { from: 'alice', to: '#lab', id: 'm2', box: alice.seal('lab', 'm2', { text: 'after restore' }) };
    assert.deepEqual(bob.open(next), { ok: true, content: { text: 'after restore' } });
    assert.deepEqual(keys.carol.open(next), { ok: true, content: { text: 'after restore' } });
    assert.equal(Buffer.from(next.box.ciphertext, 'base64').readUInt32BE(9), 2);
    assert.throws(() => RoomKeys.fromJSON(sodium, 'bob', members.isMember, { version: 1, own: [{ room: 'lab' }], received: [] }));
    assert.throws(() => RoomKeys.fromJSON(sodium, 'bob', members.isMember, { version: 2, own: [], received: [] }));
    const saved = JSON.parse(JSON.stringify(keys.alice));
    saved.own[0].signingPublicKey = Buffer.from(sodium.crypto_sign_keypair().publicKey).toString('base64');
    assert.throws(() => RoomKeys.fromJSON(sodium, 'alice', members.isMember, saved), /does not match/);
    alice.dispose();
    bob.dispose();
  });

  it('forgets every key of a room it left', () => {
    const message = sendAs('alice', 'm1', { text: 'x' });
    keys.bob.forgetRoom('lab');
    assert.deepEqual(keys.bob.open(message), { ok: false, error: 'unknown_key' });
    assert.deepEqual(keys.bob.toJSON(), { version: 1, own: [], received: [] });
  });
});
