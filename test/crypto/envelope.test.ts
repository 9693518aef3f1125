import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import {
  decodeAnyEnvelope,
  decodeEnvelopeV2,
  encodeContentEnvelope,
  encodeEnvelope,
  encodeEnvelopeV2,
  ENVELOPE_PADDING,
  EnvelopeContentError,
} from '../../src/crypto/envelope';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { Sodium, sodiumReady } from '../../src/crypto/sodium';
import { boxSchema } from '../../src/protocol/frames';
import { LIMITS } from '../../src/protocol/limits';
import type { EnvelopeContent } from '../../src/protocol/references';
import { largestContent } from './largest-content';

const ascii = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const clientId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const ref = fc.record({ seq: fc.nat(), id: clientId }, { noNullPrototype: true });
const content: fc.Arbitrary<EnvelopeContent> = fc.record(
  {
    text: fc.string({ unit: 'grapheme', maxLength: 100 }),
    reply: ref,
    edit: ref,
    react: fc.record({ seq: fc.nat(), id: clientId, emoji: fc.constantFrom('👍', 'ok', '🎉'), remove: fc.boolean() }, { requiredKeys: ['seq', 'id', 'emoji'], noNullPrototype: true }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

describe('envelope version 2 (content object)', () => {
  it('round-trips reply, edit and react content and any names, padded to a multiple of 32 bytes', () => {
    fc.assert(
      fc.property(ascii, ascii, ascii, content, (from, to, id, body) => {
        const bytes = encodeEnvelopeV2({ from, to, id, content: body });
        assert.equal(bytes[0], 2);
        assert.equal(bytes.length % ENVELOPE_PADDING, 0);
        assert.deepEqual(decodeEnvelopeV2(bytes), { from, to, id, content: body });
        assert.deepEqual(decodeAnyEnvelope(bytes), { version: 2, from, to, id, content: body });
      }),
    );
  });

  it('is chosen only when the content is more than text: text alone travels as version 1', () => {
    const head = { from: 'alice', to: 'bob', id: 'm1' };
    assert.deepEqual(encodeContentEnvelope({ ...head, content: { text: 'hi' } }), encodeEnvelope({ ...head, text: 'hi' }));
    const reply = encodeContentEnvelope({ ...head, content: { text: 'hi', reply: { seq: 3, id: 'x' } } });
    assert.equal(reply[0], 2);
    assert.deepEqual(decodeAnyEnvelope(encodeEnvelope({ ...head, text: 'é' })), { version: 1, ...head, content: { text: 'é' } });
  });

  it('refuses content over the byte limits when sealing and when opening', () => {
    const head = { from: 'alice', to: 'bob', id: 'm1' };
    assert.doesNotThrow(() => encodeEnvelopeV2({ ...head, content: { text: 'x'.repeat(LIMITS.maxTextBytes), reply: { seq: 1, id: 'r' } } }));
    // 8,193 characters pass a count of UTF-16 units, but are 16,386 UTF-8 bytes.
    const tooLong = 'é'.repeat(LIMITS.maxTextBytes / 2 + 1);
    assert.throws(() => encodeContentEnvelope({ ...head, content: { text: tooLong } }), EnvelopeContentError);
    assert.throws(() => encodeEnvelopeV2({ ...head, content: { text: tooLong, reply: { seq: 1, id: 'r' } } }), EnvelopeContentError);
    // A sender that ignores the limit: 18,001+ bytes of JSON are refused when decoding (the schema alone would strip `pad`).
    const body = Buffer.from(JSON.stringify({ text: 'a', pad: 'p'.repeat(LIMITS.maxEnvelopeContentBytes) }));
    const raw = Buffer.concat([Buffer.from([2, 1, 0x61, 1, 0x62, 1, 0x63, 0, 0, 0, 0]), body]);
    raw.writeUInt32BE(body.length, 7);
    assert.equal(decodeEnvelopeV2(Buffer.concat([raw, Buffer.alloc((32 - (raw.length % 32)) % 32)])), undefined);
  });

  it('refuses JSON over 18,000 bytes even when every field is within its own limit', () => {
    const head = { from: 'alice', to: 'bob', id: 'm1' };
    // 16,384 bytes of text that JSON escapes to six bytes each.
    assert.throws(() => encodeEnvelopeV2({ ...head, content: { text: '\u0001'.repeat(4000), reply: { seq: 1, id: 'x' } } }), EnvelopeContentError);
  });

  it('rejects malformed JSON, content the schema refuses, and non-zero padding', () => {
    const make = (json: string) => {
      const body = Buffer.from(json, 'utf8');
      const raw = Buffer.concat([Buffer.from([2, 1, 0x61, 1, 0x62, 1, 0x63, 0, 0, 0, 0]), body]);
      raw.writeUInt32BE(body.length, 7);
      return Buffer.concat([raw, Buffer.alloc((32 - (raw.length % 32)) % 32)]);
    };
    assert.deepEqual(decodeEnvelopeV2(make('{"text":"ok"}')), { from: 'a', to: 'b', id: 'c', content: { text: 'ok' } });
    assert.equal(decodeEnvelopeV2(make('{"text":')), undefined);
    assert.equal(decodeEnvelopeV2(make('"just a string"')), undefined);
    assert.equal(decodeEnvelopeV2(make('{"reply":{"seq":-1,"id":"x"}}')), undefined);
    assert.equal(decodeEnvelopeV2(make('{"react":{"seq":1,"id":"x","emoji":""}}')), undefined);
    const good = make('{"text":"ok"}');
    good[good.length - 1] = 1;
    assert.equal(decodeEnvelopeV2(good), undefined);
    assert.throws(() => encodeEnvelopeV2({ from: 'a', to: 'b', id: 'c', content: { reply: { seq: 1, id: 'not an id!' } } }), EnvelopeContentError);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void decodeAnyEnvelope(bytes)));
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (json) => {
        const body = Buffer.from(json);
        const raw = Buffer.concat([Buffer.from([2, 1, 0x61, 1, 0x62, 1, 0x63, 0, 0, 0, 0]), body]);
        raw.writeUInt32BE(body.length, 7);
        void decodeAnyEnvelope(raw);
      }),
    );
  });
});

