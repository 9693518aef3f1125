/**
 * Binary file chunks against the real server, with raw clients: negotiated per connection,
 * relayed byte for byte in either encoding, and a malformed one ends only its own connection.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { encodeBinaryChunk } from '../../src/protocol/binary-chunk';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(64, 2).toString('base64') };
const CHUNK = 4096;
const BINARY = { features: ['binary-chunks'] };

describe('binary file chunks (server)', function () {
  this.timeout(20_000);
  let server: TestServer;
  const clients: RawClient[] = [];

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
  });

  afterEach(async () => {
    identities.clear();
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  const identities = new Map<string, Identity>();

  async function login(name: string, extra: Record<string, unknown> = {}): Promise<RawClient> {
    const { client, identity } = await RawClient.login(server.port, name, identities.get(name), extra);
    identities.set(name, identity);
    clients.push(client);
    return client;
  }

  /** `from` offers `to` a file of `data`, uploads it as raw chunks and waits until it is stored. */
  async function upload(from: RawClient, data: Buffer, id = 'offer1'): Promise<string> {
    from.send({ type: 'send', id, to: 'bob', box: BOX, file: { size: data.length, chunkBytes: CHUNK } });
    const file = (await from.next('sent', (frame) => frame.id === id)).file!;
    const chunks = Math.ceil(data.length / CHUNK);
    for (let index = 0; index < chunks; index++) from.writeRaw(encodeBinaryChunk(file, index, data.subarray(index * CHUNK, (index + 1) * CHUNK)));
    await from.next('file_state', (frame) => frame.file === file && frame.state === 'uploaded');
    return file;
  }

  async function download(to: RawClient, file: string, chunks: number): Promise<{ data: Buffer; raw: boolean[] }> {
    to.send({ type: 'file_get', file, from: 0 });
    const got = [];
    for (let index = 0; index < chunks; index++) got.push(await to.next('file_chunk', (frame) => frame.file === file && frame.index === index));
    const raw = got.map((frame) => (frame as unknown as { raw?: boolean }).raw === true);
    return { data: Buffer.concat(got.map((frame) => Buffer.from(frame.data, 'base64'))), raw };
  }

  it('offers binary-chunks in hello where files are relayed', async () => {
    const alice = await login('alice');
    assert.ok(alice.hello.features.includes('binary-chunks'));
  });

  it('relays raw chunks byte for byte to a receiver that asked for them, and as base64 lines to one that did not', async () => {
    const alice = await login('alice');
    const data = randomBytes(CHUNK * 5 + 123);
    // Bytes that look like framing must survive: newlines and a fake header inside a chunk.
    Buffer.from('\n{"type":"file_bytes","file":"x","index":0,"length":1}\n').copy(data, CHUNK - 10);
    const bob = await login('bob', BINARY);
    bob.readBinaryChunks();
    const file = await upload(alice, data);
    const raw = await download(bob, file, 6);
    assert.ok(data.equals(raw.data), 'the raw download has the exact bytes');
    assert.deepEqual(raw.raw, [true, true, true, true, true, true]);
    bob.close();
    const bobOld = await login('bob');
    const lines = await download(bobOld, file, 6);
    assert.ok(data.equals(lines.data), 'the base64 download has the exact bytes');
    assert.deepEqual(lines.raw, [false, false, false, false, false, false]);
  });

  it('closes a connection that sends a malformed binary chunk, with bad_binary_frame, and nobody else', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    alice.send({ type: 'send', id: 'o1', to: 'bob', box: BOX, file: { size: CHUNK, chunkBytes: CHUNK } });
    const file = (await alice.next('sent')).file!;
    alice.writeRaw(`{"type":"file_bytes","file":"${file}","index":0,"length":${CHUNK}}\n`);
    alice.writeRaw(Buffer.concat([randomBytes(CHUNK), Buffer.from('X{"type":"ping","rid":"after"}\n')]));
    const error = await alice.next('error', (frame) => frame.code === 'bad_binary_frame');
    assert.equal(error.fatal, true);
    await alice.waitClosed();
    assert.ok(!alice.frames.some((frame) => frame.type === 'pong'), 'nothing after the broken frame was read');
    bob.send({ type: 'ping', rid: 'still' });
    await bob.next('pong', (frame) => frame.rid === 'still');
  });

  it('reads past a raw chunk sent before login (refused as not_logged_in) without losing the framing', async () => {
    const client = await RawClient.open(server.port);
    clients.push(client);
    client.writeRaw(encodeBinaryChunk('f1', 0, Buffer.from('{"type":"ping","rid":"inside"}\n')));
    client.send({ type: 'ping', rid: 'outside' });
    assert.equal((await client.next('error')).code, 'not_logged_in');
    await client.next('pong', (frame) => frame.rid === 'outside');
    assert.ok(!client.frames.some((frame) => frame.type === 'pong' && frame.rid === 'inside'), 'the chunk bytes were not read as a frame');
  });

  it('refuses login.features that are not a list of short names', async () => {
    const client = await RawClient.open(server.port);
    clients.push(client);
    await client.sendLogin('alice', await generateIdentity(), { features: 'binary-chunks' });
    assert.equal((await client.next('error')).code, 'invalid_frame');
  });
});
