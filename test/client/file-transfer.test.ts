/**
 * File transfer through the real server: exact bytes for edge sizes and a large random file,
 * resumption after either side drops, store-and-forward across a restart, tampering, hostile
 * names, limits refused before any upload, and cancel/decline leaving no files behind.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatClient, FileOfferView } from '../../src/client';
import { ChatClientError } from '../../src/client/errors';
import { FILE_PLAIN_CHUNK } from '../../src/crypto/file-stream';
import { ClassChatError } from '../../src/protocol/errors';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet } from './helpers/client-fleet';
import { LineProxy } from './helpers/line-proxy';
import { CutProxy } from './helpers/proxy';
import { until } from './helpers/wait';

function isCode(code: string) {
  return (error: unknown) => (error instanceof ClassChatError || error instanceof ChatClientError) && error.code === code;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every state the server reports for a transfer, from now on. */
function recordStates(transfer: { on(event: 'state', listener: (state: string, by: string | undefined) => void): unknown }): string[] {
  const seen: string[] = [];
  transfer.on('state', (state, by) => seen.push(by ? `${state} by ${by}` : state));
  return seen;
}

/** Polls an async probe until it holds (bounded). */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function nextOffer(client: ChatClient): Promise<FileOfferView> {
  return new Promise((resolve) => client.once('fileOffer', resolve));
}

