import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSeenStore, SeenSaver, seenPathFor, SeenStore } from '../../src/client/seen-store';
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
    assert.equal(await new FileSeenStore(store.path).load(), 42);
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
  });

  it('says so when the file is damaged', async () => {
    const path = join(dir, 'bob.seen.json');
    for (const body of ['not json', '{"format":"classchat-seen-v1","lastSeenSeq":-1}', '{"lastSeenSeq":3}']) {
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
