/**
 * Files across PostgreSQL nodes (issue 20): with one spool directory every node mounts, a file
 * uploaded to node A is downloaded from node B — after the upload, and while it is still going —
 * and its delivery recorded there ends it for node A too.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatServer } from '../../src/server/chat-server';
import { FileSpool } from '../../src/server/files/file-spool';
import { PostgresStore } from '../../src/server/store/postgres/postgres-store';
import { TestPostgres } from '../helpers/postgres';
import { RawClient } from '../helpers/raw-client';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(64, 2).toString('base64') };
const CHUNK = 1000;

describe('files across PostgreSQL nodes sharing a spool directory', function () {
  this.timeout(60000);
  let pg: TestPostgres;
  let databases = 0;
  let filesDir: string;
  const nodes: Array<{ server: ChatServer; store: PostgresStore; spool: FileSpool }> = [];
  const clients: RawClient[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  beforeEach(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'classchat-shared-files-'));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const { server, store, spool } of nodes.splice(0)) {
      await server.close();
      await spool.close();
      await store.close().catch(() => undefined);
    }
    await rm(filesDir, { recursive: true, force: true });
  });
  after(async () => {
    await pg?.stop();
  });

  async function twoNodes(): Promise<[FileSpool, number, number]> {
    const url = await pg.createDatabase(`files${++databases}`);
    const ports: number[] = [];
    for (const name of ['a', 'b']) {
      const store = new PostgresStore({ url, node: name });
      await store.open();
      const spool = new FileSpool(filesDir, {}, Date.now, () => undefined, { shared: true });
      await spool.open();
      const server = new ChatServer({ store, rateLimit: false, files: spool });
      nodes.push({ server, store, spool });
      ports.push((await server.listen(0, '127.0.0.1')).port);
    }
    return [nodes[0].spool, ports[0], ports[1]];
  }

  async function login(port: number, name: string): Promise<RawClient> {
    const { client } = await RawClient.login(port, name);
    clients.push(client);
    return client;
  }

  async function offer(alice: RawClient, size: number, id: string): Promise<string> {
    alice.send({ type: 'send', id, to: 'bob', box: BOX, file: { size, chunkBytes: CHUNK } });
    const sent = await alice.next('sent', (frame) => frame.id === id);
    assert.ok(sent.file);
    return sent.file;
  }

  const chunk = (client: RawClient, file: string, index: number, data: Buffer) =>
    client.send({ type: 'file_chunk', file, index, data: data.subarray(index * CHUNK, (index + 1) * CHUNK).toString('base64') });

  async function download(bob: RawClient, file: string, chunks: number): Promise<Buffer> {
    const got: Buffer[] = [];
    for (let index = 0; index < chunks; index++) {
      const frame = await bob.next('file_chunk', (f) => f.file === file && f.index === index);
      got.push(Buffer.from(frame.data, 'base64'));
      bob.send({ type: 'file_ack', file, index });
    }
    return Buffer.concat(got);
  }

  it('downloads from node B what was uploaded to node A, and ends it on both once delivered', async () => {
    const [spoolA, portA, portB] = await twoNodes();
    const alice = await login(portA, 'alice');
    const bob = await login(portB, 'bob');
    await alice.next('presence', (p) => p.user.name === 'bob' && p.user.online);
    const data = randomBytes(3500);
    const file = await offer(alice, data.length, 'f1');
    await bob.next('msg', (m) => m.file?.id === file);
    for (let index = 0; index < 4; index++) chunk(alice, file, index, data);
    await alice.next('file_state', (f) => f.file === file && f.state === 'uploaded');

    bob.send({ type: 'file_status', rid: 's1', file });
    const status = await bob.next('file_status', (f) => f.rid === 's1');
    assert.deepEqual(status.files.map((f) => [f.file, f.state, f.uploaded]), [[file, 'uploaded', 4]]);
    bob.send({ type: 'file_get', file, from: 0 });
    assert.deepEqual(await download(bob, file, 4), data, 'the exact ciphertext, from the other node');
    bob.send({ type: 'file_done', file });
    const delivered = await bob.next('file_state', (f) => f.file === file && f.state === 'delivered');
    assert.equal(delivered.by, 'bob');
    assert.deepEqual((await readdir(filesDir)).filter((name) => name.endsWith('.part')), []);
    // Node A learns the outcome from the directory: its sweep does not expire it over the delivery.
    await spoolA.expire();
    assert.equal((await spoolA.find(file))?.meta.state, 'delivered');
  });

  it('streams to node B the chunks node A takes while the upload is still going', async () => {
    const [, portA, portB] = await twoNodes();
    const alice = await login(portA, 'alice');
    const bob = await login(portB, 'bob');
    await alice.next('presence', (p) => p.user.name === 'bob' && p.user.online);
    const data = randomBytes(6 * CHUNK);
    const file = await offer(alice, data.length, 'f2');
    await bob.next('msg', (m) => m.file?.id === file);
    for (let index = 0; index < 2; index++) chunk(alice, file, index, data);
    await alice.next('file_ack', (f) => f.file === file && f.index === 1);
    bob.send({ type: 'file_get', file, from: 0 });
    const first = await download(bob, file, 2);
    for (let index = 2; index < 6; index++) chunk(alice, file, index, data);
    const rest: Buffer[] = [];
    for (let index = 2; index < 6; index++) {
      const frame = await bob.next('file_chunk', (f) => f.file === file && f.index === index);
      rest.push(Buffer.from(frame.data, 'base64'));
      bob.send({ type: 'file_ack', file, index });
    }
    assert.deepEqual(Buffer.concat([first, ...rest]), data);
  });
});