describe('private boxes with content (envelope versions 1 and 2)', () => {
  let sodium: Sodium;
  let alice: Identity;
  let bob: Identity;
  const head = { from: 'alice', to: 'bob', id: 'm1' };

  before(async () => {
    sodium = await sodiumReady();
    [alice, bob] = await Promise.all([generateIdentity(), generateIdentity()]);
  });

  it('opens a version-1 private message as {text} content, and its text with open()', () => {
    const box = new PrivateBoxes(sodium, alice).seal(bob.publicKey, { ...head, text: 'plain old' });
    const bobBoxes = new PrivateBoxes(sodium, bob);
    assert.deepEqual(bobBoxes.openContent(alice.publicKey, box, head), { ok: true, version: 1, content: { text: 'plain old' } });
    const viaContent = new PrivateBoxes(sodium, alice).sealContent(bob.publicKey, { ...head, content: { text: 'plain old' } });
    assert.deepEqual(bobBoxes.openContent(alice.publicKey, viaContent, head), { ok: true, version: 1, content: { text: 'plain old' } });
  });

  it('round-trips reply, edit and react content through a box, for the recipient and the sender', () => {
    const aliceBoxes = new PrivateBoxes(sodium, alice);
    const bobBoxes = new PrivateBoxes(sodium, bob);
    fc.assert(
      fc.property(content, (body) => {
        const box = aliceBoxes.sealContent(bob.publicKey, { ...head, content: body });
        const version = Object.keys(body).length === 1 && body.text !== undefined ? 1 : 2;
        assert.deepEqual(bobBoxes.openContent(alice.publicKey, box, head), { ok: true, version, content: body });
        assert.deepEqual(aliceBoxes.openContent(bob.publicKey, box, head), { ok: true, version, content: body });
      }),
      { numRuns: 50 },
    );
  });

  it('checks from, to and id of a version-2 envelope like version 1', () => {
    const box = new PrivateBoxes(sodium, alice).sealContent(bob.publicKey, { ...head, content: { react: { seq: 4, id: 'm0', emoji: '👍' } } });
    const bobBoxes = new PrivateBoxes(sodium, bob);
    assert.deepEqual(bobBoxes.openContent(alice.publicKey, box, { ...head, id: 'm2' }), { ok: false, error: 'misaddressed' });
    assert.deepEqual(bobBoxes.openContent(alice.publicKey, box, { ...head, from: 'bob', to: 'alice' }), { ok: false, error: 'misaddressed' });
    // open() shows text only: a reaction has none, so an old caller shows "could not decrypt", never an empty message.
    assert.deepEqual(bobBoxes.open(alice.publicKey, box, head), { ok: false, error: 'could_not_decrypt' });
  });

  it('fits the largest allowed content (18,000 bytes of JSON) in the protocol\'s box limit', () => {
    const box = new PrivateBoxes(sodium, alice).sealContent(bob.publicKey, { from: 'a'.repeat(32), to: 'b'.repeat(32), id: 'i'.repeat(64), content: largestContent() });
    assert.ok(boxSchema.safeParse(box).success, `ciphertext of ${box.ciphertext.length} base64 characters`);
  });

});

