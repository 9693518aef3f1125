/** The recovery code (PROTOCOL.md 22.8): format, check symbols, and the box that holds the identity seed. */
import { strict as assert } from 'node:assert';
import type { Identity } from '../../src/crypto/identity';
import { CROCKFORD_ALPHABET, generateRecoveryCode, openRecovery, parseRecoveryCode, recoveryKey, sealRecovery } from '../../src/crypto/recovery-code';
import { Sodium, sodiumReady, toBase64 } from '../../src/crypto/sodium';

/** Computed with Python's hashlib: the check symbols of these 25 data symbols, and the key they give. */
const EXAMPLE = '01234-56789-ABCDE-FGHJK-MNPQR-W6XM8';
const EXAMPLE_SYMBOLS = '0123456789ABCDEFGHJKMNPQR';
const EXAMPLE_KEY = 'DcZriWD9hUmleBDz7M9ua2C7/UccEhoDaYnAgS8rOGA=';

describe('recovery codes', () => {
  let sodium: Sodium;
  let identity: Identity;

  before(async () => {
    sodium = await sodiumReady();
    const pair = sodium.crypto_sign_keypair();
    identity = { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
  });

  it('reads the worked example and derives its key (known answers, computed independently)', () => {
    assert.deepEqual(parseRecoveryCode(sodium, EXAMPLE), { ok: true, symbols: EXAMPLE_SYMBOLS });
    assert.equal(toBase64(sodium, recoveryKey(sodium, EXAMPLE_SYMBOLS)), EXAMPLE_KEY);
  });

  it('makes codes of 6 groups of 5 Crockford symbols that read back', () => {
    for (let i = 0; i < 50; i++) {
      const code = generateRecoveryCode(sodium);
      assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){5}$/);
      const parsed = parseRecoveryCode(sodium, code);
      assert.ok(parsed.ok);
      assert.equal(parsed.symbols, code.replace(/-/g, '').slice(0, 25));
    }
  });

  it('reads a code typed in lower case, without dashes, with spaces, and with O for 0 and I or L for 1', () => {
    for (const typed of [EXAMPLE.toLowerCase(), EXAMPLE.replace(/-/g, ''), EXAMPLE.replace(/-/g, ' '), ` ${EXAMPLE} `, 'O1234-56789-ABCDE-FGHJK-MNPQR-W6XM8', '0I234-56789-ABCDE-FGHJK-MNPQR-W6XM8', '0l234-56789-abcde-fghjk-mnpqr-w6xm8']) {
      assert.deepEqual(parseRecoveryCode(sodium, typed), { ok: true, symbols: EXAMPLE_SYMBOLS }, typed);
    }
  });

  it('refuses a mistyped code clearly: wrong length, a character outside the alphabet, a check that fails', () => {
    assert.deepEqual(parseRecoveryCode(sodium, EXAMPLE.slice(0, -1)), { ok: false, problem: 'wrong_length' });
    assert.deepEqual(parseRecoveryCode(sodium, EXAMPLE + 'A'), { ok: false, problem: 'wrong_length' });
    assert.deepEqual(parseRecoveryCode(sodium, EXAMPLE.replace('A', 'U')), { ok: false, problem: 'bad_character' });
    assert.deepEqual(parseRecoveryCode(sodium, EXAMPLE.replace('A', '!')), { ok: false, problem: 'bad_character' });
    // Two neighbouring symbols swapped, the classic typing slip.
    assert.deepEqual(parseRecoveryCode(sodium, '10234-56789-ABCDE-FGHJK-MNPQR-W6XM8'), { ok: false, problem: 'bad_checksum' });
  });

  it('refuses every code one symbol away from the example as mistyped (all 930 of them)', () => {
    const code = EXAMPLE.replace(/-/g, '');
    for (let position = 0; position < code.length; position++) {
      for (let shift = 1; shift < 32; shift++) {
        const changed = CROCKFORD_ALPHABET[(CROCKFORD_ALPHABET.indexOf(code[position]) + shift) % 32];
        const typed = code.slice(0, position) + changed + code.slice(position + 1);
        assert.deepEqual(parseRecoveryCode(sodium, typed), { ok: false, problem: 'bad_checksum' }, typed);
      }
    }
  });

  it('opens the recovery box with the right code and gives back the same identity', () => {
    const parsed = parseRecoveryCode(sodium, generateRecoveryCode(sodium));
    assert.ok(parsed.ok);
    const box = sealRecovery(sodium, parsed.symbols, 'alice', identity);
    assert.deepEqual(openRecovery(sodium, parsed.symbols, 'alice', box), { ok: true, identity });
  });

  it('refuses a wrong code (well typed, but another), a box for another name, and a tampered box', () => {
    const right = parseRecoveryCode(sodium, generateRecoveryCode(sodium));
    const wrong = parseRecoveryCode(sodium, generateRecoveryCode(sodium));
    assert.ok(right.ok && wrong.ok);
    const box = sealRecovery(sodium, right.symbols, 'alice', identity);
    assert.deepEqual(openRecovery(sodium, wrong.symbols, 'alice', box), { ok: false, problem: 'wrong_code' });
    assert.deepEqual(openRecovery(sodium, right.symbols, 'bob', box), { ok: false, problem: 'wrong_user' });
    assert.deepEqual(openRecovery(sodium, right.symbols, 'alicea', box), { ok: false, problem: 'wrong_user' });
    const ciphertext = Buffer.from(box.ciphertext, 'base64');
    ciphertext[5] ^= 1;
    assert.deepEqual(openRecovery(sodium, right.symbols, 'alice', { ...box, ciphertext: ciphertext.toString('base64') }), { ok: false, problem: 'wrong_code' });
    assert.deepEqual(openRecovery(sodium, right.symbols, 'alice', { nonce: 'bad', ciphertext: 'bad' }), { ok: false, problem: 'wrong_code' });
  });
});
