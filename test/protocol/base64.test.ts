import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isBase64 } from '../../src/protocol/frames';

/** The definition, as an anchored pattern: slow on big chunks, so only the tests use it. */
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

describe('isBase64', () => {
  it('accepts the encoding of any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => isBase64(Buffer.from(bytes).toString('base64'))));
  });

  it('agrees with the anchored definition on strings near base64', () => {
    const near = fc.constantFrom(...'ABCxyz019+/=-_ \n\u0000é€'.split(''));
    fc.assert(
      fc.property(fc.array(near, { maxLength: 16 }), (chars) => {
        const text = chars.join('');
        assert.equal(isBase64(text), STANDARD_BASE64.test(text), JSON.stringify(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects one bad character anywhere in a long valid string', () => {
    const valid = Buffer.alloc(3000, 7).toString('base64');
    for (const bad of ['-', '_', ' ', '\n', '=', '*', '\u00e9']) {
      for (const at of [0, 1, 1999, valid.length - 3]) assert.equal(isBase64(valid.slice(0, at) + bad + valid.slice(at + 1)), false, `${JSON.stringify(bad)} at ${at}`);
    }
  });
});
