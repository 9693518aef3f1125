/**
 * The server's side of file transfer, frame by frame with a raw client: who may touch a file,
 * chunk order and size, the upload window, what the server keeps on disk, and recovery of a
 * half-written upload after a crash.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { appendFile, readdir, stat } from 'node:fs/promises';
import type { Identity } from '../../src/crypto/identity';
import { join } from 'node:path';
import { LIMITS } from '../../src/protocol/limits';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(64, 2).toString('base64') };
const CHUNK = 1000;

describe('file relay (server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  let alice: RawClient;
  let bob: RawClient;
  let carol: RawClient;
  const identities: Record<string, Identity> = {};

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    ({ client: alice, identity: identities.alice } = await RawClient.login(server.port, 'alice'));
    ({ client: bob, identity: identities.bob } = await RawClient.login(server.port, 'bob'));
    ({ client: carol, identity: identities.carol } = await RawClient.login(server.port, 'carol'));
  });

  afterEach(async () => {
    for (const client of [alice, bob, carol]) client.close();
    await server.close();
  });

  /** alice offers bob a file of `size` bytes in chunks of CHUNK; returns the file id. */
  async function offer(size: number, id = 'offer1'): Promise<string> {
    alice.send({ type: 'send', id, to: 'bob', box: BOX, file: { size, chunkBytes: CHUNK } });
    const sent = await alice.next('sent', (frame) => frame.id === id);
    assert.ok(sent.file);
    return sent.file;
  }

  function chunk(client: RawClient, file: string, index: number, bytes: Buffer): void {
    client.send({ type: 'file_chunk', file, index, data: bytes.toString('base64') });
  }

  it('announces files in hello, delivers the offer as a message, and relays the exact ciphertext', async () => {
    assert.ok(alice.hello.features.includes('files'));
    assert.equal(alice.hello.limits.maxFileBytes, 100 * 1024 * 1024);
    const data = randomBytes(2500);
    const file = await offer(data.length);
    const msg = await bob.next('msg', (frame) => frame.file !== undefined);
    assert.deepEqual(msg.file, { id: file, size: 2500, chunkBytes: CHUNK });
    assert.deepEqual(msg.box, BOX);
    for (let index = 0; index < 3; index++) chunk(alice, file, index, data.subarray(index * CHUNK, (index + 1) * CHUNK));
    await alice.next('file_ack', (frame) => frame.index === 2);
    await alice.next('file_state', (frame) => frame.state === 'uploaded');
    bob.send({ type: 'file_get', file, from: 1 });
    const got = [await bob.next('file_chunk', (frame) => frame.index === 1), await bob.next('file_chunk', (frame) => frame.index === 2)];
    assert.deepEqual(Buffer.concat(got.map((frame) => Buffer.from(frame.data, 'base64'))), data.subarray(CHUNK));
    bob.send({ type: 'file_done', file });
    const delivered = await alice.next('file_state', (frame) => frame.state === 'delivered');
    assert.equal(delivered.by, 'bob');
    assert.deepEqual((await readdir(join(server.dataDir, 'files'))).filter((name) => name.endsWith('.part')), []);
  });

  it('tells the sender first when the recipient declines mid-upload, and does not punish its chunks in flight', async () => {
    const total = 60;
    const file = await offer(total * CHUNK);
    chunk(alice, file, 0, randomBytes(CHUNK));
    await alice.next('file_ack', (frame) => frame.index === 0);
    bob.send({ type: 'file_cancel', file, reason: 'declined' });
    // A whole window in flight behind the decline: more than the error burst that ends a connection.
    for (let index = 1; index < total; index++) chunk(alice, file, index, randomBytes(CHUNK));
    alice.send({ type: 'ping', rid: 'after' });
    await alice.next('pong', (frame) => frame.rid === 'after');
    const endState = alice.frames.findIndex((frame) => frame.type === 'file_state' && frame.state === 'declined');
    const closedErrors = alice.frames.flatMap((frame, at) => (frame.type === 'error' && frame.code === 'file_closed' ? [at] : []));
    assert.ok(endState !== -1, 'the sender hears the decline');
    assert.ok(closedErrors.length <= 1, `one file_closed at most, not ${closedErrors.length}`);
    assert.ok(closedErrors.every((at) => at > endState), 'the decline is told before any refused chunk');
    assert.ok(!alice.frames.some((frame) => frame.type === 'error' && frame.code === 'abuse'), 'not disconnected for errors');
    assert.equal(alice.closed, false);
  });

  it('lets only the two parties see or touch a file', async () => {
    const file = await offer(10);
    for (const frame of [
      { type: 'file_get', file, from: 0 },
      { type: 'file_chunk', file, index: 0, data: Buffer.alloc(10).toString('base64') },
      { type: 'file_cancel', file, reason: 'cancelled' },
      { type: 'file_done', file },
    ]) {
      carol.send(frame);
      const error = await carol.next('error', (candidate) => candidate.id === file);
      assert.equal(error.code, 'unknown_file');
    }
    carol.send({ type: 'file_status', rid: 'r1', file });
    assert.equal((await carol.next('error', (frame) => frame.rid === 'r1')).code, 'unknown_file');
    carol.send({ type: 'file_status', rid: 'r2' });
    assert.deepEqual((await carol.next('file_status')).files, []);
    // The recipient cannot upload into it, the sender cannot download it.
    chunk(bob, file, 0, Buffer.alloc(10));
    assert.equal((await bob.next('error', (frame) => frame.id === file)).code, 'unknown_file');
    alice.send({ type: 'file_get', file, from: 0 });
    assert.equal((await alice.next('error', (frame) => frame.id === file && frame.code === 'unknown_file')).code, 'unknown_file');
  });

  it('refuses chunks out of order, of the wrong length, or beyond the upload window', async () => {
    const file = await offer(CHUNK * 100);
    chunk(alice, file, 1, Buffer.alloc(CHUNK));
    assert.match((await alice.next('error', (frame) => frame.code === 'bad_chunk')).message, /expected chunk 0/);
    chunk(alice, file, 0, Buffer.alloc(CHUNK - 1));
    assert.match((await alice.next('error', (frame) => frame.code === 'bad_chunk' && /must be/.test(frame.message))).message, /1000 bytes/);
    // A flood past the window is refused, not buffered.
    for (let index = 0; index < LIMITS.fileUploadWindowChunks + 3; index++) chunk(alice, file, index, Buffer.alloc(CHUNK, index));
    await alice.next('error', (frame) => frame.code === 'bad_chunk' && /unacknowledged/.test(frame.message));
    await alice.next('file_ack', (frame) => frame.index === LIMITS.fileUploadWindowChunks - 1);
    // What was accepted is intact and resumable: status says how far the server got.
    alice.send({ type: 'file_status', rid: 's', file });
    const [info] = (await alice.next('file_status')).files;
    assert.equal(info.uploaded, LIMITS.fileUploadWindowChunks, 'exactly the window was accepted');
    assert.equal(info.state, 'uploading');
  });

  it('refuses offers to everyone, to oneself, to unknown users, over the limit, and on a server without files', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ to: '*' }, 'invalid_frame'],
      [{ to: 'alice' }, 'invalid_frame'],
      [{ to: 'nobody' }, 'unknown_user'],
      [{ file: { size: 100 * 1024 * 1024 + 1, chunkBytes: CHUNK } }, 'file_too_large'],
    ];
    for (const [index, [change, code]] of cases.entries()) {
      alice.send({ type: 'send', id: `bad${index}`, to: 'bob', box: BOX, file: { size: 10, chunkBytes: CHUNK }, ...change });
      assert.equal((await alice.next('error', (frame) => frame.id === `bad${index}`)).code, code);
    }
    assert.deepEqual((await readdir(join(server.dataDir, 'files'))).filter((name) => name.endsWith('.part')), []);

    const plain = await startTestServer({ fileLimits: false });
    try {
      const { client } = await RawClient.login(plain.port, 'dave');
      assert.ok(!client.hello.features.includes('files'));
      client.send({ type: 'send', id: 'f', to: 'dave', box: BOX, file: { size: 10, chunkBytes: CHUNK } });
      assert.equal((await client.next('error', (frame) => frame.id === 'f')).code, 'files_disabled');
      client.send({ type: 'file_status', rid: 'r' });
      assert.equal((await client.next('error', (frame) => frame.rid === 'r')).code, 'files_disabled');
      client.close();
    } finally {
      await plain.close();
    }
  });

  it('answers a resent offer with the same file id (dedupe) and keeps one copy', async () => {
    const first = await offer(10, 'same-id');
    const second = await offer(10, 'same-id');
    assert.equal(second, first);
    const parts = (await readdir(join(server.dataDir, 'files'))).filter((name) => name.endsWith('.part'));
    assert.equal(parts.length, 1);
  });

  it('after a crash keeps the whole chunks of a half-finished upload and resumes from them', async () => {
    const file = await offer(CHUNK * 4);
    for (let index = 0; index < 2; index++) chunk(alice, file, index, Buffer.alloc(CHUNK, index + 1));
    await alice.next('file_ack', (frame) => frame.index === 1);
    for (const client of [alice, bob, carol]) client.close();
    await server.stop();
    // A torn write: half a chunk after the two whole ones.
    const part = join(server.dataDir, 'files', `${file}.part`);
    await appendFile(part, Buffer.alloc(CHUNK / 2, 9));
    server = await startTestServer({ dataDir: server.dataDir, rateLimit: false });
    assert.equal((await stat(part)).size, CHUNK * 2, 'the torn half chunk is cut');
    ({ client: alice } = await RawClient.login(server.port, 'alice', identities.alice));
    ({ client: bob } = await RawClient.login(server.port, 'bob', identities.bob));
    ({ client: carol } = await RawClient.login(server.port, 'carol', identities.carol));
    alice.send({ type: 'file_status', rid: 's', file });
    const [info] = (await alice.next('file_status')).files;
    assert.equal(info.uploaded, 2);
    assert.equal(info.state, 'uploading');
    for (let index = 2; index < 4; index++) chunk(alice, file, index, Buffer.alloc(CHUNK, index + 1));
    await alice.next('file_state', (frame) => frame.state === 'uploaded');
    bob.send({ type: 'file_get', file, from: 0 });
    const chunks = [];
    for (let index = 0; index < 4; index++) chunks.push(Buffer.from((await bob.next('file_chunk', (frame) => frame.index === index)).data, 'base64'));
    assert.deepEqual(Buffer.concat(chunks), Buffer.concat([1, 2, 3, 4].map((value) => Buffer.alloc(CHUNK, value))));
  });
});
