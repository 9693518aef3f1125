/**
 * LogStore under compactions that run beside commits: random appends and acks, issued without
 * waiting for each other while fsyncs take random time, with the thresholds set so that the log
 * is compacted again and again. What the running store shows must be what a reopened one shows,
 * and no message a recipient has not acknowledged may be lost.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { LogStore } from '../../../src/server/store/log-store';
import { openStoreFile, StoreFile } from '../../../src/server/store/store-file';

const USERS = ['ann', 'ben', 'cat'];
/** A room of ann and ben, created before the operations; cat is not in it. */
const ROOM = '#lab';
const ROOM_MEMBERS = ['ann', 'ben'];
const RECIPIENTS = [...USERS, '*', ROOM];

type Operation = { kind: 'append'; from: string; to: string; id: string } | { kind: 'ack'; user: string; behind: number } | { kind: 'wait' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), from: fc.constantFrom(...USERS), to: fc.constantFrom(...RECIPIENTS), id: fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `m${i}`)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), user: fc.constantFrom(...USERS), behind: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wait' as const }) },
);

/** Files whose fsyncs take 0-2 ms, so that a compaction's slices and commits interleave differently each run. */
function slowSyncs(delays: number[]): (path: string, flags: number, mode: number) => Promise<StoreFile> {
  let next = 0;
  return async (path, flags, mode) => {
    const real = await openStoreFile(path, flags, mode);
    return {
      ...real,
      datasync: async () => {
        const delay = delays[next++ % delays.length];
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        await real.datasync();
      },
    };
  };
}

/** Everything a reader can see: users with their acks, each mailbox from its ack, the group's history. */
async function observe(store: LogStore): Promise<unknown> {
  const users = await store.listUsers();
  const mailboxes = await Promise.all(users.map(async (user) => (await store.readMailbox(user.name, user.ackedSeq, 10_000)).map((m) => `${m.seq}:${m.from}:${m.id}`)));
  const history = (await store.readHistory({ viewer: 'ann', with: '*', limit: 10_000 })).messages.map((m) => m.seq);
  const roomHistory = (await store.readHistory({ viewer: 'ann', with: ROOM, limit: 10_000 })).messages.map((m) => m.seq);
  return { head: store.headSeq(), users, mailboxes, history, roomHistory, rooms: await store.listRooms(), moderation: await store.moderation() };
}

describe('LogStore with compactions beside commits', function () {
  this.timeout(120_000);

  it('shows after a reopen exactly what it showed before, and keeps every message not yet acknowledged', async () => {
    let compactions = 0;
    let withWritesMeanwhile = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 80, maxLength: 200 }), fc.array(fc.nat(2), { minLength: 1, maxLength: 8 }), async (operations, delays) => {
        const dir = await mkdtemp(join(tmpdir(), 'classchat-compaction-'));
        const log = (line: string) => {
          if (line.includes('compacted')) compactions++;
          if (/\(\+ [1-9]\d* written meanwhile\)/.test(line)) withWritesMeanwhile++;
        };
        const options = { dataDir: dir, compactMinRecords: 6, historyLimit: 2, ackDelayMs: 0, log, openFile: slowSyncs(delays) };
        let store = new LogStore(options);
        try {
          await store.open();
          for (const name of USERS) await store.putUser({ name, publicKey: null });
          await store.append({ from: 'ann', to: ROOM, id: 'created', ts: 1, event: { kind: 'created', names: ['ben'] } });
          const appended: Array<{ to: string; from: string; seq: number }> = [];
          let lastSeq = 0;
          let pending: Array<Promise<unknown>> = [];
          for (const op of operations) {
            if (op.kind === 'append') {
              // Some appends are moderation events, so compaction must keep what they left in force.
              const event = op.id === 'm1' ? { kind: 'muted' as const, names: [op.to], until: 9 } : op.id === 'm2' ? { kind: 'unmuted' as const, names: [op.to] } : undefined;
              const message = { from: op.from, to: op.to, id: op.id, ts: 1, ...(event ? { event } : { text: op.id }) };
              pending.push(
                store.append(message).then((result) => {
                  if (result.duplicate) return;
                  assert.ok(result.message.seq > lastSeq, 'sequence numbers rise in commit order');
                  lastSeq = result.message.seq;
                  appended.push({ to: op.to, from: op.from, seq: result.message.seq });
                }),
              );
            } else if (op.kind === 'ack') {
              pending.push(store.setAcked(op.user, store.headSeq() - op.behind));
            } else {
              await Promise.all(pending);
              pending = [];
            }
          }
          await Promise.all(pending);
          await store.settled();

          const users = new Map((await store.listUsers()).map((user) => [user.name, user.ackedSeq]));
          for (const message of appended) {
            const recipients =
              message.to === '*' || message.to === ROOM
                ? message.to === ROOM && !ROOM_MEMBERS.includes(message.from)
                  ? [] // a non-member's message to a room reaches nobody
                  : (message.to === ROOM ? ROOM_MEMBERS : USERS).filter((name) => name !== message.from)
                : message.to === message.from
                  ? []
                  : [message.to];
            for (const name of recipients) {
              if (message.seq <= users.get(name)!) continue;
              const mailbox = await store.readMailbox(name, message.seq - 1, 1);
              assert.equal(mailbox[0]?.seq, message.seq, `${name} still has message ${message.seq}`);
            }
          }
          const before = await observe(store);
          await store.close();
          store = new LogStore({ ...options, openFile: openStoreFile });
          await store.open();
          assert.deepEqual(await observe(store), before);
          assert.equal(store.recovery.droppedCorrupt, 0);
        } finally {
          await store.close().catch(() => {});
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
    // The runs must exercise the case this is about: records committed while a compaction ran.
    assert.ok(compactions >= 30 && withWritesMeanwhile >= 10, `${compactions} compactions, ${withWritesMeanwhile} with writes meanwhile`);
  });
});
