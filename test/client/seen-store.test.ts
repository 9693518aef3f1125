import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSeenStore, MemorySeenStore, SeenSaver, seenPathFor, SeenStore } from '../../src/client/seen-store';
import { FakeClock } from './helpers/fake-clock';

describe('seen store', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'classchat-seen-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps the seq in a file only its owner can read, next to the key file', async () => {
    assert.equal(seenPathFor('/k/alice.json'), '/k/alice.seen.json');
    const store = new FileSeenStore(join(dir, 'alice.seen.json'));
    assert.equal(await store.load(), undefined);
    await store.save(42);
    assert.deepEqual(await new FileSeenStore(store.path).load(), { lastSeenSeq: 42 });
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
  });

  it('keeps the recent message ids per sender with the seq, and reads a file that has none', async () => {
    const path = join(dir, 'alice.seen.json');
    const recentIds: Array<[string, string[]]> = [['__proto__', ['a1']], ['bob', ['b1', 'b2']]];
    await new FileSeenStore(path).save(7, recentIds);
    assert.deepEqual(await new FileSeenStore(path).load(), { lastSeenSeq: 7, recentIds });
    await writeFile(path, '{"format":"classchat-seen-v1","lastSeenSeq":3}', { mode: 0o600 });
    assert.deepEqual(await new FileSeenStore(path).load(), { lastSeenSeq: 3 });
    const memory = new MemorySeenStore();
    await memory.save(8, recentIds);
    assert.deepEqual(await memory.load(), { lastSeenSeq: 8, recentIds });
  });

  it('says so when the file is damaged', async () => {
    const path = join(dir, 'bob.seen.json');
    const damaged = ['not json', '{"format":"classchat-seen-v1","lastSeenSeq":-1}', '{"lastSeenSeq":3}', '{"format":"classchat-seen-v1","lastSeenSeq":3,"recentIds":{"bob":["b1"]}}'];
    for (const body of damaged) {
      await writeFile(path, body, { mode: 0o600 });
      await assert.rejects(new FileSeenStore(path).load(), /not a ClassChat seen file/);
    }
  });

  it('saves at most once per interval, the newest seq, and everything on flush', async () => {
    const saves: number[] = [];
    const store: SeenStore = { load: async () => undefined, save: async (seq) => void saves.push(seq) };
    const clock = new FakeClock();
    const saver = new SeenSaver(store, clock, (error) => assert.fail(error), 1000);
    saver.changed(1);
    saver.changed(2);
    assert.deepEqual(saves, []);
    clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(saves, [2]);
    saver.changed(3);
    await saver.flush();
    await saver.flush();
    assert.deepEqual(saves, [2, 3]);
  });
});
