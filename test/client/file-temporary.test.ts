/**
 * A download's temporary file cannot be hijacked by another local user who can write in the
 * download folder: a symlink planted at its name (the old predictable one, or any guessed one)
 * is never followed, so nothing outside the folder is written.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileOfferView } from '../../src/client';
import { createTemporaryFile } from '../../src/client/file-temporary';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet } from './helpers/client-fleet';

describe('download temporary files', function () {
  this.timeout(20_000);
  let work: string;
  let inbox: string;
  let victim: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'classchat-temporary-'));
    inbox = join(work, 'inbox');
    await mkdir(inbox);
    victim = join(work, 'victim.txt');
    await writeFile(victim, 'precious');
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('skips a name where a symlink was planted, to an existing or a missing file, and writes nothing through it', async () => {
    const missing = join(work, 'created-through-link');
    await symlink(victim, join(inbox, 'guess-1'));
    await symlink(missing, join(inbox, 'guess-2'));
    const names = ['guess-1', 'guess-2', 'fresh'];
    const { path, handle } = await createTemporaryFile(inbox, () => names.shift()!);
    try {
      assert.equal(path, join(inbox, 'fresh'));
      await handle.write(Buffer.from('received'), 0, 8, 0);
    } finally {
      await handle.close();
    }
    assert.equal(await readFile(victim, 'utf8'), 'precious');
    await assert.rejects(lstat(missing), { code: 'ENOENT' });
    assert.ok((await lstat(path)).isFile());
    assert.equal(((await lstat(path)).mode & 0o777).toString(8), '600');
  });

  it('gives up rather than open an existing name when every name it tries is taken', async () => {
    await symlink(victim, join(inbox, 'taken'));
    await assert.rejects(
      createTemporaryFile(inbox, () => 'taken'),
      (error: NodeJS.ErrnoException) => error.code === 'EEXIST' || error.code === 'ELOOP',
    );
    assert.equal(await readFile(victim, 'utf8'), 'precious');
  });

  describe('through a real transfer', () => {
    let server: TestServer;
    let fleet: ClientFleet;

    beforeEach(async () => {
      server = await startTestServer({ rateLimit: false });
      fleet = new ClientFleet(() => server.port);
    });

    afterEach(async () => {
      await fleet.closeAll();
      await server.close();
    });

    it('does not write through a symlink planted at the old predictable name', async () => {
      const alice = await fleet.online('alice');
      const bob = await fleet.online('bob');
      const bytes = randomBytes(3000);
      const offered = new Promise<FileOfferView>((resolve) => bob.once('fileOffer', resolve));
      await writeFile(join(work, 'data.bin'), bytes);
      await alice.sendFile('bob', join(work, 'data.bin'));
      const offer = await offered;
      // The name downloads used to take, known to anyone who saw the offer's file id.
      await symlink(victim, join(inbox, `.classchat-${offer.file}.part`));
      const download = await bob.acceptFile(offer.file, inbox);
      const path = await download.done;
      assert.equal(await readFile(victim, 'utf8'), 'precious', 'the file outside the inbox is untouched');
      assert.ok((await lstat(path)).isFile(), 'the saved file is a regular file, not a link');
      assert.deepEqual(await readFile(path), bytes);
      assert.deepEqual((await readdir(inbox)).sort(), [`.classchat-${offer.file}.part`, 'data.bin']);
    });
  });
});
