/** Issue 14 item 18: a seq once handed out is never handed out again, even if the log loses records. */
import { strict as assert } from 'node:assert';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_FILE, LogStore } from '../../../src/server/store/log-store';
import { SEQ_BLOCK, SEQ_FILE } from '../../../src/server/store/seq-reservation';
import { openStoreFile } from '../../../src/server/store/store-file';

describe('LogStore seq reservation (classchat.seq)', () => {
  let dir: string;
  let counter = 0;
  const message = () => ({ from: 'alice', to: 'bob', id: `m${++counter}`, ts: counter, text: `hello ${counter}` });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-seq-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands out a seq above every seq issued before, after an older copy of the log is restored', async () => {
    const store = new LogStore({ dataDir: dir });
    await store.open();
    await store.append(message());
    await store.append(message());
    await copyFile(join(dir, LOG_FILE), join(dir, 'backup.log'));
    let issued = 0;
    for (let i = 0; i < 3; i++) issued = (await store.append(message())).message.seq;
    await store.close();

    await copyFile(join(dir, 'backup.log'), join(dir, LOG_FILE));
    const restored = new LogStore({ dataDir: dir });
    await restored.open();
    try {
      assert.ok(restored.headSeq() >= issued);
      const next = (await restored.append(message())).message.seq;
      assert.ok(next > issued, `seq ${next} was already issued (up to ${issued})`);
    } finally {
      await restored.close();
    }
  });

  it('refuses to open with a clear error when classchat.seq is damaged, and opens once it is repaired', async () => {
    const store = new LogStore({ dataDir: dir });
    await store.open();
    await store.append(message());
    await store.close();
    for (const damaged of ['', '{"reserved":', '{"reserved":-1}', '{"reserved":"12"}', 'garbage']) {
      await writeFile(join(dir, SEQ_FILE), damaged);
      await assert.rejects(new LogStore({ dataDir: dir }).open(), (error: Error) => error.message.includes(`${SEQ_FILE} is damaged`) && error.message.includes('will not start'), JSON.stringify(damaged));
    }
    await writeFile(join(dir, SEQ_FILE), '{"reserved":5000}\n');
    const repaired = new LogStore({ dataDir: dir });
    await repaired.open();
    try {
      assert.equal((await repaired.append(message())).message.seq, 5001);
    } finally {
      await repaired.close();
    }
  });

  it('writes the reservation once per block of seqs, not once per message', async () => {
    let reservations = 0;
    const store = new LogStore({
      dataDir: dir,
      openFile: (path, flags, mode) => {
        if (path.endsWith(`${SEQ_FILE}.tmp`)) reservations++;
        return openStoreFile(path, flags, mode);
      },
    });
    await store.open();
    const total = 2.5 * SEQ_BLOCK;
    for (let sent = 0; sent < total; sent += 100) await Promise.all(Array.from({ length: 100 }, () => store.append(message())));
    await store.close();
    assert.ok(reservations >= 1 && reservations <= Math.ceil(total / SEQ_BLOCK) + 1, `${reservations} reservations for ${total} messages`);
    const onDisk = JSON.parse(await readFile(join(dir, SEQ_FILE), 'utf8')) as { reserved: number };
    assert.ok(onDisk.reserved >= total);
  });
});
