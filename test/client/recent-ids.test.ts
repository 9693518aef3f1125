import { strict as assert } from 'node:assert';
import { RecentIds } from '../../src/client/recent-ids';

describe('RecentIds (replay window per sender)', () => {
  it('remembers ids per sender: the same id from another sender is another message', () => {
    const recent = new RecentIds();
    recent.add('bob', 'm1');
    assert.equal(recent.has('bob', 'm1'), true);
    assert.equal(recent.has('carol', 'm1'), false);
    recent.add('bob', 'm1');
    assert.equal(recent.size, 1);
  });

  it('keeps the last ids of each sender, and drops the quietest sender\'s oldest ids beyond the total', () => {
    const recent = new RecentIds(3, 5);
    for (const id of ['a', 'b', 'c', 'd']) recent.add('bob', id);
    assert.deepEqual(recent.snapshot(), [['bob', ['b', 'c', 'd']]]);
    recent.add('carol', 'x');
    recent.add('carol', 'y');
    recent.add('bob', 'e'); // bob is now the most recently heard
    recent.add('carol', 'z');
    assert.equal(recent.size, 5);
    assert.deepEqual(recent.snapshot(), [['bob', ['d', 'e']], ['carol', ['x', 'y', 'z']]]);
    for (let i = 0; i < 100; i++) recent.add(`user${i}`, 'm');
    assert.equal(recent.size, 5);
  });

  it('restores a snapshot to the same state, names like __proto__ included', () => {
    const recent = new RecentIds(3, 10);
    recent.add('__proto__', 'p1');
    recent.add('constructor', 'c1');
    recent.add('__proto__', 'p2');
    const again = new RecentIds(3, 10);
    again.restore(JSON.parse(JSON.stringify(recent.snapshot())));
    assert.deepEqual(again.snapshot(), [['constructor', ['c1']], ['__proto__', ['p1', 'p2']]]);
    assert.equal(again.has('__proto__', 'p1'), true);
  });
});
