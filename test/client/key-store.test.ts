import { strict as assert } from 'node:assert';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultKeyPath, FileKeyStore, KeyFileError, KeyStore, MemoryKeyStore } from '../../src/client/key-store';
import { generateIdentity } from '../../src/crypto/identity';

const posix = process.platform !== 'win32';

/** Every KeyStore implementation passes these. */
function keyStoreSuite(make: () => Promise<KeyStore>) {
  it('loads nothing before anything was saved', async () => {
    assert.equal(await (await make()).load(), undefined);
  });

  it('loads the identity it saved', async () => {
    const store = await make();
    const identity = await generateIdentity();
    await store.save(identity);
    assert.deepEqual(await store.load(), identity);
  });

  it('replaces an earlier identity on save', async () => {
    const store = await make();
    await store.save(await generateIdentity());
    const second = await generateIdentity();
    await store.save(second);
    assert.deepEqual(await store.load(), second);
  });
}

describe('MemoryKeyStore', () => {
  keyStoreSuite(async () => new MemoryKeyStore());
});

describe('FileKeyStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-keys-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  keyStoreSuite(async () => new FileKeyStore(join(dir, 'nested', 'alice.json')));

  it('writes the key file 0600 in a 0700 directory it creates, leaving no temp file', async function () {
    if (!posix) this.skip();
    const path = join(dir, 'keys', 'server-5050', 'alice.json');
    await new FileKeyStore(path).save(await generateIdentity());
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'keys', 'server-5050'))).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(join(dir, 'keys', 'server-5050')), ['alice.json']);
  });

  it('refuses to load a key file other users can read, and says how to fix it', async function () {
    if (!posix) this.skip();
    const path = join(dir, 'alice.json');
    const store = new FileKeyStore(path);
    await store.save(await generateIdentity());
    await chmod(path, 0o644);
    await assert.rejects(store.load(), (error: unknown) => error instanceof KeyFileError && /chmod 600/.test(error.message) && /644/.test(error.message));
  });

  it('refuses a file that is not a key file', async () => {
    const path = join(dir, 'alice.json');
    await writeFile(path, '{"hello": 1}', { mode: 0o600 });
    await assert.rejects(new FileKeyStore(path).load(), /not a ClassChat key file/);
    await writeFile(path, 'garbage', { mode: 0o600 });
    await assert.rejects(new FileKeyStore(path).load(), /not valid JSON/);
  });

  it('refuses a key file whose public and secret keys do not match', async () => {
    const path = join(dir, 'alice.json');
    const store = new FileKeyStore(path);
    await store.save(await generateIdentity());
    const other = await generateIdentity();
    const body = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...body, publicKey: other.publicKey }), { mode: 0o600 });
    await assert.rejects(store.load(), /do not match/);
  });

  it('puts the default key file under $CLASSCHAT_HOME/keys/<host>-<port>/<name>.json', () => {
    assert.equal(defaultKeyPath('10.0.0.5', 5050, 'alice', { CLASSCHAT_HOME: '/h' }), join('/h', 'keys', '10.0.0.5-5050', 'alice.json'));
    assert.equal(defaultKeyPath('::1', 5050, 'bob', { CLASSCHAT_HOME: '/h' }), join('/h', 'keys', '__1-5050', 'bob.json'));
  });
});
