/**
 * The Store contract for message references (PROTOCOL.md 20.5): finding a message by seq, and
 * what edits and deletes leave of their target, also after a reopen.
 */
import { strict as assert } from 'node:assert';
import type { NewMessage, Store } from '../../../src/server/store/store';

export interface RefSuiteContext {
  store(): Store;
  /** Closes and reopens the store on the same data; undefined for a store that keeps nothing. */
  reopen: (() => Promise<void>) | undefined;
}

export function referenceSuite(context: RefSuiteContext): void {
  describe('references', () => {
    let next = 0;
    const say = (from: string, to: string, fields: Partial<NewMessage> = {}): NewMessage => ({ from, to, id: `f${++next}`, ts: 1700000000000 + next, text: `words ${next}`, ...fields });

    it('finds a message by seq, and nothing for a seq that names none', async () => {
      const store = context.store();
      const first = (await store.append(say('alice', '*'))).message;
      const second = (await store.append(say('alice', 'bob'))).message;
      assert.deepEqual(await store.findBySeq(first.seq), first);
      assert.deepEqual(await store.findBySeq(second.seq), second);
      assert.equal(await store.findBySeq(second.seq + 1), undefined);
      assert.equal(await store.findBySeq(0), undefined);
      if (context.reopen) {
        await context.reopen();
        assert.deepEqual(await context.store().findBySeq(second.seq), second);
      }
    });
  });
}
