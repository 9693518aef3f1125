import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodeEnvelope, encodeEnvelope, ENVELOPE_PADDING, InvalidPeerKeyError, PrivateBoxes } from '../../src/crypto/e2ee';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { Sodium, sodiumReady } from '../../src/crypto/sodium';
import { boxSchema } from '../../src/protocol/frames';
import { LIMITS } from '../../src/protocol/limits';

function flipBit(base64: string, byte: number, bit = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte % bytes.length] ^= 1 << bit;
  return bytes.toString('base64');
}

describe('private message encryption (crypto_box between identity-derived keys)', () => {
  let sodium: Sodium;
  let alice: Identity;
  let bob: Identity;
  let carol: Identity;
  const head = { from: 'alice', to: 'bob', id: 'm1' };

  before(async () => {
    sodium = await sodiumReady();
    [alice, bob, carol] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
  });

  it('lets the recipient open it with the sender\'s public key, and the sender read it back with the recipient\'s', () => {
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'hi bob ✓' });
    assert.deepEqual(new PrivateBoxes(sodium, bob).open(alice.publicKey, box, head), { ok: true, text: 'hi bob ✓' });
    assert.deepEqual(new PrivateBoxes(sodium, alice).open(bob.publicKey, box, head), { ok: true, text: 'hi bob ✓' });
  });

  it('uses a fresh 24-byte nonce for every message', () => {
    const boxes = new PrivateBoxes(sodium, alice);
    const nonces = new Set(Array.from({ length: 50 }, () => boxes.seal(bob.publicKey, { ...head, text: 'same' }).nonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.equal(Buffer.from(nonce, 'base64').length, 24);
  });

  it('cannot be opened by a third person or with the wrong sender key', () => {
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'secret' });
    assert.deepEqual(new PrivateBoxes(sodium, carol).open(alice.publicKey, box, head), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(new PrivateBoxes(sodium, bob).open(carol.publicKey, box, head), { ok: false, error: 'could_not_decrypt' });
  });

  it('reports any flipped bit of ciphertext or nonce, and truncation, as could_not_decrypt', () => {
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'tamper with me' });
    const bobBoxes = new PrivateBoxes(sodium, bob);
    const length = Buffer.from(box.ciphertext, 'base64').length;
    fc.assert(
      fc.property(fc.nat(length - 1), fc.nat(7), (byte, bit) => {
        const opened = bobBoxes.open(alice.publicKey, { ...box, ciphertext: flipBit(box.ciphertext, byte, bit) }, head);
        assert.deepEqual(opened, { ok: false, error: 'could_not_decrypt' });
      }),
    );
    fc.assert(
      fc.property(fc.nat(23), fc.nat(7), (byte, bit) => {
        assert.deepEqual(bobBoxes.open(alice.publicKey, { ...box, nonce: flipBit(box.nonce, byte, bit) }, head), { ok: false, error: 'could_not_decrypt' });
      }),
    );
    const truncated = Buffer.from(box.ciphertext, 'base64').subarray(0, length - 1).toString('base64');
    assert.deepEqual(bobBoxes.open(alice.publicKey, { ...box, ciphertext: truncated }, head), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(bobBoxes.open(alice.publicKey, { nonce: 'AAAA', ciphertext: box.ciphertext }, head), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(bobBoxes.open(alice.publicKey, { nonce: box.nonce, ciphertext: '' }, head), { ok: false, error: 'could_not_decrypt' });
  });

  it('detects a box replayed under another sender, recipient or id as misaddressed', () => {
    // bob's reply to alice shares alice→bob's key: a server could reflect it back to bob as "from alice".
    const reply = new PrivateBoxes(sodium, bob).seal(alice.publicKey, { from: 'bob', to: 'alice', id: 'r1', text: 'reply' });
    const bobBoxes = new PrivateBoxes(sodium, bob);
    assert.deepEqual(bobBoxes.open(alice.publicKey, reply, { from: 'alice', to: 'bob', id: 'r1' }), { ok: false, error: 'misaddressed' });
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'once' });
    assert.deepEqual(bobBoxes.open(alice.publicKey, box, { ...head, id: 'm2' }), { ok: false, error: 'misaddressed' });
  });

  it('refuses to seal to a key that is not a valid Ed25519 point, and never throws when opening with one', () => {
    const bad = Buffer.alloc(32, 7).toString('base64');
    assert.throws(() => new PrivateBoxes(sodium, alice).seal(bad, { ...head, text: 'x' }), InvalidPeerKeyError);
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'x' });
    assert.deepEqual(new PrivateBoxes(sodium, bob).open(bad, box, head), { ok: false, error: 'could_not_decrypt' });
    assert.deepEqual(new PrivateBoxes(sodium, bob).open('not base64!', box, head), { ok: false, error: 'could_not_decrypt' });
  });

  it('fits the longest allowed text in the protocol\'s box limit', () => {
    const text = '😀'.repeat(LIMITS.maxTextBytes / 4);
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { from: 'a'.repeat(32), to: 'b'.repeat(32), id: 'i'.repeat(64), text });
    assert.ok(boxSchema.safeParse(box).success, `ciphertext of ${box.ciphertext.length} base64 characters`);
  });

  describe('envelope', () => {
    const ascii = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);

    it('round-trips any text and names, padded to a multiple of 32 bytes', () => {
      fc.assert(
        fc.property(ascii, ascii, ascii, fc.string({ unit: 'grapheme', maxLength: 200 }), (from, to, id, text) => {
          const bytes = encodeEnvelope({ from, to, id, text });
          assert.equal(bytes.length % ENVELOPE_PADDING, 0);
          assert.deepEqual(decodeEnvelope(bytes), { from, to, id, text });
        }),
      );
    });

    it('never throws on arbitrary bytes', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void decodeEnvelope(bytes)));
    });

    it('rejects another version, bad lengths, invalid UTF-8 and non-zero padding', () => {
      const good = Buffer.from(encodeEnvelope({ from: 'a', to: 'b', id: 'c', text: 'é' }));
      const variant = (edit: (bytes: Buffer) => void) => {
        const copy = Buffer.from(good);
        edit(copy);
        return decodeEnvelope(copy);
      };
      assert.equal(variant((b) => (b[0] = 2)), undefined);
      assert.equal(variant((b) => (b[1] = 0)), undefined);
      assert.equal(variant((b) => b.writeUInt32BE(1000, 7)), undefined);
      assert.equal(variant((b) => (b[11] = 0xff)), undefined);
      assert.equal(variant((b) => (b[b.length - 1] = 1)), undefined);
      assert.equal(decodeEnvelope(new Uint8Array(0)), undefined);
    });
  });
});
