/** Streaming file encryption: round trip, and every kind of tampering fails. */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { cipherLayout, FileDecryptor, FileEncryptor, FILE_CHUNK_OVERHEAD, parseFileSecrets } from '../../src/crypto/file-stream';

const CHUNK = 1000;

async function encrypt(data: Buffer, chunk = CHUNK): Promise<{ chunks: Buffer[]; encryptor: FileEncryptor }> {
  const encryptor = await FileEncryptor.create('f.bin', data.length, chunk);
  const count = cipherLayout(data.length, chunk).chunks;
  const chunks = [];
  for (let index = 0; index < count; index++) chunks.push(Buffer.from(encryptor.encrypt(data.subarray(index * chunk, (index + 1) * chunk))));
  return { chunks, encryptor };
}

async function decrypt(encryptor: FileEncryptor, chunks: Buffer[]): Promise<Buffer | undefined> {
  const decryptor = await FileDecryptor.create(encryptor.secrets);
  const out = [];
  for (const [index, chunk] of chunks.entries()) {
    const plain = decryptor.decrypt(chunk, index === chunks.length - 1);
    if (!plain) return undefined;
    out.push(Buffer.from(plain));
  }
  return decryptor.complete ? Buffer.concat(out) : undefined;
}

describe('file stream encryption', () => {
  it('round-trips empty, one-byte, exact-chunk and multi-chunk files with the advertised layout', async () => {
    for (const size of [0, 1, CHUNK, CHUNK + 1, 5 * CHUNK + 7]) {
      const data = randomBytes(size);
      const { chunks, encryptor } = await encrypt(data);
      const layout = cipherLayout(size, CHUNK);
      assert.equal(chunks.length, layout.chunks);
      assert.equal(Buffer.concat(chunks).length, layout.cipherSize);
      assert.equal(layout.chunkBytes, CHUNK + FILE_CHUNK_OVERHEAD);
      assert.deepEqual(await decrypt(encryptor, chunks), data, `size ${size}`);
    }
  });

  it('fails on a flipped bit, reordered, dropped, truncated or repeated chunks, and a wrong key', async () => {
    const { chunks, encryptor } = await encrypt(randomBytes(4 * CHUNK + 10));
    const flipped = chunks.map((chunk) => Buffer.from(chunk));
    flipped[1][50] ^= 1;
    assert.equal(await decrypt(encryptor, flipped), undefined, 'flipped bit');
    assert.equal(await decrypt(encryptor, [chunks[0], chunks[2], chunks[1], chunks[3], chunks[4]]), undefined, 'reordered');
    assert.equal(await decrypt(encryptor, [chunks[0], chunks[1], chunks[3], chunks[4]]), undefined, 'dropped');
    assert.equal(await decrypt(encryptor, chunks.slice(0, 3)), undefined, 'truncated (no FINAL)');
    assert.equal(await decrypt(encryptor, [chunks[0], chunks[0], ...chunks.slice(1)]), undefined, 'repeated');
    const other = await FileEncryptor.create('x', 1);
    assert.equal(await decrypt(other, chunks), undefined, 'wrong key');
  });

  it('fails when FINAL comes early (a stream cut and re-tagged is impossible without the key)', async () => {
    const { chunks, encryptor } = await encrypt(randomBytes(2 * CHUNK));
    const decryptor = await FileDecryptor.create(encryptor.secrets);
    assert.ok(decryptor.decrypt(chunks[0], false));
    assert.equal(decryptor.decrypt(chunks[1], false), undefined, 'the last chunk is FINAL, not expected yet');
  });

  it('parses only well-formed secrets', async () => {
    const { encryptor } = await encrypt(Buffer.alloc(3));
    assert.deepEqual(parseFileSecrets(JSON.stringify(encryptor.secrets)), encryptor.secrets);
    for (const text of ['', 'null', '{}', 'not json', JSON.stringify({ ...encryptor.secrets, size: -1 }), JSON.stringify({ ...encryptor.secrets, extra: 1 })]) {
      assert.equal(parseFileSecrets(text), undefined, text);
    }
  });
});
