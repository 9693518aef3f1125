import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkName } from '../../src/protocol/names';

describe('user names', () => {
  it('normalises case and surrounding space', () => {
    assert.deepEqual(checkName('  Alice.B-2_ '), { ok: true, name: 'alice.b-2_' });
  });

  it('accepts 1 to 32 characters and refuses 0 and 33', () => {
    assert.equal(checkName('a').ok, true);
    assert.equal(checkName('a'.repeat(32)).ok, true);
    assert.deepEqual(checkName(''), { ok: false, code: 'invalid_name' });
    assert.deepEqual(checkName('a'.repeat(33)), { ok: false, code: 'invalid_name' });
  });

  it('refuses other characters', () => {
    for (const name of ['bob smith', 'bob:x', 'bøb', '*', 'a/b', 'a\nb']) assert.equal(checkName(name).ok, false, name);
  });

  it('reserves the names with a meaning in the plain-text protocol', () => {
    for (const name of ['all', 'ALL', 'server', 'everyone', 'classchat']) assert.deepEqual(checkName(name), { ok: false, code: 'name_reserved' });
  });

  it('property: an accepted name always matches the documented pattern', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const result = checkName(raw);
        if (result.ok) assert.match(result.name, /^[a-z0-9_.-]{1,32}$/);
      }),
      { numRuns: 500 },
    );
  });
});
