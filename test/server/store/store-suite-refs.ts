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

    const history = async (viewer: string, withWhom: string) => (await context.store().readHistory({ viewer, with: withWhom, limit: 50 })).messages;

    it("gives an edited message the newest edit's content and erases the older edits' content", async () => {
      const store = context.store();
      const target = (await store.append(say('alice', 'bob', { text: 'draft' }))).message;
      const first = (await store.append(say('alice', 'bob', { text: 'second try', ref: { seq: target.seq, rel: 'edit' } }))).message;
      const second = (await store.append(say('alice', 'bob', { text: 'final', ref: { seq: target.seq, rel: 'edit' } }))).message;
      const check = async () => {
        const [original, olderEdit, newestEdit] = await history('bob', 'alice');
        assert.deepEqual(original, { ...target, text: 'final', edited: { seq: second.seq, id: second.id, ts: second.ts } });
        assert.deepEqual([olderEdit.seq, olderEdit.text, olderEdit.ref?.rel], [first.seq, undefined, 'edit']);
        assert.deepEqual(newestEdit, second);
        assert.deepEqual((await context.store().readMailbox('bob', 0, 10))[0], original);
      };
      await check();
      if (context.reopen) {
        await context.reopen();
        await check();
      }
    });

    it('erases a deleted message and its edits, marks it deleted, and a second delete changes nothing', async () => {
      const store = context.store();
      const target = (await store.append(say('alice', '*', { text: 'oops' }))).message;
      const edit = (await store.append(say('alice', '*', { text: 'oops, fixed', ref: { seq: target.seq, rel: 'edit' } }))).message;
      const removal = (await store.append(say('mrs.k', '*', { text: undefined, ref: { seq: target.seq, rel: 'delete' } }))).message;
      await store.append(say('mrs.k', '*', { text: undefined, ref: { seq: target.seq, rel: 'delete' } }));
      const check = async () => {
        const { text: _text, ...rest } = target;
        assert.deepEqual(await context.store().findBySeq(target.seq), { ...rest, deleted: { by: 'mrs.k', ts: removal.ts } });
        const shown = await history('carol', '*');
        assert.deepEqual(shown.map((m) => [m.seq, m.text, m.box]), shown.map((m) => [m.seq, undefined, undefined]));
        assert.equal(shown[1].seq, edit.seq);
      };
      await check();
      if (context.reopen) {
        await context.reopen();
        await check();
      }
    });

    it('erases a deleted room message in the room history and in the members\' mailboxes', async () => {
      const store = context.store();
      const created = (await store.append({ from: 'alice', to: '#lab', id: `f${++next}`, ts: 1700000000000, event: { kind: 'created', names: ['bob'], room: { room: 'lab', kind: 'class', encrypted: false, readOnly: false, owner: 'alice', size: 2, member: true, seq: 0 } } })).message;
      const target = (await store.append(say('alice', '#lab', { text: 'room secret' }))).message;
      await store.append(say('alice', '#lab', { text: undefined, ref: { seq: target.seq, rel: 'delete' } }));
      const inRoom = (await store.readHistory({ viewer: 'bob', with: '#lab', after: created.seq - 1, limit: 10 })).messages.find((m) => m.seq === target.seq);
      const inMailbox = (await store.readMailbox('bob', created.seq, 10)).find((m) => m.seq === target.seq);
      assert.deepEqual([inRoom?.text, inRoom?.deleted?.by, inMailbox?.text, inMailbox?.deleted?.by], [undefined, 'alice', undefined, 'alice']);
    });
  });
}
