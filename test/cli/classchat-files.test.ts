/** File transfer from the terminal: the built `classchat` against the real server, with CLIs and ChatClients on the other side. */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient, FileOfferView } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { startTestServer, TestServer } from '../helpers/test-server';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { CutProxy } from '../client/helpers/proxy';
import { until } from '../client/helpers/wait';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('classchat file transfer with the real server', function () {
  this.timeout(30_000);
  let server: TestServer;
  let home: string;
  let work: string;
  let clis: CliProcess[];
  let clients: ChatClient[];

  async function start(maxFileBytes?: number): Promise<void> {
    server = await startTestServer({ rateLimit: false, ...(maxFileBytes ? { fileLimits: { maxFileBytes } } : {}) });
  }

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'classchat-cli-files-'));
    work = join(home, 'work');
    await mkdir(work);
    clis = [];
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clis.map(stopCli));
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await rm(home, { recursive: true, force: true });
  });

  function run(...args: string[]): CliProcess {
    const cli = spawnCli(['--port', String(server.port), ...args], { CLASSCHAT_HOME: join(home, 'keys-home') });
    clis.push(cli);
    return cli;
  }

  async function client(name: string): Promise<ChatClient> {
    const chat = new ChatClient({ host: '127.0.0.1', port: server.port, name, keyStore: new MemoryKeyStore() });
    chat.on('error', () => undefined);
    clients.push(chat);
    await chat.connect();
    return chat;
  }

  async function file(name: string, bytes: Buffer): Promise<string> {
    const path = join(work, name);
    await writeFile(path, bytes);
    return path;
  }

  async function folder(name: string): Promise<string> {
    const dir = join(home, name);
    await mkdir(dir);
    return dir;
  }

  /** Registers `name` through the CLI (so its key file exists for later CLI runs). */
  async function register(name: string): Promise<void> {
    const cli = run('send', '--name', name, '--to', 'all', `${name} is here`);
    assert.equal(await cli.exited, 0, cli.stderr());
  }

  it('send-file uploads to an online bob, prints progress, exits 0; bob gets identical bytes', async () => {
    await start();
    const bob = await client('bob');
    const inbox = await folder('inbox');
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const path = await file('lecture notes.bin', bytes);
    const saved = new Promise<string>((resolve, reject) =>
      bob.once('fileOffer', (offer: FileOfferView) => {
        assert.equal(offer.name, 'lecture notes.bin');
        bob.acceptFile(offer.file, inbox).then((download) => download.done.then(resolve), reject);
      }),
    );
    const alice = run('send-file', '--name', 'alice', '--to', 'bob', path);
    assert.equal(await alice.exited, 0, alice.stderr());
    const out = alice.stdout();
    // Not a terminal: one line per tenth reached, ending at 100%, with sizes and a rate.
    assert.match(out, /sending lecture notes\.bin to bob 100%  3\.0 MiB of 3\.0 MiB  \d+\.\d MiB\/s\n/);
    assert.ok(out.split('\n').filter((line) => line.startsWith('sending ')).length <= 11, out);
    assert.match(out, /sent lecture notes\.bin \(3\.0 MiB\) to bob: (bob received it|the server holds it until bob accepts it \(bob is online\))\n$/);
    assert.equal(sha256(await readFile(await saved)), sha256(bytes));
  });

  it('send-file to an offline bob is stored; bob\'s CLI shows the offer at login and /accept saves identical bytes', async () => {
    await start();
    await register('bob');
    const bytes = randomBytes(200_000);
    const path = await file('report.pdf', bytes);
    const alice = run('send-file', '--name', 'alice', '--to', 'bob', path, await file('empty.txt', Buffer.alloc(0)));
    assert.equal(await alice.exited, 0, alice.stderr());
    assert.match(alice.stdout(), /sent report\.pdf \(195 KiB\) to bob: the server holds it until bob accepts it \(bob is offline\)/);
    assert.match(alice.stdout(), /sent empty\.txt \(0 B\) to bob/);

    const downloads = await folder('downloads');
    const bob = run('--name', 'bob', '--download-dir', downloads);
    await bob.waitForOutput(/\* alice offers report\.pdf \(195 KiB\) — \/accept 1 \[dir\] or \/decline 1\n/);
    await bob.waitForOutput(/\* alice offers empty\.txt \(0 B\) — \/accept 2 \[dir\] or \/decline 2\n/);
    bob.type('/accept 1');
    await bob.waitForOutput(/\* saved #1 report\.pdf from alice to .*report\.pdf\n/, 10_000);
    assert.match(bob.stdout(), /#1 receiving report\.pdf from alice 100%/);
    assert.equal(sha256(await readFile(join(downloads, 'report.pdf'))), sha256(bytes));
    bob.type('/quit');
    assert.equal(await bob.exited, 0);

    // The offer of empty.txt was shown (and acknowledged) but not answered: the next session shows it again.
    const again = run('--name', 'bob', '--download-dir', downloads);
    await again.waitForOutput(/\* alice offers empty\.txt \(0 B\) — \/accept 1 \[dir\] or \/decline 1\n/);
    again.type('/accept 1');
    await again.waitForOutput(/\* saved #1 empty\.txt from alice/, 10_000);
    assert.equal((await readFile(join(downloads, 'empty.txt'))).length, 0);
    assert.doesNotMatch(again.stdout(), /report\.pdf/, 'a received file is not offered again');
    again.type('/quit');
    assert.equal(await again.exited, 0);
  });

  it('/send and /accept between two interactive CLIs: quoted path with spaces, /files, identical bytes, never overwriting', async () => {
    await start();
    await register('bob');
    const downloads = await folder('bob files');
    await writeFile(join(downloads, 'week 3 notes.txt'), 'already here');
    const bob = run('--name', 'bob', '--download-dir', downloads);
    await bob.waitForOutput(/connected to .* as bob/);
    const alice = run('--name', 'alice');
    await alice.waitForOutput(/connected to .* as alice/);

    const bytes = randomBytes(1024 * 1024);
    const path = await file('week 3 notes.txt', bytes);
    alice.type(`/send bob "${path}"`);
    await alice.waitForOutput(/\* sending week 3 notes\.txt \(1\.0 MiB\) to bob as #1/);
    await alice.waitForOutput(/\* sent week 3 notes\.txt \(#1\): the server holds it until bob accepts it/, 10_000);
    await bob.waitForOutput(/\* alice offers week 3 notes\.txt \(1\.0 MiB\) — \/accept 1/);
    bob.type('/files');
    await bob.waitForOutput(/#1 ← alice {2}week 3 notes\.txt {2}1\.0 MiB {2}\(id \S+\) {2}offered: \/accept 1 or \/decline 1/);
    bob.type('/accept 1');
    await bob.waitForOutput(/\* saved #1 week 3 notes\.txt from alice to .*week 3 notes \(1\)\.txt\n/, 10_000);
    await alice.waitForOutput(/\* #1 week 3 notes\.txt to bob: bob received it/);
    assert.equal(sha256(await readFile(join(downloads, 'week 3 notes (1).txt'))), sha256(bytes));
    // Progress lines on both sides, ending at 100%.
    assert.match(alice.stdout(), / {2}#1 sending week 3 notes\.txt to bob 100% {2}1\.0 MiB of 1\.0 MiB/);
    assert.match(bob.stdout(), / {2}#1 receiving week 3 notes\.txt from alice 100% {2}1\.0 MiB of 1\.0 MiB/);
    assert.equal(await readFile(join(downloads, 'week 3 notes.txt'), 'utf8'), 'already here');
    alice.type('/files');
    await alice.waitForOutput(/#1 → bob {2}week 3 notes\.txt {2}1\.0 MiB {2}\(id \S+\) {2}bob received it/);
  });

  it('/decline tells the sender; /cancel by the sender withdraws the offer from bob', async () => {
    await start();
    await register('bob');
    const downloads = await folder('downloads');
    const bob = run('--name', 'bob', '--download-dir', downloads);
    await bob.waitForOutput(/connected to .* as bob/);
    const alice = run('--name', 'alice');
    await alice.waitForOutput(/connected to .* as alice/);

    alice.type(`/send bob ${await file('unwanted.txt', Buffer.from('no thanks'))}`);
    await bob.waitForOutput(/alice offers unwanted\.txt \(9 B\) — \/accept 1/);
    bob.type('/decline 1');
    await bob.waitForOutput(/\* declined #1 unwanted\.txt from alice/);
    // Declined during the upload or after it: either way alice reads that bob declined.
    await alice.waitForOutput(/#1 unwanted\.txt(?: to bob: declined by bob|: bob declined the file)\n/, 10_000);

    alice.type(`/send bob ${await file('oops.txt', Buffer.from('wrong file'))}`);
    await bob.waitForOutput(/alice offers oops\.txt \(10 B\) — \/accept 2/);
    await alice.waitForOutput(/\* sent oops\.txt \(#2\)/);
    alice.type('/cancel 2');
    await alice.waitForOutput(/\* cancelled #2 oops\.txt/);
    await bob.waitForOutput(/\* #2 oops\.txt from alice: cancelled by alice/, 10_000);
    bob.type('/accept 2');
    await bob.waitForOutput(/! #2 oops\.txt: cancelled by alice/);
    bob.type('/accept 9');
    await bob.waitForOutput(/! there is no file #9 in this session; \/files lists them/);
    assert.deepEqual(await readdir(downloads), []);
  });

  it('the receiver can /cancel a download in progress: no file is left, the sender is told', async () => {
    await start();
    await register('bob');
    // alice uploads through a proxy that drops her connection at the first acknowledgement of
    // 10+ chunks and then refuses her: the server holds part of the file (the window is 64 of its
    // 256 chunks), so bob's download stops part-way until alice is back.
    const proxy = await CutProxy.start(server.port);
    proxy.cutWhen = (chunk) => {
      const acked = [...chunk.toString('latin1').matchAll(/"file_ack"[^\n]*?"index":(\d+)|"index":(\d+)[^\n]*?"file_ack"/g)];
      if (!acked.some((match) => Number(match[1] ?? match[2]) >= 10)) return false;
      proxy.refuse = true;
      return true;
    };
    try {
      const alice = new ChatClient({ host: '127.0.0.1', port: proxy.port, name: 'alice', keyStore: new MemoryKeyStore() });
      alice.on('error', () => undefined);
      clients.push(alice);
      await alice.connect();
      const downloads = await folder('downloads');
      const bob = run('--name', 'bob', '--download-dir', downloads);
      await bob.waitForOutput(/connected to .* as bob/);
      const upload = await alice.sendFile('bob', await file('big.bin', randomBytes(16 * 1024 * 1024)));
      const ended = upload.done.then(
        () => 'finished',
        (error: Error) => error.message,
      );
      await bob.waitForOutput(/alice offers big\.bin \(16 MiB\) — \/accept 1/);
      await until(() => proxy.refuse, 'the proxy to cut alice off');
      bob.type('/accept 1');
      await bob.waitForOutput(/#1 receiving big\.bin from alice +\d+%/, 10_000);
      bob.type('/files');
      await bob.waitForOutput(/#1 ← alice {2}big\.bin {2}16 MiB {2}\(id \S+\) {2}receiving \d+%/);
      bob.type('/cancel 1');
      await bob.waitForOutput(/! #1 big\.bin: you cancelled big\.bin/, 10_000);
      // alice comes back: her upload learns that bob cancelled it.
      proxy.refuse = false;
      assert.equal(await ended, 'bob cancelled the transfer');
      assert.deepEqual(await readdir(downloads), [], 'no partial or temporary file is left');
    } finally {
      await proxy.close();
    }
  });

  it('send-file rides out a dropped connection, then exits 1 saying bob declined the file', async () => {
    await start();
    const bob = await client('bob');
    // The proxy cuts the CLI off part-way through the upload and refuses it until bob has declined.
    const proxy = await CutProxy.start(server.port);
    proxy.cutWhen = (chunk) => {
      if (!/"file_ack"/.test(chunk.toString('latin1'))) return false;
      proxy.refuse = true;
      return true;
    };
    try {
      const offered = new Promise<FileOfferView>((resolve) => bob.once('fileOffer', resolve));
      const alice = spawnCli(['--port', String(proxy.port), 'send-file', '--name', 'alice', '--to', 'bob', await file('big.bin', randomBytes(16 * 1024 * 1024))], {
        CLASSCHAT_HOME: join(home, 'keys-home'),
      });
      clis.push(alice);
      const offer = await offered;
      await until(() => proxy.refuse, 'the proxy to cut the upload');
      bob.declineFile(offer.file);
      await new Promise((resolve) => bob.once('fileState', resolve));
      proxy.refuse = false;
      assert.equal(await alice.exited, 1);
      assert.match(alice.stderr(), /classchat: big\.bin: bob declined the file\n/);
    } finally {
      await proxy.close();
    }
  });

  describe('send-file errors: a clear message and a non-zero exit', () => {
    it('a missing file, a directory, an unknown user, a file over the server\'s limit', async () => {
      await start(64 * 1024);
      await client('bob');
      const missing = run('send-file', '--name', 'alice', '--to', 'bob', join(work, 'nope.pdf'));
      assert.equal(await missing.exited, 1);
      assert.match(missing.stderr(), /classchat: cannot read .*nope\.pdf: no such file\n/);

      const directory = run('send-file', '--name', 'alice', '--to', 'bob', work);
      assert.equal(await directory.exited, 1);
      assert.match(directory.stderr(), /is a directory; send-file sends files/);

      const small = await file('small.txt', Buffer.from('fine'));
      const nobody = run('send-file', '--name', 'alice', '--to', 'nobody', small);
      assert.equal(await nobody.exited, 1);
      assert.match(nobody.stderr(), /there is no user named nobody on this server/);

      const big = run('send-file', '--name', 'alice', '--to', 'bob', await file('big.bin', randomBytes(100 * 1024)));
      assert.equal(await big.exited, 1);
      assert.match(big.stderr(), /classchat: big\.bin is 102400 bytes; this server accepts files up to 65536 bytes/);
      assert.doesNotMatch(big.stdout(), /sending/);

      const usage = run('send-file', '--name', 'alice', '--to', 'bob');
      assert.equal(await usage.exited, 2);
      assert.match(usage.stderr(), /send-file needs at least one file/);
    });

    it('interactive /send of a missing file or to an unknown user says so and keeps the session', async () => {
      await start(64 * 1024);
      await client('bob');
      const alice = run('--name', 'alice');
      await alice.waitForOutput(/connected to .* as alice/);
      alice.type(`/send bob ${join(work, 'missing file.txt')}`);
      await alice.waitForOutput(/! could not send .*missing file\.txt to bob: cannot read .*: no such file/);
      alice.type(`/send bob ${await file('big.bin', randomBytes(100 * 1024))}`);
      await alice.waitForOutput(/! could not send .*big\.bin to bob: big\.bin is 102400 bytes; this server accepts files up to 65536 bytes/);
      alice.type(`/send carol ${await file('a.txt', Buffer.from('a'))}`);
      await alice.waitForOutput(/! there is no user named carol; \/who lists the class/);
      alice.type('/files');
      await alice.waitForOutput(/\* no file transfers/);
      alice.type('/quit');
      assert.equal(await alice.exited, 0);
    });
  });
});
