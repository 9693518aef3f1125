import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { isDataDirLocked, LOG_FILE, LogStore, LogStoreOptions, StoreFile } from '../../../src/server/store/log-store';
import { crc32, crc32Fallback, decodeRecord } from '../../../src/server/store/log-records';
import { openStoreFile } from '../../../src/server/store/store-file';
import { SEQ_FILE } from '../../../src/server/store/seq-reservation';
import type { NewMessage } from '../../../src/server/store/store';
import { storeSuite } from './store-suite';

storeSuite('LogStore', (dir) => new LogStore({ dataDir: dir }));

let counter = 0;
function msg(from: string, to: string, fields: Partial<NewMessage> = {}): NewMessage {
  counter++;
  return { from, to, id: `id${counter}`, ts: counter, text: `hello ${counter}`, ...fields };
}

function errnoError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** Opens files normally but lets a test fail or hold individual operations. */
class FaultyFiles {
  writes = 0;
  syncs = 0;
  failNextWrite: string | undefined;
  /** The next write to a file whose path ends with this fails with EIO. */
  failNextWriteOf: string | undefined;
  failNextSync: string | undefined;
  /** Opening a file whose path ends with this fails with ENOSPC. */
  failOpenOf: string | undefined;
  /** When set, a datasync on a file whose path ends with this waits for `release()`. */
  holdSyncOf: string | undefined;
  private held: Array<() => void> = [];
  private heldWaiters: Array<() => void> = [];

