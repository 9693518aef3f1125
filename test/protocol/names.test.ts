import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkName, EVERYONE, RESERVED_NAMES } from '../../src/protocol/names';

const NAME = /^[a-z0-9_.-]{1,32}$/;

describe('user names', () => {
  it('normalises case and surrounding space', () => {
    assert.deepEqual(checkName('  Alice.B-2_ '), { ok: true, name: 'alice.b-2_' });
    assert.deepEqual(checkName('BOB'), { ok: true, name: 'bob' });
    assert.deepEqual(checkName('\tcarol\r\n'), { ok: true, name: 'carol' });
  });

  it('treats names differing only in case as the same name', () => {
    assert.deepEqual(checkName('Alice'), checkName('aLICE'));
    assert.deepEqual(checkName('ALL'), checkName('all'));
  });

  it('accepts 1 and 32 characters and refuses 0 and 33', () => {
    assert.deepEqual(checkName('a'), { ok: true, name: 'a' });
    assert.deepEqual(checkName('a'.repeat(32)), { ok: true, name: 'a'.repeat(32) });
    assert.deepEqual(checkName(''), { ok: false, code: 'invalid_name' });
    assert.deepEqual(checkName('   '), { ok: false, code: 'invalid_name' });
    assert.deepEqual(checkName('a'.repeat(33)), { ok: false, code: 'invalid_name' });
    // Surrounding space does not count towards the 32.
    assert.deepEqual(checkName(` ${'b'.repeat(32)} `), { ok: true, name: 'b'.repeat(32) });
  });

  it('accepts every allowed character: a-z, 0-9, "_", "." and "-"', () => {
    assert.deepEqual(checkName('abcdefghijklmnopqrstuvwxyz'), { ok: true, name: 'abcdefghijklmnopqrstuvwxyz' });
    assert.deepEqual(checkName('0123456789_.-'), { ok: true, name: '0123456789_.-' });
    for (const name of ['.', '-', '_', '...', '0']) assert.equal(checkName(name).ok, true, name);
  });

  it('refuses other characters', () => {
    for (const name of ['bob smith', 'bob:x', 'bøb', 'ünï', EVERYONE, 'a/b', 'a\nb', 'a@b', '😀', 'bob\u0000', '{quit}', '[server]']) {
      assert.deepEqual(checkName(name), { ok: false, code: 'invalid_name' }, JSON.stringify(name));
    }
  });

  it('reserves the names with a meaning in the plain-text protocol, in any case', () => {
    assert.deepEqual([...RESERVED_NAMES].sort(), ['all', 'classchat', 'everyone', 'server']);
    for (const name of ['all', 'ALL', ' All ', 'server', 'everyone', 'classchat', 'ClassChat']) {
      assert.deepEqual(checkName(name), { ok: false, code: 'name_reserved' }, name);
    }
    for (const name of ['all1', 'allison', 'servers', 'class-chat']) assert.equal(checkName(name).ok, true, name);
  });

  // Names from the allowed alphabet in both cases, with some space and other characters mixed in.
  const nameLike = fc.string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-') },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\t', 'é', 'K', '*', ':', '😀') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    ),
    maxLength: 40,
  });

  it('property: an accepted name always matches /^[a-z0-9_.-]{1,32}$/ and is not reserved', () => {
    fc.assert(
      fc.property(fc.oneof(nameLike, fc.string({ unit: 'binary', maxLength: 40 })), (raw) => {
        const result = checkName(raw);
        if (result.ok) {
          assert.match(result.name, NAME);
          assert.ok(!RESERVED_NAMES.has(result.name));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: an accepted name is already normal (checking it again gives the same name)', () => {
    fc.assert(
      fc.property(nameLike, (raw) => {
        const result = checkName(raw);
        if (result.ok) assert.deepEqual(checkName(result.name), result);
      }),
      { numRuns: 500 },
    );
  });

  it('property: ASCII case never changes the outcome', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ019_.- '), maxLength: 36 });
    fc.assert(
      fc.property(ascii, (raw) => {
        assert.deepEqual(checkName(raw.toUpperCase()), checkName(raw.toLowerCase()));
      }),
      { numRuns: 300 },
    );
  });
});