describe('file transfer (real server)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let fleet: ClientFleet;
  let work: string;
  let port: () => number;

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    port = () => server.port;
    fleet = new ClientFleet(() => port());
    work = await mkdtemp(join(tmpdir(), 'classchat-files-'));
  });

  afterEach(async () => {
    await fleet.closeAll();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  async function source(name: string, bytes: Buffer): Promise<string> {
    const path = join(work, name);
    await writeFile(path, bytes);
    return path;
  }

  async function inbox(name: string): Promise<string> {
    const dir = join(work, `inbox-${name}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    return dir;
  }

  /** Server spool entries (ciphertext parts) still on disk. */
  async function spoolParts(): Promise<string[]> {
    return (await readdir(join(server.dataDir, 'files'))).filter((entry) => entry.endsWith('.part'));
  }

  for (const size of [0, 1, FILE_PLAIN_CHUNK, FILE_PLAIN_CHUNK + 1, 3 * FILE_PLAIN_CHUNK + 17]) {
    it(`delivers exactly the same ${size} bytes to an online classmate`, async () => {
      const alice = await fleet.online('alice');
      const bob = await fleet.online('bob');
      const bytes = randomBytes(size);
      const offered = nextOffer(bob);
      const upload = await alice.sendFile('bob', await source('data.bin', bytes));
      const states = recordStates(upload);
      const offer = await offered;
      assert.equal(offer.name, 'data.bin');
      assert.equal(offer.size, size);
      assert.equal(offer.from, 'alice');
      const dir = await inbox('bob');
      const download = await bob.acceptFile(offer.file, dir);
      const [path, uploaded] = await Promise.all([download.done, upload.done]);
      assert.ok(uploaded === 'uploaded' || uploaded === 'delivered');
      assert.equal(path, join(dir, 'data.bin'));
      assert.equal(sha256(await readFile(path)), sha256(bytes));
      assert.deepEqual(await readdir(dir), ['data.bin'], 'no temporary file left');
      await until(() => states.includes('delivered by bob'), 'the sender to hear of the delivery');
      assert.deepEqual(await spoolParts(), [], 'the server deletes its copy once delivered');
    });
  }

  it('moves 50 MiB of random data intact, with progress on both sides', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    const bytes = randomBytes(50 * 1024 * 1024);
    const offered = nextOffer(bob);
    const upload = await alice.sendFile('bob', await source('big.bin', bytes));
    const uploadProgress: number[] = [];
    upload.on('progress', (progress) => uploadProgress.push(progress.bytes));
    const download = await bob.acceptFile((await offered).file, await inbox('bob'));
    const downloadProgress: number[] = [];
    download.on('progress', (progress) => downloadProgress.push(progress.bytes));
    const path = await download.done;
    assert.equal(sha256(await readFile(path)), sha256(bytes));
    await upload.done;
    assert.equal(downloadProgress.at(-1), bytes.length);
    assert.ok(downloadProgress.length > 100 && downloadProgress.every((value, index) => index === 0 || value >= downloadProgress[index - 1]));
    assert.ok(uploadProgress.length > 10 && uploadProgress.at(-1) === bytes.length);
  });

  it('resumes when the receiver is cut off half-way, and the file is still exact', async () => {
    const proxy = await CutProxy.start(server.port);
    try {
      const alice = await fleet.online('alice');
      const bob = fleet.client('bob', { port: proxy.port });
      await bob.connect();
      await fleet.heardOf('bob');
      const bytes = randomBytes(4 * 1024 * 1024);
      const offered = nextOffer(bob);
      await alice.sendFile('bob', await source('resume.bin', bytes));
      const download = await bob.acceptFile((await offered).file, await inbox('bob'));
      let chunks = 0;
      proxy.cutWhen = (chunk) => (chunk.includes('"file_bytes"') || chunk.includes('"file_chunk"')) && ++chunks === 20;
      const path = await download.done;
      assert.equal(proxy.cuts, 1, 'the connection was cut once mid-transfer');
      assert.equal(sha256(await readFile(path)), sha256(bytes));
    } finally {
      await proxy.close();
    }
  });

  it('resumes when the sender is cut off half-way', async () => {
    const proxy = await CutProxy.start(server.port);
    try {
      const alice = fleet.client('alice', { port: proxy.port });
      await alice.connect();
      const bob = await fleet.online('bob');
      // 256 chunks: the server acknowledges in batches of 32 as it fsyncs, so the cut at the second ack falls early.
      const bytes = randomBytes(16 * 1024 * 1024);
      let acks = 0;
      proxy.cutWhen = (chunk) => chunk.includes('"file_ack"') && ++acks === 2;
      const offered = nextOffer(bob);
      const upload = await alice.sendFile('bob', await source('resume.bin', bytes));
      assert.equal(await upload.done, 'uploaded');
      assert.equal(proxy.cuts, 1);
      const download = await bob.acceptFile((await offered).file, await inbox('bob'));
      assert.equal(sha256(await readFile(await download.done)), sha256(bytes));
    } finally {
      await proxy.close();
    }
  });

  it('stores a file for an offline classmate across a server restart and offers it at login', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    await bob.close();
    const bytes = randomBytes(700_000);
    const upload = await alice.sendFile('bob', await source('notes.pdf', bytes));
    assert.equal(await upload.done, 'uploaded');
    await alice.close();
    await server.stop();
    const dataDir = server.dataDir;
    server = await startTestServer({ dataDir, rateLimit: false });
    const bobAgain = fleet.client('bob');
    const offered = nextOffer(bobAgain);
    await bobAgain.connect();
    const offer = await offered;
    assert.equal(offer.name, 'notes.pdf');
    const download = await bobAgain.acceptFile(offer.file, await inbox('bob'));
    assert.equal(sha256(await readFile(await download.done)), sha256(bytes));
    // A later session still lists it, now delivered.
    const listed = await bobAgain.listFiles();
    assert.equal(listed.find((file) => file.file === offer.file)?.state, 'delivered');
  });

  it('lists a pending offer after the receiver restarts, and accepts it from the list', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    const offered = nextOffer(bob);
    const upload = await alice.sendFile('bob', await source('later.txt', Buffer.from('read me later')));
    await Promise.all([offered, upload.done]);
    await bob.close();
    const bobAgain = await fleet.online('bob');
    const [pending] = await bobAgain.listFiles();
    assert.equal(pending.name, 'later.txt');
    assert.equal(pending.state, 'uploaded');
    const download = await bobAgain.acceptFile(pending.file, await inbox('bob'));
    assert.equal((await readFile(await download.done)).toString(), 'read me later');
  });

  for (const binaryChunks of [true, false]) it(`rejects a tampered chunk and leaves no file behind (${binaryChunks ? 'raw' : 'base64'} chunks)`, async () => {
    const proxy = await LineProxy.start(server.port);
    try {
      const alice = await fleet.online('alice');
      const bob = fleet.client('bob', { port: proxy.port, binaryChunks });
      await bob.connect();
      await fleet.heardOf('bob');
      let tampered = 0;
      proxy.rewrite = (line) => {
        if (!line.includes('"file_chunk"') || !line.includes('"index":2,')) return line;
        const frame = JSON.parse(line) as { data: string };
        const data = Buffer.from(frame.data, 'base64');
        data[100] ^= 0x01;
        tampered++;
        return JSON.stringify({ ...frame, data: data.toString('base64') });
      };
      proxy.rewriteBytes = (bytes, header) => {
        if (header.index !== 2) return bytes;
        bytes[100] ^= 0x01;
        tampered++;
        return bytes;
      };
      const offered = nextOffer(bob);
      const upload = await alice.sendFile('bob', await source('x.bin', randomBytes(5 * FILE_PLAIN_CHUNK)));
      const states = recordStates(upload);
      const dir = await inbox('bob');
      const download = await bob.acceptFile((await offered).file, dir);
      await assert.rejects(download.done, isCode('file_corrupt'));
      assert.equal(tampered, 1, 'the chunk went in the encoding asked for, and was tampered with');
      assert.deepEqual(await readdir(dir), []);
      await until(() => states.includes('failed by bob'), 'the sender to hear the transfer failed: ' + states.join());
      await eventually(async () => (await spoolParts()).length === 0, 'the server copy to be removed');
    } finally {
      await proxy.close();
    }
  });

  it('saves hostile names as safe names inside the chosen folder, never overwriting', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    const dir = await inbox('bob');
    await writeFile(join(dir, 'bashrc'), 'existing');
    const cases: Array<[string, string]> = [
      ['../../.bashrc', 'bashrc (1)'],
      ['/etc/passwd', 'passwd'],
      ['CON', '_CON'],
      ['a\nb\r\u202etxt.exe', 'abtxt.exe'],
      ['x'.repeat(300) + '.txt', 'x'.repeat(196) + '.txt'],
    ];
    for (const [name, saved] of cases) {
      const offered = nextOffer(bob);
      await alice.sendFile('bob', await source('payload', Buffer.from(name)), { name });
      const offer = await offered;
      assert.equal(offer.name, name, 'the original name is shown as sent');
      const path = await (await bob.acceptFile(offer.file, dir)).done;
      assert.equal(path, join(dir, saved));
      assert.equal((await readFile(path)).toString(), name);
    }
    assert.equal((await readFile(join(dir, 'bashrc'))).toString(), 'existing');
  });

  it('refuses a file over the limit, or over the recipient quota, before uploading anything', async () => {
    await server.close();
    server = await startTestServer({ rateLimit: false, fileLimits: { maxFileBytes: 100_000, maxRecipientBytes: 150_000 } });
    const alice = await fleet.online('alice');
    await fleet.online('bob');
    await assert.rejects(alice.sendFile('bob', await source('big', randomBytes(200_000))), isCode('file_too_large'));
    const first = await alice.sendFile('bob', await source('a', randomBytes(90_000)));
    await first.done;
    await assert.rejects(alice.sendFile('bob', await source('b', randomBytes(90_000))), isCode('quota_exceeded'));
    const parts = await spoolParts();
    assert.equal(parts.length, 1, 'only the accepted file is on disk');
  });

  it('cancel by the sender stops the receiver and removes every copy', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    const offered = nextOffer(bob);
    const upload = await alice.sendFile('bob', await source('c.bin', randomBytes(20 * 1024 * 1024)));
    const dir = await inbox('bob');
    const download = await bob.acceptFile((await offered).file, dir);
    await new Promise<void>((resolve) => download.once('progress', () => resolve()));
    upload.cancel();
    await assert.rejects(upload.done, isCode('cancelled'));
    await assert.rejects(download.done, isCode('cancelled'));
    assert.deepEqual(await readdir(dir), []);
    await eventually(async () => (await spoolParts()).length === 0, 'the server copy to be removed');
  });

  it('reports a decline that comes before the upload has begun as declined, sending nothing', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    // bob declines as soon as he sees the offer: the decline often reaches alice in the same read
    // as the server's `sent` for her offer, before her upload exists.
    bob.on('fileOffer', (offer) => bob.declineFile(offer.file));
    const upload = await alice.sendFile('bob', await source('unwanted.txt', Buffer.from('no thanks')));
    await assert.rejects(upload.done, (error: ChatClientError) => error.code === 'declined');
  });

  it('cancel by the receiver and decline both tell the sender and remove the server copy', async () => {
    const alice = await fleet.online('alice');
    const bob = await fleet.online('bob');
    let offered = nextOffer(bob);
    const first = await alice.sendFile('bob', await source('d.bin', randomBytes(20 * 1024 * 1024)));
    const dir = await inbox('bob');
    const download = await bob.acceptFile((await offered).file, dir);
    await new Promise<void>((resolve) => download.once('progress', () => resolve()));
    const firstStates = recordStates(first);
    download.cancel();
    await assert.rejects(download.done, isCode('cancelled'));
    await until(() => firstStates.includes('cancelled by bob'), 'the sender to hear of the cancel');
    assert.deepEqual(await readdir(dir), []);

    offered = nextOffer(bob);
    const second = await alice.sendFile('bob', await source('e.bin', randomBytes(1000)));
    const secondStates = recordStates(second);
    bob.declineFile((await offered).file);
    await until(() => secondStates.includes('declined by bob'), 'the sender to hear of the decline');
    await eventually(async () => (await spoolParts()).length === 0, 'the server copies to be removed');
  });
});
