/**
 * The client library's file chunks on the wire: raw bytes where the server offers them, base64
 * lines where the client opts out, and either kind of sender reaching either kind of receiver.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileOfferView } from '../../src/client';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet } from './helpers/client-fleet';
import { LineProxy } from './helpers/line-proxy';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const count = (haystack: Buffer, needle: string) => {
  let found = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found++;
  return found;
};

describe('binary file chunks (client library)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fleet: ClientFleet;
  let work: string;
  let senderProxy: LineProxy;
  let receiverProxy: LineProxy;

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    fleet = new ClientFleet(() => server.port);
    work = await mkdtemp(join(tmpdir(), 'classchat-binary-'));
    senderProxy = await LineProxy.start(server.port);
    receiverProxy = await LineProxy.start(server.port);
  });

  afterEach(async () => {
    await fleet.closeAll();
    await senderProxy.close();
    await receiverProxy.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  for (const [senderRaw, receiverRaw] of [
    [true, true],
    [true, false],
    [false, true],
  ] as const) {
    it(`moves a file exactly from a ${senderRaw ? 'raw' : 'base64'} sender to a ${receiverRaw ? 'raw' : 'base64'} receiver, in those encodings`, async () => {
      const alice = fleet.client('alice', { port: senderProxy.port, binaryChunks: senderRaw });
      await alice.connect();
      const bob = fleet.client('bob', { port: receiverProxy.port, binaryChunks: receiverRaw });
      await bob.connect();
      await fleet.heardOf('bob');
      const bytes = randomBytes(5 * 64 * 1024 + 999);
      const path = join(work, 'data.bin');
      await writeFile(path, bytes);
      const offered = new Promise<FileOfferView>((resolve) => bob.once('fileOffer', resolve));
      const upload = await alice.sendFile('bob', path);
      const dir = join(work, 'inbox');
      await mkdir(dir);
      const download = await bob.acceptFile((await offered).file, dir);
      const [saved] = await Promise.all([download.done, upload.done]);
      assert.equal(sha256(await readFile(saved)), sha256(bytes));
      const chunks = 6; // five whole 64 KiB plaintext chunks and one of 999 bytes
      const uploaded = senderProxy.received();
      assert.equal(count(uploaded, '"type":"file_bytes"'), senderRaw ? chunks : 0, 'raw chunks uploaded');
      assert.equal(count(uploaded, '"type":"file_chunk"'), senderRaw ? 0 : chunks, 'base64 chunks uploaded');
      const downloaded = receiverProxy.sent();
      assert.equal(count(downloaded, '"type":"file_bytes"'), receiverRaw ? chunks : 0, 'raw chunks downloaded');
      assert.equal(count(downloaded, '"type":"file_chunk"'), receiverRaw ? 0 : chunks, 'base64 chunks downloaded');
    });
  }
});
