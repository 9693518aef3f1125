/**
 * An upload whose sender goes quiet lets go of its file handle (fake clock), and picks the file
 * up again on the next chunk with every byte in place.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(64, 2).toString('base64') };
const CHUNK = 1000;

/** This process's descriptors open on `path` (Linux: /proc/self/fd); undefined where there is no /proc. */
async function descriptorsOn(path: string): Promise<number | undefined> {
  if (!existsSync('/proc/self/fd')) return undefined;
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(join('/proc/self/fd', fd)).catch(() => '');
    if (target === path) count++;
  }
  return count;
}

/** Polls until `probe` holds (bounded). */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('file handles of idle uploads (server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  let clients: RawClient[] = [];

  afterEach(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  it('closes the handle of an upload with no chunk for a minute, and completes it intact on the next chunks', async () => {
    let clock = 1_000_000;
    server = await startTestServer({ rateLimit: false, fileLimits: { sweepMs: 20, idleWriterMs: 60_000 }, fileClock: () => clock });
    const spool = server.files!;
    const { client: alice } = await RawClient.login(server.port, 'alice');
    const { client: bob } = await RawClient.login(server.port, 'bob');
    clients = [alice, bob];
    const data = Buffer.concat([1, 2, 3, 4].map((value) => Buffer.alloc(CHUNK, value)));
    alice.send({ type: 'send', id: 'f1', to: 'bob', box: BOX, file: { size: data.length, chunkBytes: CHUNK } });
    const file = (await alice.next('sent', (frame) => frame.id === 'f1')).file!;
    const part = join(await realpath(join(server.dataDir, 'files')), `${file}.part`);
    const chunk = (index: number) => alice.send({ type: 'file_chunk', file, index, data: data.subarray(index * CHUNK, (index + 1) * CHUNK).toString('base64') });

    chunk(0);
    chunk(1);
    await alice.next('file_ack', (frame) => frame.index === 1);
    assert.equal(spool.openWriterCount, 1, 'open while chunks come');
    assert.notEqual(await descriptorsOn(part), 0);
    clock += 59_000;
    await spool.closeIdleWriters();
    assert.equal(spool.openWriterCount, 1, 'still open before the idle time');

    clock += 1_000;
    await eventually(async () => spool.openWriterCount === 0, 'the idle handle to close');
    assert.equal((await descriptorsOn(part)) ?? 0, 0, 'no descriptor left on the part file');

    chunk(2);
    chunk(3);
    await alice.next('file_state', (frame) => frame.state === 'uploaded');
    bob.send({ type: 'file_get', file, from: 0 });
    const chunks = [];
    for (let index = 0; index < 4; index++) chunks.push(Buffer.from((await bob.next('file_chunk', (frame) => frame.index === index)).data, 'base64'));
    assert.deepEqual(Buffer.concat(chunks), data);
  });
});
