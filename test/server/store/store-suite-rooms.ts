/**
 * The Store contract for rooms (PROTOCOL.md 20.2): room events build membership, a room message
 * reaches the members at its seq and nobody else, and all of it survives a reopen.
 */
import { strict as assert } from 'node:assert';
import type { ChatEvent } from '../../../src/protocol/room-frames';
import type { NewMessage, Store } from '../../../src/server/store/store';

export interface RoomSuiteContext {
  store(): Store;
  /** Closes and reopens the store on the same data; undefined for a store that keeps nothing. */
  reopen: (() => Promise<void>) | undefined;
}

export function roomSuite(context: RoomSuiteContext): void {
  describe('rooms', () => {
    let next = 0;
    const id = () => `r${++next}`;
    const event = (from: string, room: string, kind: ChatEvent['kind'], names: string[]): NewMessage => ({
      from,
      to: `#${room}`,
      id: id(),
      ts: 1700000000000 + next,
      event: {
        kind,
        names,
        ...(kind === 'created' ? { room: { room, kind: 'group' as const, encrypted: true, readOnly: false, owner: from, size: names.length + 1, member: true, seq: 0 } } : {}),
      },
    });
    const say = (from: string, to: string, text: string): NewMessage => ({ from, to, id: id(), ts: 1700000000000 + next, text });
    const texts = async (name: string, after = 0) =>
      (await context.store().readMailbox(name, after, 100)).map((m) => m.text ?? `<${m.event?.kind} ${m.event?.names.join(',')}>`);

    it('delivers a room message to its members at that seq, not the sender, and nobody else', async () => {
      const store = context.store();
      await store.append(event('alice', 'lab', 'created', ['bob']));
      await store.append(say('alice', '#lab', 'first'));
      await store.append(event('alice', 'lab', 'added', ['carol']));
      await store.append(say('bob', '#lab', 'second'));
      await store.append(event('alice', 'lab', 'removed', ['bob']));
      await store.append(say('carol', '#lab', 'third'));
      assert.deepEqual(await texts('alice'), ['<created bob>', '<added carol>', 'second', '<removed bob>', 'third']);
      assert.deepEqual(await texts('bob'), ['<created bob>', 'first', '<added carol>', '<removed bob>']);
      assert.deepEqual(await texts('carol'), ['<added carol>', 'second', '<removed bob>']);
      assert.deepEqual(await texts('dave'), []);
    });

    it('merges room mail with private and everyone mail in seq order, in pages', async () => {
      const store = context.store();
      await store.append(event('alice', 'team', 'created', ['bob']));
      await store.append(say('carol', 'bob', 'private'));
      await store.append(say('alice', '#team', 'room'));
      await store.append(say('carol', '*', 'everyone'));
      const all = await store.readMailbox('bob', 0, 100);
      assert.deepEqual(all.map((m) => m.text ?? m.event?.kind), ['created', 'private', 'room', 'everyone']);
      const firstTwo = await store.readMailbox('bob', 0, 2);
      assert.deepEqual(firstTwo.map((m) => m.seq), all.slice(0, 2).map((m) => m.seq));
      assert.deepEqual((await store.readMailbox('bob', all[1].seq, 100)).map((m) => m.seq), all.slice(2).map((m) => m.seq));
    });

    it('lists rooms with members and the seq each joined, and gives room history after a seq', async () => {
      const store = context.store();
      const created = await store.append(event('alice', 'study', 'created', ['bob']));
      await store.append(say('alice', '#study', 'before carol'));
      const joined = await store.append(event('carol', 'study', 'joined', []));
      await store.append(say('bob', '#study', 'after carol'));
      await store.append(event('bob', 'study', 'left', []));
      const [room] = await store.listRooms();
      assert.equal(room.name, 'study');
      assert.equal(room.owner, 'alice');
      assert.equal(room.createdSeq, created.message.seq);
      assert.deepEqual([...room.members], [['alice', created.message.seq], ['carol', joined.message.seq]]);
      const page = await store.readHistory({ viewer: 'carol', with: '#study', after: joined.message.seq - 1, limit: 50 });
      assert.deepEqual(page.messages.map((m) => m.text ?? m.event?.kind), ['joined', 'after carol', 'left']);
      assert.equal(page.more, false);
    });

    it('keeps roles by name, registered or not, and student removes one', async () => {
      const store = context.store();
      await store.setRole('mrs.k', 'teacher');
      await store.setRole('tim', 'ta');
      await store.setRole('ann', 'ta');
      await store.setRole('ann', 'student');
      assert.deepEqual([...(await store.listRoles())].sort(), [['mrs.k', 'teacher'], ['tim', 'ta']]);
      if (context.reopen) {
        await context.reopen();
        assert.deepEqual([...(await context.store().listRoles())].sort(), [['mrs.k', 'teacher'], ['tim', 'ta']]);
      }
    });

    it('keeps each user\'s block list, unblocking removes a name, and all of it survives a reopen', async () => {
      const store = context.store();
      assert.deepEqual(await store.listBlocks(), new Map());
      await store.setBlocked('alice', 'dave', true);
      await store.setBlocked('alice', 'erin', true);
      await store.setBlocked('alice', 'dave', true);
      await store.setBlocked('bob', 'dave', true);
      await store.setBlocked('bob', 'dave', false);
      await store.setBlocked('carol', 'nobody', false);
      const expected = new Map([['alice', new Set(['dave', 'erin'])]]);
      assert.deepEqual(await store.listBlocks(), expected);
      if (context.reopen) {
        await context.reopen();
        assert.deepEqual(await context.store().listBlocks(), expected);
      }
    });

    it('keeps what moderation events left in force, later ones winning, across a reopen', async () => {
      const store = context.store();
      const mod = (to: string, event: ChatEvent) => store.append({ from: 'mrs.k', to, id: id(), ts: 1, event });
      await mod('sam', { kind: 'muted', names: ['sam'], until: 5000 });
      await mod('tom', { kind: 'muted', names: ['tom'], until: 6000 });
      await mod('sam', { kind: 'unmuted', names: ['sam'] });
      await mod('troll', { kind: 'banned', names: ['troll'] });
      await mod('*', { kind: 'read_only', names: [], on: true });
      const expected = { mutes: new Map([['tom', 6000]]), banned: new Set(['troll']), readOnly: true };
      assert.deepEqual(await store.moderation(), expected);
      if (context.reopen) {
        await context.reopen();
        assert.deepEqual(await context.store().moderation(), expected);
      }
    });

    it('keeps held messages for a name until it registers, then puts them in its mailbox', async () => {
      const store = context.store();
      await store.putUser({ name: 'alice', publicKey: 'YQ==' });
      await store.append(say('alice', '*', 'before'));
      const held = await store.append({ ...say('alice', 'frank', 'for frank'), held: true });
      const ended = await store.append({ ...say('alice', 'gus', 'for gus'), held: true });
      await store.append({ from: 'server', to: 'alice', id: id(), ts: 1, event: { kind: 'undelivered', names: ['gus'], seq: ended.message.seq } });
      await store.append(say('alice', '*', 'after'));
      if (context.reopen) await context.reopen();
      const current = context.store();
      assert.deepEqual((await current.listHeld()).map((m) => m.seq), [held.message.seq]);
      const frank = await current.putUser({ name: 'frank', publicKey: 'Zg==' });
      assert.equal(frank.ackedSeq, held.message.seq - 1);
      assert.deepEqual((await current.readMailbox('frank', frank.ackedSeq, 10)).map((m) => m.text), ['for frank', 'after']);
      assert.deepEqual(await current.listHeld(), []);
      const gus = await current.putUser({ name: 'gus', publicKey: 'Zw==' });
      assert.deepEqual(await current.readMailbox('gus', gus.ackedSeq, 10), [], 'an ended held message is not delivered');
    });

    if (context.reopen) it('keeps rooms, membership and room mail across a reopen', async () => {
      const store = context.store();
      await store.append(event('alice', 'kept', 'created', ['bob', 'carol']));
      await store.append(say('alice', '#kept', 'hello'));
      await store.append(event('alice', 'kept', 'removed', ['carol']));
      await store.append(say('bob', '#kept', 'after'));
      const before = { rooms: await store.listRooms(), bob: await texts('bob'), carol: await texts('carol') };
      await context.reopen!();
      assert.deepEqual(await context.store().listRooms(), before.rooms);
      assert.deepEqual(await texts('bob'), before.bob);
      assert.deepEqual(await texts('carol'), before.carol);
    });
  });
}
