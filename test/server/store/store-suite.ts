/**
 * The behaviour every Store implementation must show. Each implementation's test file calls
 * `storeSuite` with a factory, called again with the same directory to reopen (a store on a
 * database maps each directory to its data); `persistent: false` leaves out the reopen tests for
 * stores that keep nothing across instances (the in-memory test store).
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewMessage, Store, StoredMessage } from '../../../src/server/store/store';
import { NameTakenError } from '../../../src/server/store/store';
import { roomSuite } from './store-suite-rooms';
import { referenceSuite } from './store-suite-refs';
import { deviceSuite } from './store-suite-devices';

export interface StoreSuiteOptions {
  /** The store keeps its data across close() and a new instance on the same directory. */
  persistent?: boolean;
}

export function storeSuite(name: string, makeStore: (dir: string) => Store | Promise<Store>, options: StoreSuiteOptions = {}): void {
  const persistent = options.persistent ?? true;

  describe(`${name}: the Store contract`, () => {
    let dir: string;
    let store: Store;
    let open: boolean;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'classchat-store-'));
      store = await makeStore(dir);
      await store.open();
      open = true;
    });

    afterEach(async () => {
      if (open) await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function reopen(): Promise<void> {
      await store.close();
      open = false;
      store = await makeStore(dir);
      await store.open();
      open = true;
    }

    let nextId = 0;
    function msg(from: string, to: string, fields: Partial<NewMessage> = {}): NewMessage {
      nextId++;
      return { from, to, id: `m${nextId}`, ts: 1700000000000 + nextId, text: `text ${nextId}`, ...fields };
    }
    const seqs = (messages: StoredMessage[]) => messages.map((m) => m.seq);

    describe('append', () => {
      it('starts empty: head 0, no users, empty mailbox and history', async () => {
        assert.equal(store.headSeq(), 0);
        assert.deepEqual(await store.listUsers(), []);
        assert.deepEqual(await store.readMailbox('alice', 0, 10), []);
        assert.deepEqual(await store.readHistory({ viewer: 'alice', with: '*', limit: 10 }), { messages: [], more: false });
      });

      it('assigns seqs from 1 in call order, and headSeq is the highest once they are stored', async () => {
        const pending = [store.append(msg('alice', '*')), store.append(msg('bob', 'alice')), store.append(msg('alice', 'bob'))];
        const results = await Promise.all(pending);
        assert.equal(store.headSeq(), 3);
        assert.deepEqual(
          results.map((r) => [r.message.seq, r.duplicate]),
          [
            [1, false],
            [2, false],
            [3, false],
          ],
        );
      });

      it('resolves new messages in seq order, each readable in the mailbox when it resolves', async () => {
        // The server writes each message to caught-up sessions as its append resolves.
        const resolved: number[] = [];
        const readable: boolean[] = [];
        const pending = Array.from({ length: 40 }, (_, i) =>
          store.append(msg(i % 3 === 0 ? 'bob' : 'carol', i % 2 === 0 ? '*' : 'alice')).then(async (result) => {
            resolved.push(result.message.seq);
            const mailbox = await store.readMailbox('alice', result.message.seq - 1, 1);
            readable.push(mailbox[0]?.seq === result.message.seq);
          }),
        );
        await Promise.all(pending);
        assert.deepEqual(resolved, Array.from({ length: 40 }, (_, i) => i + 1));
        assert.ok(readable.every(Boolean), `not readable at resolve: ${readable.map((r, i) => (r ? '' : i + 1)).filter(Boolean).join(',')}`);
      });

      it('returns the original message marked duplicate for a repeated (from, id), storing nothing', async () => {
        const first = await store.append(msg('alice', '*', { id: 'same', text: 'first' }));
        const again = await store.append(msg('alice', '*', { id: 'same', text: 'second' }));
        assert.equal(again.duplicate, true);
        assert.equal(again.message.seq, first.message.seq);
        assert.equal(again.message.text, 'first');
        assert.equal(store.headSeq(), 1);
        assert.equal((await store.readMailbox('bob', 0, 10)).length, 1);
      });

      it('dedupes two concurrent appends of the same (from, id)', async () => {
        const [a, b] = await Promise.all([store.append(msg('alice', 'bob', { id: 'x' })), store.append(msg('alice', 'bob', { id: 'x' }))]);
        assert.deepEqual([a.duplicate, b.duplicate], [false, true]);
        assert.equal(a.message.seq, b.message.seq);
        assert.equal(store.headSeq(), 1);
      });

      it('treats the same id from different senders as different messages', async () => {
        const a = await store.append(msg('alice', '*', { id: 'x' }));
        const b = await store.append(msg('bob', '*', { id: 'x' }));
        assert.equal(b.duplicate, false);
        assert.notEqual(a.message.seq, b.message.seq);
      });

      it('keeps text, box and plain as given', async () => {
        await store.append({ from: 'alice', id: 'p', to: '*', ts: 5, text: 'hi', plain: true });
        await store.append({ from: 'alice', id: 'b', to: 'bob', ts: 6, box: { nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' } });
        const [plain, boxed] = await store.readMailbox('bob', 0, 10);
        assert.deepEqual({ ...plain }, { from: 'alice', id: 'p', to: '*', ts: 5, text: 'hi', plain: true, seq: 1 });
        assert.deepEqual({ ...boxed }, { from: 'alice', id: 'b', to: 'bob', ts: 6, box: { nonce: 'bm9uY2U=', ciphertext: 'Y2lwaGVy' }, seq: 2 });
      });
    });

    describe('readMailbox', () => {
      it('holds private messages to the user and messages to everyone except their own, oldest first', async () => {
        await store.append(msg('alice', '*')); // 1: bob yes, alice no
        await store.append(msg('alice', 'bob')); // 2: bob yes
        await store.append(msg('bob', '*')); // 3: bob no
        await store.append(msg('carol', 'alice')); // 4: bob no
        await store.append(msg('bob', 'alice')); // 5: bob no
        await store.append(msg('carol', 'bob')); // 6: bob yes
        await store.append(msg('carol', '*')); // 7: bob yes
        assert.deepEqual(seqs(await store.readMailbox('bob', 0, 100)), [1, 2, 6, 7]);
        assert.deepEqual(seqs(await store.readMailbox('alice', 0, 100)), [3, 4, 5, 7]);
        assert.deepEqual(seqs(await store.readMailbox('dave', 0, 100)), [1, 3, 7]);
      });

      it('returns only seq > afterSeq, at most limit, so it can be read in pages', async () => {
        for (let i = 0; i < 10; i++) await store.append(msg(i % 2 ? 'alice' : 'carol', i % 3 ? '*' : 'bob'));
        const pages: number[][] = [];
        let after = 0;
        for (;;) {
          const page = await store.readMailbox('bob', after, 3);
          if (page.length === 0) break;
          pages.push(seqs(page));
          after = page[page.length - 1].seq;
        }
        assert.deepEqual(pages, [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
          [10],
        ]);
        assert.deepEqual(seqs(await store.readMailbox('bob', 8, 100)), [9, 10]);
        assert.deepEqual(await store.readMailbox('bob', 10, 100), []);
      });
    });

    describe('readHistory', () => {
      it('pages messages to everyone newest first, each page oldest first, with more while older ones exist', async () => {
        for (let i = 0; i < 7; i++) await store.append(msg('alice', '*'));
        await store.append(msg('alice', 'bob'));
        const newest = await store.readHistory({ viewer: 'bob', with: '*', limit: 3 });
        assert.deepEqual(seqs(newest.messages), [5, 6, 7]);
        assert.equal(newest.more, true);
        const older = await store.readHistory({ viewer: 'bob', with: '*', before: 5, limit: 3 });
        assert.deepEqual(seqs(older.messages), [2, 3, 4]);
        assert.equal(older.more, true);
        const oldest = await store.readHistory({ viewer: 'bob', with: '*', before: 2, limit: 3 });
        assert.deepEqual(seqs(oldest.messages), [1]);
        assert.equal(oldest.more, false);
      });

      it('gives a private conversation in both directions between viewer and with only', async () => {
        await store.append(msg('alice', 'bob')); // 1
        await store.append(msg('bob', 'alice')); // 2
        await store.append(msg('alice', 'carol')); // 3
        await store.append(msg('alice', '*')); // 4
        await store.append(msg('carol', 'bob')); // 5
        await store.append(msg('bob', 'alice')); // 6
        assert.deepEqual(seqs((await store.readHistory({ viewer: 'alice', with: 'bob', limit: 10 })).messages), [1, 2, 6]);
        assert.deepEqual(seqs((await store.readHistory({ viewer: 'bob', with: 'alice', limit: 10 })).messages), [1, 2, 6]);
        const page = await store.readHistory({ viewer: 'bob', with: 'alice', before: 6, limit: 1 });
        assert.deepEqual(seqs(page.messages), [2]);
        assert.equal(page.more, true);
      });

      it('never shows a private conversation to a third user', async () => {
        await store.append(msg('alice', 'bob'));
        await store.append(msg('bob', 'alice'));
        assert.deepEqual((await store.readHistory({ viewer: 'carol', with: 'alice', limit: 10 })).messages, []);
        assert.deepEqual((await store.readHistory({ viewer: 'carol', with: 'bob', limit: 10 })).messages, []);
        assert.deepEqual((await store.readHistory({ viewer: 'carol', with: '*', limit: 10 })).messages, []);
      });
    });

    describe('users', () => {
      it('registers a newcomer with ackedSeq at the current head', async () => {
        await store.append(msg('alice', '*'));
        await store.append(msg('alice', '*'));
        const bob = await store.putUser({ name: 'bob', publicKey: 'a2V5' });
        assert.deepEqual(bob, { name: 'bob', publicKey: 'a2V5', ackedSeq: 2, historySince: 2 });
        assert.deepEqual(await store.listUsers(), [bob]);
      });

      it('starts a key bound to a keyless user afresh: no mailbox, no private history of the plain-text name', async () => {
        await store.putUser({ name: 'alice', publicKey: 'YQ==' });
        await store.putUser({ name: 'bob', publicKey: null });
        await store.append(msg('alice', 'bob', { id: 'secret' }));
        await store.append(msg('bob', 'alice', { id: 'reply', plain: true }));
        await store.append(msg('alice', '*', { id: 'all' }));
        await store.setAcked('bob', 1);
        const bound = await store.putUser({ name: 'bob', publicKey: 'a2V5' });
        assert.deepEqual(bound, { name: 'bob', publicKey: 'a2V5', ackedSeq: 3, historySince: 3 });
        assert.deepEqual(await store.listUsers(), [{ name: 'alice', publicKey: 'YQ==', ackedSeq: 0 }, bound].sort((a, b) => (a.name < b.name ? -1 : 1)));
        assert.deepEqual(await store.readMailbox('bob', bound.ackedSeq, 10), []);
        assert.deepEqual((await store.readHistory({ viewer: 'bob', with: 'alice', limit: 10 })), { messages: [], more: false });
        assert.deepEqual((await store.readHistory({ viewer: 'bob', with: '*', limit: 10 })).messages.map((m) => m.id), ['all']);
        // The other party keeps their side of it.
        assert.deepEqual((await store.readHistory({ viewer: 'alice', with: 'bob', limit: 10 })).messages.map((m) => m.id), ['secret', 'reply']);
        await store.append(msg('alice', 'bob', { id: 'after' }));
        assert.deepEqual((await store.readHistory({ viewer: 'bob', with: 'alice', limit: 1 })), { messages: [(await store.readMailbox('bob', 3, 10))[0]], more: false });
      });

      it('keeps a plain-text user\'s ack when it logs in again without a key', async () => {
        await store.putUser({ name: 'bob', publicKey: null });
        for (let i = 0; i < 3; i++) await store.append(msg('alice', '*'));
        await store.setAcked('bob', 1);
        assert.deepEqual(await store.putUser({ name: 'bob', publicKey: null }), { name: 'bob', publicKey: null, ackedSeq: 1 });
      });

      it('refuses a name bound to another key, or asked for without one, with NameTakenError naming the owner', async () => {
        const alice = await store.putUser({ name: 'alice', publicKey: 'YQ==' });
        for (const publicKey of ['Yg==', null]) {
          await assert.rejects(store.putUser({ name: 'alice', publicKey }), (error: unknown) => error instanceof NameTakenError && error.owner.publicKey === 'YQ==');
        }
        assert.deepEqual(await store.listUsers(), [alice]);
      });

      it('lists every registered user', async () => {
        await store.putUser({ name: 'alice', publicKey: 'YQ==' });
        await store.putUser({ name: 'bob', publicKey: null });
        const users = (await store.listUsers()).sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(users, [
          { name: 'alice', publicKey: 'YQ==', ackedSeq: 0 },
          { name: 'bob', publicKey: null, ackedSeq: 0 },
        ]);
      });

      it('deleteUser forgets the user and its ack; its messages stay in history; the name registers afresh', async () => {
        await store.putUser({ name: 'bob', publicKey: 'b2xk' });
        await store.append(msg('bob', '*'));
        await store.setAcked('bob', 1);
        await store.append(msg('alice', '*'));
        assert.equal(await store.deleteUser('bob'), true);
        assert.deepEqual(await store.listUsers(), []);
        assert.equal((await store.readHistory({ viewer: 'alice', with: '*', limit: 10 })).messages.length, 2);
        const again = await store.putUser({ name: 'bob', publicKey: 'bmV3' });
        assert.deepEqual(again, { name: 'bob', publicKey: 'bmV3', ackedSeq: 2, historySince: 2 });
      });

      it('deleteUser of an unknown name returns false', async () => {
        assert.equal(await store.deleteUser('nobody'), false);
      });
    });

    describe('setAcked', () => {
      it('never moves backwards', async () => {
        await store.putUser({ name: 'bob', publicKey: null });
        for (let i = 0; i < 5; i++) await store.append(msg('alice', '*'));
        await store.setAcked('bob', 4);
        await store.setAcked('bob', 2);
        assert.equal((await store.listUsers())[0].ackedSeq, 4);
        await store.setAcked('bob', 5);
        assert.equal((await store.listUsers())[0].ackedSeq, 5);
      });

      it('ignores unknown users', async () => {
        await store.append(msg('alice', '*'));
        await store.setAcked('ghost', 1);
        assert.deepEqual(await store.listUsers(), []);
      });
    });

    // Defined only for persistent stores: a memory store has nothing to reopen.
    roomSuite({ store: () => store, reopen: persistent ? reopen : undefined });
    referenceSuite({ store: () => store, reopen: persistent ? reopen : undefined });
    deviceSuite({ store: () => store, reopen: persistent ? reopen : undefined });

    if (persistent) describe('after reopening', () => {
      it('keeps where a key binding\'s private history starts', async () => {
        await store.putUser({ name: 'bob', publicKey: null });
        await store.append(msg('alice', 'bob', { id: 'for-the-plain-bob' }));
        const bound = await store.putUser({ name: 'bob', publicKey: 'a2V5' });
        await reopen();
        assert.deepEqual(await store.listUsers(), [bound]);
        assert.deepEqual((await store.readHistory({ viewer: 'bob', with: 'alice', limit: 10 })).messages, []);
      });

      it('keeps users, acks, messages, head and dedupe', async () => {
        await store.putUser({ name: 'alice', publicKey: 'YQ==' });
        await store.putUser({ name: 'bob', publicKey: null });
        await store.append(msg('alice', '*', { id: 'one' }));
        await store.append(msg('alice', 'bob', { id: 'two', box: { nonce: 'bg==', ciphertext: 'Yw==' }, text: undefined }));
        await store.append(msg('bob', 'alice', { id: 'three', plain: true }));
        await store.setAcked('bob', 2);
        await store.deleteUser('alice');
        const before = {
          users: await store.listUsers(),
          mailbox: await store.readMailbox('bob', 0, 10),
          history: await store.readHistory({ viewer: 'alice', with: 'bob', limit: 10 }),
        };
        await reopen();
        assert.equal(store.headSeq(), 3);
        assert.deepEqual(await store.listUsers(), before.users);
        assert.deepEqual(await store.readMailbox('bob', 0, 10), before.mailbox);
        assert.deepEqual(await store.readHistory({ viewer: 'alice', with: 'bob', limit: 10 }), before.history);
        const duplicate = await store.append(msg('alice', 'bob', { id: 'two' }));
        assert.deepEqual([duplicate.duplicate, duplicate.message.seq], [true, 2]);
        assert.equal((await store.append(msg('alice', '*'))).message.seq, 4);
      });
    });
  });
}
