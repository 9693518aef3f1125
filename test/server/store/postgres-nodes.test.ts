import { strict as assert } from 'node:assert';
import { PostgresStore } from '../../../src/server/store/postgres/postgres-store';
import type { NewMessage, StoredMessage } from '../../../src/server/store/store';
import { TestPostgres } from '../../helpers/postgres';

/** Two PostgresStores on one database, as two server nodes use it. */
describe('PostgresStore: two nodes on one database', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let databases = 0;
  const stores: PostgresStore[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  });
  after(async () => {
    await pg?.stop();
  });

  async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
    const url = await pg.createDatabase(`nodes${++databases}`);
    const a = new PostgresStore({ url, node: 'a' });
    const b = new PostgresStore({ url, node: 'b' });
    stores.push(a, b);
    await a.open();
    await b.open();
    return [a, b];
  }

  let next = 0;
  const say = (from: string, to: string, fields: Partial<NewMessage> = {}): NewMessage => ({ from, to, id: `m${++next}`, ts: 1700000000000 + next, text: `text ${next}`, ...fields });

  it('appending on both at once gives distinct seqs that a mailbox reader sees in order, none missed', async () => {
    const [a, b] = await twoNodes();
    // A reader polling the way a session pumps: after its cursor, in pages.
    const seen: StoredMessage[] = [];
    let writing = true;
    const reader = (async () => {
      for (let round = 0; round < 100_000; round++) {
        const stillWriting = writing;
        const page = await a.readMailbox('carol', seen.length > 0 ? seen[seen.length - 1].seq : 0, 50);
        for (const message of page) {
          const last = seen[seen.length - 1];
          assert.ok(!last || message.seq > last.seq, `seq ${message.seq} after ${last?.seq}`);
          seen.push(message);
        }
        if (!stillWriting && page.length === 0) return;
      }
      throw new Error('the reader never caught up');
    })();
    const appends: Promise<{ message: StoredMessage }>[] = [];
    for (let i = 0; i < 200; i++) {
      appends.push(a.append(say('alice', i % 2 ? '*' : 'carol')), b.append(say('bob', i % 3 ? 'carol' : '*')));
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await Promise.all(appends);
    writing = false;
    await reader;
    const stored = results.map((r) => r.message.seq).sort((x, y) => x - y);
    assert.equal(new Set(stored).size, 400, 'every append got its own seq');
    assert.deepEqual(seen.map((m) => m.seq), stored, 'the reader saw every message once, in seq order');
    assert.deepEqual(seen.map((m) => m.id), [...results].sort((x, y) => x.message.seq - y.message.seq).map((r) => r.message.id));
  });

  it('a resend to the other node is a duplicate, and two nodes storing one (from, id) at once store it once', async () => {
    const [a, b] = await twoNodes();
    const first = await a.append(say('alice', 'bob', { id: 'once' }));
    const again = await b.append(say('alice', 'bob', { id: 'once', text: 'resent' }));
    assert.deepEqual([again.duplicate, again.message.seq, again.message.text], [true, first.message.seq, first.message.text]);
    const [x, y] = await Promise.all([a.append(say('alice', 'bob', { id: 'race' })), b.append(say('alice', 'bob', { id: 'race' }))]);
    assert.deepEqual([x.duplicate || y.duplicate, x.duplicate && y.duplicate, x.message.seq === y.message.seq], [true, false, true]);
    assert.deepEqual((await b.readMailbox('bob', 0, 10)).map((m) => m.id), ['once', 'race']);
  });

  it("files a room message for members added on the other node", async () => {
    const [a, b] = await twoNodes();
    await b.append(say('bob', 'carol', { id: 'warm-up' })); // b's writer has read the rooms already
    const created = { kind: 'created' as const, names: ['carol'], room: { room: 'lab', kind: 'group' as const, encrypted: false, readOnly: false, owner: 'alice', size: 2, member: true, seq: 0 } };
    await a.append(say('alice', '#lab', { text: undefined, event: created }));
    const posted = await b.append(say('alice', '#lab', { id: 'in-room' }));
    assert.deepEqual((await a.readMailbox('carol', posted.message.seq - 1, 10)).map((m) => m.id), ['in-room']);
  });

  it('opens two nodes at once on an empty database, migrating it once', async () => {
    const url = await pg.createDatabase(`nodes${++databases}`);
    const both = [new PostgresStore({ url, node: 'a' }), new PostgresStore({ url, node: 'b' })];
    stores.push(...both);
    await Promise.all(both.map((store) => store.open()));
    const stored = await both[1].append(say('alice', '*'));
    assert.equal(stored.message.seq, 1);
  });

  it('keeps acks within the database head and starts a new user at it', async () => {
    const [a, b] = await twoNodes();
    const stored = await a.append(say('alice', '*'));
    const bob = await b.putUser({ name: 'bob', publicKey: null });
    assert.equal(bob.ackedSeq, stored.message.seq);
    await b.setAcked('bob', 1000);
    assert.equal((await a.listUsers()).find((u) => u.name === 'bob')?.ackedSeq, stored.message.seq);
  });
});