  readonly open = async (path: string, flags: number, mode: number): Promise<StoreFile> => {
    if (this.failOpenOf && path.endsWith(this.failOpenOf)) throw errnoError('ENOSPC');
    const real = await openStoreFile(path, flags, mode);
    return {
      readFile: () => real.readFile(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
      write: (buffer, offset, length, position) => {
        this.writes++;
        if (this.failNextWriteOf && path.endsWith(this.failNextWriteOf)) {
          this.failNextWriteOf = undefined;
          throw errnoError('EIO');
        }
        const code = this.failNextWrite;
        if (code) {
          this.failNextWrite = undefined;
          // Half the bytes reach the file before the failure, as with a real ENOSPC.
          real.write(buffer, offset, Math.ceil(length / 2), position);
          throw errnoError(code);
        }
        return real.write(buffer, offset, length, position);
      },
      datasync: async () => {
        this.syncs++;
        if (this.holdSyncOf && path.endsWith(this.holdSyncOf)) {
          await new Promise<void>((resolve) => {
            this.held.push(resolve);
            for (const waiter of this.heldWaiters.splice(0)) waiter();
          });
        }
        const code = this.failNextSync;
        if (code) {
          this.failNextSync = undefined;
          throw errnoError(code);
        }
        return real.datasync();
      },
    };
  };

  /** Resolves once some datasync is being held. */
  whenHeld(): Promise<void> {
    return this.held.length > 0 ? Promise.resolve() : new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  release(): void {
    this.holdSyncOf = undefined;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

describe('LogStore', function () {
  this.timeout(60000);
  let dir: string;
  const open: LogStore[] = [];
  let logLines: string[];

  async function openStore(options: Partial<LogStoreOptions> = {}): Promise<LogStore> {
    const store = new LogStore({ dataDir: dir, log: (line) => logLines.push(line), ...options });
    await store.open();
    open.push(store);
    return store;
  }

  async function closeStore(store: LogStore): Promise<void> {
    open.splice(open.indexOf(store), 1);
    await store.close();
  }

  const logFile = () => join(dir, LOG_FILE);
  const logText = async () => readFile(logFile(), 'utf8');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-logstore-'));
    logLines = [];
  });

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('file format', () => {
    it('creates a missing data directory with mode 0700 and writes one checksummed JSON record per line', async () => {
      dir = join(dir, 'nested', 'data');
      const store = await openStore();
      await store.putUser({ name: 'alice', publicKey: null });
      await store.append(msg('alice', '*', { text: 'line\nbreak \u2028 ünïcode' }));
      await store.setAcked('alice', 1);
      if (process.platform !== 'win32') assert.equal((await stat(dir)).mode & 0o777, 0o700);
      const lines = (await logText()).split('\n');
      assert.equal(lines.pop(), '');
      assert.equal(lines.length, 3);
      for (const line of lines) {
        assert.match(line, /^[0-9a-f]{8} \{"t":"/);
        assert.ok(decodeRecord(Buffer.from(line)).ok, line);
      }
    });

    it('computes the same CRC-32 in plain JavaScript as zlib', () => {
      for (const text of ['', 'a', 'hello world', '{"t":"msg"}', 'ünïcode ✓'.repeat(50)]) {
        assert.equal(crc32Fallback(Buffer.from(text)), zlib.crc32(Buffer.from(text)));
        // Records are checksummed as strings: the same as over the UTF-8 bytes written.
        assert.equal(crc32(text), crc32Fallback(Buffer.from(text, 'utf8')));
      }
    });
  });

  describe('group commit', () => {
    it('writes everything requested during a write with one write and one fsync, resolving in order', async () => {
      const files = new FaultyFiles();
      const store = await openStore({ openFile: files.open, ackDelayMs: 0 });
      await store.putUser({ name: 'alice', publicKey: null });
      const [writesBefore, syncsBefore] = [files.writes, files.syncs];
      const order: number[] = [];
      const pending = [];
      for (let i = 0; i < 50; i++) pending.push(store.append(msg('alice', '*')).then((r) => order.push(r.message.seq)));
      await Promise.all(pending);
      assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i + 1));
      // The first append goes alone; the other 49 waited and went together.
      assert.equal(files.writes - writesBefore, 2);
      assert.equal(files.syncs - syncsBefore, 2);
    });

    it("writes one user's acks of a burst as one record, after the ack delay, durably", async () => {
      const files = new FaultyFiles();
      const store = await openStore({ openFile: files.open, ackDelayMs: 50 });
      await store.putUser({ name: 'alice', publicKey: null });
      await store.putUser({ name: 'bob', publicKey: null });
      for (let i = 0; i < 20; i++) await store.append(msg('alice', 'bob'));
      const [writesBefore, syncsBefore] = [files.writes, files.syncs];
      const started = Date.now();
      const acks = [];
      for (let seq = 1; seq <= 20; seq++) acks.push(store.setAcked('bob', seq));
      acks.push(store.setAcked('alice', 20));
      await Promise.all(acks);
      assert.ok(Date.now() - started >= 45, 'waited for the ack delay');
      assert.equal(files.writes - writesBefore, 1, 'one write for every ack of the burst');
      assert.equal(files.syncs - syncsBefore, 1);
      assert.equal((await store.listUsers()).find((user) => user.name === 'bob')?.ackedSeq, 20);
      await closeStore(store);
      const reopened = await openStore();
      assert.equal((await reopened.listUsers()).find((user) => user.name === 'bob')?.ackedSeq, 20);
      assert.equal((await reopened.listUsers()).find((user) => user.name === 'alice')?.ackedSeq, 20);
      assert.equal(reopened.recovery.records, 2 + 20 + 2, 'two users, twenty messages, one ack each');
    });

    it('writes acks still waiting for their delay when it closes', async () => {
      const store = await openStore({ ackDelayMs: 60_000 });
      await store.putUser({ name: 'bob', publicKey: null });
      await store.append(msg('alice', 'bob'));
      const acked = store.setAcked('bob', 1);
      await closeStore(store);
      await acked;
      assert.equal((await (await openStore()).listUsers()).find((user) => user.name === 'bob')?.ackedSeq, 1);
    });

    it('registers many different names in shared group commits, and one name strictly in order', async () => {
      const files = new FaultyFiles();
      const store = await openStore({ openFile: files.open });
      const syncsBefore = files.syncs;
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.putUser({ name: `user${i}`, publicKey: null })));
      // Not one fsync per name: the first goes alone, the other 49 together.
      assert.equal(files.syncs - syncsBefore, 2);
      assert.equal((await store.listUsers()).length, 50);
      const [bound, removed, again] = await Promise.all([
        store.putUser({ name: 'user0', publicKey: 'YQ==' }),
        store.deleteUser('user0'),
        store.deleteUser('user0'),
      ]);
      assert.equal(bound.publicKey, 'YQ==');
      assert.deepEqual([removed, again], [true, false]);
    });

    it('lets readers see a message only once it is durable', async () => {
      const files = new FaultyFiles();
      const store = await openStore({ openFile: files.open });
      files.holdSyncOf = LOG_FILE;
      const appended = store.append(msg('alice', '*'));
      await files.whenHeld();
      assert.equal(store.headSeq(), 1);
      assert.deepEqual(await store.readMailbox('bob', 0, 10), []);
      files.release();
      await appended;
      assert.equal((await store.readMailbox('bob', 0, 10)).length, 1);
    });
  });

  describe('write failures', () => {
    it('rejects only the appends of a failed write, hides them, and keeps later appends working and the file clean', async () => {
      const files = new FaultyFiles();
      let store = await openStore({ openFile: files.open });
      await store.append(msg('alice', '*', { id: 'before' }));
      files.failNextWrite = 'ENOSPC';
      const failed = store.append(msg('alice', '*', { id: 'lost1' }));
      // Requested while the failing write is in flight: goes in the next group commit.
      const queued = store.append(msg('alice', 'bob', { id: 'queued' }));
      await assert.rejects(failed, { code: 'ENOSPC' });
      assert.equal((await queued).duplicate, false);
      files.failNextSync = 'EIO';
      await assert.rejects(store.append(msg('alice', '*', { id: 'unsynced' })), { code: 'EIO' });
      const after = await store.append(msg('alice', 'bob', { id: 'after' }));
      assert.equal(after.duplicate, false);
      const retried = await store.append(msg('alice', '*', { id: 'lost1' }));
      assert.equal(retried.duplicate, false, 'a failed message was never stored, so its resend is new');
      const visible = (await store.readMailbox('bob', 0, 10)).map((m) => m.id);
      assert.deepEqual(visible, ['before', 'queued', 'after', 'lost1']);

      await closeStore(store);
      store = await openStore();
      assert.deepEqual(store.recovery, { records: 4, droppedTornTail: false, droppedCorrupt: 0 });
      assert.deepEqual((await store.readMailbox('bob', 0, 10)).map((m) => m.id), ['before', 'queued', 'after', 'lost1']);
      assert.ok(store.headSeq() >= 4);
    });

    it('rejects a duplicate of an append whose write failed', async () => {
      const files = new FaultyFiles();
      const store = await openStore({ openFile: files.open });
      files.failNextWrite = 'ENOSPC';
      const first = store.append(msg('alice', '*', { id: 'x' }));
      const second = store.append(msg('alice', '*', { id: 'x' }));
      await assert.rejects(first, { code: 'ENOSPC' });
      await assert.rejects(second, { code: 'ENOSPC' });
      assert.equal((await store.append(msg('alice', '*', { id: 'x' }))).duplicate, false);
    });
  });

  describe('recovery', () => {
    async function storeWithFiveMessages(): Promise<number> {
      const store = await openStore();
      await store.putUser({ name: 'bob', publicKey: null });
      for (let i = 1; i <= 5; i++) await store.append(msg('alice', 'bob', { id: `m${i}` }));
      await closeStore(store);
      return (await stat(logFile())).size;
    }

    it('cuts off a record torn before its newline, keeps every earlier one, and appends after it', async () => {
      const size = await storeWithFiveMessages();
      const lastLine = (await logText()).split('\n').slice(-2)[0];
      await appendFile(logFile(), lastLine.slice(0, Math.floor(lastLine.length / 2)));
      let store = await openStore();
      assert.deepEqual(store.recovery, { records: 6, droppedTornTail: true, droppedCorrupt: 0 });
      assert.equal((await stat(logFile())).size, size);
      assert.ok(logLines.some((line) => line.includes('cut off')));
      assert.deepEqual((await store.readMailbox('bob', 0, 10)).map((m) => m.id), ['m1', 'm2', 'm3', 'm4', 'm5']);
      await store.append(msg('alice', 'bob', { id: 'm6' }));
      await closeStore(store);
      store = await openStore();
      assert.equal(store.recovery.droppedTornTail, false);
      assert.deepEqual((await store.readMailbox('bob', 0, 10)).map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
    });

    it('cuts off a garbled last line that has a newline', async () => {
      const size = await storeWithFiveMessages();
      await appendFile(logFile(), '0badc0de {"t":"msg","seq":\n');
      const store = await openStore();
      assert.equal(store.recovery.droppedTornTail, true);
      assert.equal(store.recovery.droppedCorrupt, 0);
      assert.equal((await stat(logFile())).size, size);
      assert.equal(store.headSeq(), 5);
    });

    it('skips a corrupt line in the middle, keeps all others, and reports its line number', async () => {
      await storeWithFiveMessages();
      const bytes = await readFile(logFile());
      const lines = bytes.toString('utf8').split('\n');
      // Line 4 holds m3 (line 1 is bob). Flip one byte of its text.
      const start = lines.slice(0, 3).join('\n').length + 1;
      const at = bytes.indexOf('hello', start);
      bytes[at] ^= 0x20;
      await writeFile(logFile(), bytes);
      const store = await openStore();
      assert.deepEqual(store.recovery, { records: 5, droppedTornTail: false, droppedCorrupt: 1 });
      assert.ok(logLines.some((line) => /line 4\b.*checksum mismatch/.test(line)), logLines.join('\n'));
      assert.ok(logLines.some((line) => /kept 5 records \(\d+ bytes\), dropped 1 \(\d+ bytes\)/.test(line)), logLines.join('\n'));
      assert.deepEqual((await store.readMailbox('bob', 0, 10)).map((m) => m.id), ['m1', 'm2', 'm4', 'm5']);
      assert.equal(store.headSeq(), 5);
      assert.equal((await store.append(msg('alice', 'bob'))).message.seq, 6);
    });
  });

  describe('compaction', () => {
    it('rewrites a mostly acknowledged log: the file shrinks, users, acks, head and recent history survive a reopen', async () => {
      let store = await openStore({ compactMinRecords: 40, historyLimit: 5 });
      await store.putUser({ name: 'alice', publicKey: 'YQ==' });
      await store.putUser({ name: 'bob', publicKey: null });
      // 2 user records + 20 × (message + ack) = 42 records, compacted once at 40.
      for (let i = 0; i < 20; i++) {
        await store.append(msg('alice', i % 2 ? '*' : 'bob'));
        await store.setAcked('bob', store.headSeq());
      }
      // Compaction runs beside the writes: wait for its outcome.
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compacted 40 records')), logLines.join('\n'));
      const lines = (await logText()).trim().split('\n').length;
      assert.ok(lines <= 12, `${lines} lines after compaction`);
      const history = await store.readHistory({ viewer: 'bob', with: '*', limit: 100 });
      assert.deepEqual(
        history.messages.map((m) => m.seq),
        [16, 18, 20],
      );
      assert.equal(history.more, false);
      const users = await store.listUsers();
      assert.deepEqual(users.map((u) => [u.name, u.ackedSeq]), [
        ['alice', 0],
        ['bob', 20],
      ]);

      await closeStore(store);
      store = await openStore({ compactMinRecords: 40, historyLimit: 5 });
      assert.deepEqual(store.recovery, { records: lines, droppedTornTail: false, droppedCorrupt: 0 });
      assert.equal(store.headSeq(), 20);
      assert.deepEqual(await store.listUsers(), users);
      assert.deepEqual(await store.readHistory({ viewer: 'bob', with: '*', limit: 100 }), history);
      assert.equal((await store.append(msg('alice', '*'))).message.seq, 21);
    });

    it('keeps where a key binding\'s private history starts through compaction', async () => {
      let store = await openStore({ compactMinRecords: 20, historyLimit: 5 });
      await store.putUser({ name: 'alice', publicKey: 'YQ==' });
      await store.putUser({ name: 'bob', publicKey: null });
      await store.append(msg('alice', 'bob', { id: 'to-plain-bob' }));
      const bound = await store.putUser({ name: 'bob', publicKey: 'a2V5' });
      for (let i = 0; i < 20; i++) {
        await store.append(msg('alice', '*'));
        await store.setAcked('bob', store.headSeq());
      }
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      await closeStore(store);
      store = await openStore({ compactMinRecords: 20, historyLimit: 5 });
      assert.equal(bound.historySince, 1);
      assert.equal((await store.listUsers()).find((user) => user.name === 'bob')?.historySince, 1);
      await closeStore(store);
    });

    it('keeps block lists through compaction', async () => {
      let store = await openStore({ compactMinRecords: 20, historyLimit: 5 });
      await store.putUser({ name: 'alice', publicKey: 'YQ==' });
      await store.setBlocked('alice', 'dave', true);
      await store.setBlocked('alice', 'erin', true);
      await store.setBlocked('alice', 'erin', false);
      for (let i = 0; i < 20; i++) {
        await store.append(msg('alice', '*'));
        await store.setAcked('alice', store.headSeq());
      }
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      await closeStore(store);
      store = await openStore({ compactMinRecords: 20, historyLimit: 5 });
      assert.deepEqual(await store.listBlocks(), new Map([['alice', new Set(['dave'])]]));
      await closeStore(store);
    });

    it('keeps every message a recipient has not acknowledged, however old, and forgets dedupe for dropped ones', async () => {
      const store = await openStore({ compactMinRecords: 20, historyLimit: 0 });
      await store.putUser({ name: 'alice', publicKey: null });
      await store.putUser({ name: 'bob', publicKey: null });
      await store.putUser({ name: 'carol', publicKey: null }); // never acknowledges
      const first = await store.append(msg('alice', 'bob', { id: 'first-to-bob' }));
      for (let i = 0; i < 40; i++) {
        await store.append(msg(i % 4 === 0 ? 'bob' : 'alice', i % 4 === 0 ? 'carol' : i % 4 === 1 ? '*' : 'bob'));
        await store.setAcked('alice', store.headSeq());
        await store.setAcked('bob', store.headSeq());
      }
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      // Carol still has all 20 messages meant for her (10 private, 10 to everyone).
      assert.equal((await store.readMailbox('carol', 0, 100)).length, 20);
      // Bob's acknowledged private message is gone, and with it its dedupe entry.
      const bobHistory = await store.readHistory({ viewer: 'alice', with: 'bob', limit: 100 });
      assert.ok(!bobHistory.messages.some((m) => m.seq === first.message.seq));
      assert.equal((await store.append(msg('alice', 'bob', { id: 'first-to-bob' }))).duplicate, false);
    });

    /** Appends and acknowledges until a compaction starts; it is then held at its fsync. */
    async function holdACompaction(store: LogStore, files: FaultyFiles): Promise<void> {
      await store.putUser({ name: 'bob', publicKey: null });
      files.holdSyncOf = '.compact';
      let compacting = false;
      const held = files.whenHeld().then(() => {
        compacting = true;
      });
      while (!compacting) {
        await Promise.race([store.append(msg('alice', 'bob')), held]);
        await Promise.race([store.setAcked('bob', store.headSeq()), held]);
      }
    }

    it('does not hold appends while it compacts; what was written meanwhile is in the compacted log, in order', async () => {
      const files = new FaultyFiles();
      let store = await openStore({ compactMinRecords: 20, historyLimit: 2, openFile: files.open });
      await holdACompaction(store, files);
      const head = store.headSeq();
      const ids = Array.from({ length: 30 }, (_, i) => `during${i}`);
      // The compaction's fsync is held: appends still complete, each durable, in seq order.
      const during = await Promise.all(ids.map((id, i) => store.append(msg('alice', i % 2 ? 'bob' : '*', { id }))));
      assert.deepEqual(
        during.map((r) => r.message.seq),
        ids.map((_, i) => head + 1 + i),
      );
      assert.ok(!logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      const beforeSwitch = (await stat(logFile())).size;
      files.release();
      await store.settled();
      const report = logLines.map((line) => /compacted (\d+) records to (\d+) \(\+ (\d+) written meanwhile\)/.exec(line)).find(Boolean);
      assert.ok(report, logLines.join('\n'));
      assert.ok(Number(report[3]) >= 30, report[0]);
      assert.ok((await stat(logFile())).size < beforeSwitch, 'the log shrank');
      assert.deepEqual((await readdir(dir)).sort(), ['LOCK', LOG_FILE, SEQ_FILE]);
      assert.deepEqual((await store.readMailbox('bob', head, 100)).map((m) => m.id), ids);
      assert.equal((await store.append(msg('alice', 'bob', { id: 'during0' }))).duplicate, true, 'the dedupe window survives the switch');

      await closeStore(store);
      store = await openStore();
      assert.equal(store.recovery.droppedCorrupt, 0);
      assert.deepEqual((await store.readMailbox('bob', head, 100)).map((m) => m.id), ids);
      assert.equal(store.headSeq(), head + 30);
    });

    it('keeps the current log, with everything in it, when the switch fails', async () => {
      const files = new FaultyFiles();
      let store = await openStore({ compactMinRecords: 20, historyLimit: 2, openFile: files.open });
      await holdACompaction(store, files);
      const head = store.headSeq();
      const during = await store.append(msg('alice', 'bob', { id: 'meanwhile' }));
      // The snapshot is written (its fsync was held); adding what came meanwhile fails.
      files.failNextWriteOf = '.compact';
      files.release();
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compaction failed')), logLines.join('\n'));
      assert.ok(!logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      assert.deepEqual((await readdir(dir)).sort(), ['LOCK', LOG_FILE, SEQ_FILE]);
      const after = await store.append(msg('alice', 'bob', { id: 'after' }));
      assert.equal(after.message.seq, head + 2);

      await closeStore(store);
      store = await openStore();
      assert.deepEqual((await store.readMailbox('bob', head, 100)).map((m) => [m.id, m.seq]), [
        ['meanwhile', during.message.seq],
        ['after', head + 2],
      ]);
    });

    it('keeps using the current log when compaction fails, and compacts later', async () => {
      const files = new FaultyFiles();
      let store = await openStore({ compactMinRecords: 10, historyLimit: 0, openFile: files.open });
      await store.putUser({ name: 'bob', publicKey: null });
      files.failOpenOf = '.compact';
      for (let i = 0; i < 12; i++) {
        await store.append(msg('alice', 'bob', { id: `early${i}` }));
        await store.setAcked('bob', store.headSeq());
      }
      await store.settled();
      assert.ok(logLines.some((line) => line.includes('compaction failed')), logLines.join('\n'));
      assert.equal((await store.readHistory({ viewer: 'bob', with: 'alice', limit: 100 })).messages.length, 12);
      files.failOpenOf = undefined;
      for (let i = 0; i < 20 && !logLines.some((line) => line.includes('compacted')); i++) {
        await store.append(msg('alice', 'bob'));
        await store.setAcked('bob', store.headSeq());
        await store.settled();
      }
      assert.ok(logLines.some((line) => line.includes('compacted')), logLines.join('\n'));
      const head = store.headSeq();
      await closeStore(store);
      store = await openStore();
      assert.equal(store.headSeq(), head);
      assert.equal(store.recovery.droppedCorrupt, 0);
    });
  });

  describe('scale', () => {
    it('reads a 100,000-message mailbox in pages, and 200 users each read one new message', async () => {
      const store = await openStore({ compactMinRecords: 1_000_000 });
      const pending = [];
      for (let i = 0; i < 100_000; i++) pending.push(store.append(msg(`u${i % 200}`, i % 3 ? '*' : `u${(i + 1) % 200}`)));
      await Promise.all(pending);
      let after = 0;
      let read = 0;
      for (;;) {
        const page = await store.readMailbox('latecomer', after, 500);
        if (page.length === 0) break;
        read += page.length;
        after = page[page.length - 1].seq;
      }
      assert.equal(read, 66_666);
      const head = store.headSeq();
      await store.append(msg('teacher', '*'));
      for (let u = 0; u < 200; u++) assert.equal((await store.readMailbox(`u${u}`, head, 100)).length, 1);
    });
  });

  describe('lock', () => {
    let child: ChildProcess | undefined;
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      child = undefined;
    });

    it('refuses to open a directory held by a live process, and takes the lock over once it is killed', async () => {
      const modulePath = join(__dirname, '../../../src/server/store/log-store.js');
      const script = `
        const { LogStore } = require(${JSON.stringify(modulePath)});
        const store = new LogStore({ dataDir: ${JSON.stringify(dir)} });
        store.open().then(() => store.append({ from: 'child', id: 'c1', to: '*', ts: 1, text: 'from the child' }))
          .then(() => process.stdout.write('ready\\n'));
        setInterval(() => {}, 1000);`;
      const holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      child = holder;
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        holder.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
      });
      assert.equal(isDataDirLocked(dir), holder.pid);
      const refused = new LogStore({ dataDir: dir });
      await assert.rejects(refused.open(), new RegExp(`data directory .* is in use by process ${holder.pid}`));

      holder.kill('SIGKILL');
      await once(holder, 'exit');
      assert.equal(isDataDirLocked(dir), undefined, 'a dead holder leaves a stale lock');
      const store = await openStore();
      assert.equal((await readFile(join(dir, 'LOCK'), 'utf8')).trim(), String(process.pid));
      assert.deepEqual((await store.readMailbox('me', 0, 10)).map((m) => m.text), ['from the child']);
      await closeStore(store);
      assert.ok(!(await readdir(dir)).includes('LOCK'), 'close removes the lock');
    });

    it('refuses a second open of the same directory in this process', async () => {
      await openStore();
      await assert.rejects(new LogStore({ dataDir: dir }).open(), /already open in this process/);
    });
  });

  describe('lifecycle', () => {
    it('close waits for writes in flight; later calls reject; a reopen has everything', async () => {
      let store = await openStore();
      const pending = Array.from({ length: 10 }, () => store.append(msg('alice', '*')));
      await closeStore(store);
      assert.equal((await Promise.all(pending)).length, 10);
      await assert.rejects(store.append(msg('alice', '*')), /closed/);
      await assert.rejects(store.readMailbox('bob', 0, 10), /closed/);
      await assert.rejects(store.close(), /closed/);
      store = await openStore();
      assert.equal((await store.readMailbox('bob', 0, 100)).length, 10);
    });

    it('rejects a message that could not be read back, without using a seq', async () => {
      const store = await openStore();
      await assert.rejects(store.append(msg('alice', '*', { ts: Number.NaN })), /cannot be stored/);
      assert.equal(store.headSeq(), 0);
    });
  });
});
