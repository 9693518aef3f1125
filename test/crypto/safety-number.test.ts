import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { safetyNumber } from '../../src/crypto/safety-number';
import { Sodium, sodiumReady } from '../../src/crypto/sodium';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64'));

describe('safety numbers', () => {
  let sodium: Sodium;

  before(async () => {
    sodium = await sodiumReady();
  });

  it('are 12 groups of 5 digits, the same whichever side computes them', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        const number = safetyNumber(sodium, a, b);
        assert.match(number, /^\d{5}( \d{5}){11}$/);
        assert.equal(safetyNumber(sodium, b, a), number);
      }),
    );
  });

  it('differ when either key differs', () => {
    fc.assert(
      fc.property(key, key, key, (a, b, c) => {
        fc.pre(b !== c);
        assert.notEqual(safetyNumber(sodium, a, b), safetyNumber(sodium, a, c));
        assert.notEqual(safetyNumber(sodium, b, a), safetyNumber(sodium, c, a));
      }),
    );
  });

  it('are stable: a fixed pair of keys always gives the same number (across versions and restarts)', () => {
    const a = Buffer.alloc(32, 1).toString('base64');
    const b = Buffer.alloc(32, 2).toString('base64');
    assert.equal(safetyNumber(sodium, a, b), FIXED);
  });

  it('refuse keys that are not 32 bytes of base64', () => {
    const a = Buffer.alloc(32, 1).toString('base64');
    assert.throws(() => safetyNumber(sodium, a, Buffer.alloc(31).toString('base64')), RangeError);
    assert.throws(() => safetyNumber(sodium, a, '!!'), RangeError);
  });
});

// Checked independently with Python: hashlib.blake2b(b'classchat-safety-number-v1' + min(a, b) + max(a, b), digest_size=64).
const FIXED = '02228 66249 67551 05814 56114 88340 34794 77849 64819 58454 46641 57304';
