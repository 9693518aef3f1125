import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { UserInfo } from '../../src/protocol/frames';
import { RosterJson } from '../../src/server/roster-json';

const userNames = Array.from({ length: 700 }, (_, i) => `user${i}`);

describe('RosterJson', () => {
  it('joins to the roster as a Map of users would list it, across segment boundaries, after any sets and deletes', () => {
    const operation = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), name: fc.constantFrom(...userNames), online: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), name: fc.constantFrom(...userNames) }) },
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 300, maxLength: 1500, size: 'max' }), (operations) => {
        const roster = new RosterJson();
        const expected = new Map<string, UserInfo>();
        for (const op of operations) {
          if (op.kind === 'set') {
            const user = { name: op.name, publicKey: op.online ? null : `key-${op.name}`, online: op.online };
            roster.set(user);
            expected.set(op.name, user);
          } else {
            roster.delete(op.name);
            expected.delete(op.name);
          }
        }
        assert.deepEqual(JSON.parse(Buffer.concat(roster.parts()).toString('utf8')), [...expected.values()]);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the bytes of segments nobody changed, so logins share them', () => {
    const roster = new RosterJson();
    for (const name of userNames) roster.set({ name, publicKey: null, online: false });
    const before = roster.parts();
    roster.set({ name: 'user650', publicKey: null, online: true });
    const after = roster.parts();
    assert.equal(after.length, before.length);
    const changed = after.filter((part, i) => part !== before[i]);
    assert.equal(changed.length, 1, 'only the segment holding user650 is rebuilt');
    assert.match(changed[0].toString(), /"name":"user650","publicKey":null,"online":true/);
  });
});
