/**
 * LogStore erases a deleted message's bytes from disk (PROTOCOL.md 20.5): the log is rewritten at
 * once, again when a delete lands while a rewrite is under way, and at the next open when the
 * rewrite could not run before the store stopped.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore, LogStoreOptions } from '../../../src/server/store/log-store';
import { COMPACT_FILE } from '../../../src/server/store/log-compaction';
import { openStoreFile } from '../../../src/server/store/store-file';
import type { NewMessage } from '../../../src/server/store/store';

/** Whether any file in the directory holds `text` (as UTF-8 bytes). */
async function onDisk(dir: string, text: string): Promise<boolean> {
  for (const name of await readdir(dir)) if ((await readFile(join(dir, name))).includes(Buffer.from(text, 'utf8'))) return true;
  return false;
}

describe('LogStore: erasing deleted messages from disk', () => {
  let dir: string;
  let store: LogStore;
  let next = 0;
  const say = (text: string): NewMessage => ({ from: 'alice', to: '*', id: `e${++next}`, ts: 1700000000000 + next, text });
  const remove = (seq: number): NewMessage => ({ from: 'alice', to: '*', id: `e${++next}`, ts: 1700000000000 + next, ref: { seq, rel: 'delete' } });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-erase-'));
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(options: Partial<LogStoreOptions> = {}): Promise<LogStore> {
    store = new LogStore({ dataDir: dir, ...options });
    await store.open();
    return store;
  }

  it('rewrites the log at once, so the deleted text and its edit are nowhere in the data directory, also after a reopen', async () => {
    await openStore();
    const target = (await store.append(say('my phone number is 555-0199'))).message;
    await store.append({ ...say('my number: 555-0142'), ref: { seq: target.seq, rel: 'edit' } });
    await store.append(say('kept words'));
    assert.equal(await onDisk(dir, '555-0199'), true);
    await store.append(remove(target.seq));
    await store.settled();
    assert.deepEqual([await onDisk(dir, '555-0199'), await onDisk(dir, '555-0142'), await onDisk(dir, 'kept words')], [false, false, true]);
    await store.close();
    await openStore();
    assert.deepEqual((await store.findBySeq(target.seq))?.deleted?.by, 'alice');
    assert.equal(await onDisk(dir, '555-0199'), false);
  });

  it('rewrites again when a delete is committed while a rewrite is being written', async () => {
    let releaseSnapshot: () => void = () => undefined;
    const snapshotHeld = new Promise<void>((resolve) => (releaseSnapshot = resolve));
    let snapshotStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (snapshotStarted = resolve));
    let held = false;
    await openStore({
      openFile: async (path, flags, mode) => {
        const file = await openStoreFile(path, flags, mode);
        if (!path.endsWith(COMPACT_FILE) || held) return file;
        held = true;
        // The first rewrite's snapshot waits on its fsync until the test has committed another delete.
        return { ...file, datasync: async () => (snapshotStarted(), await snapshotHeld, file.datasync()) };
      },
    });
    const first = (await store.append(say('first secret'))).message;
    const second = (await store.append(say('second secret'))).message;
    await store.append(remove(first.seq));
    await started;
    await store.append(remove(second.seq));
    releaseSnapshot();
    await store.settled();
    assert.deepEqual([await onDisk(dir, 'first secret'), await onDisk(dir, 'second secret')], [false, false]);
  });

  it('rewrites at open when the rewrite after a delete failed before the store stopped', async () => {
    await openStore({
      openFile: async (path, flags, mode) => {
        if (path.endsWith(COMPACT_FILE)) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
        return openStoreFile(path, flags, mode);
      },
    });
    const target = (await store.append(say('left behind'))).message;
    await store.append(remove(target.seq));
    await store.settled();
    assert.equal(await onDisk(dir, 'left behind'), true, 'the failed rewrite left the bytes');
    await store.close();
    await openStore();
    await store.settled();
    assert.equal(await onDisk(dir, 'left behind'), false);
  });
});
