import { strict as assert } from 'node:assert';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustBook } from '../../src/client/trust-book';
import { FileTrustStore, MemoryTrustStore, Pin, TrustFileError, trustPathFor, TrustStore } from '../../src/client/trust-store';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const posix = process.platform !== 'win32';

/** Every TrustStore implementation passes these (the extension's global-state store should too). */
function trustStoreSuite(make: () => Promise<TrustStore>) {
  it('loads no pins before anything was saved', async () => {
    assert.deepEqual(await (await make()).load(), new Map());
  });

  it('loads the pins it saved, and a later save replaces them', async () => {
    const store = await make();
    const pins = new Map<string, Pin>([['bob', { publicKey: KEY_A, verified: true, pinnedAt: 5 }]]);
    await store.save(pins);
    assert.deepEqual(await store.load(), pins);
    const next = new Map<string, Pin>([['carol', { publicKey: KEY_B, verified: false, pinnedAt: 6 }]]);
    await store.save(next);
    assert.deepEqual(await store.load(), next);
  });

  it('is not changed through the maps it was given or returned', async () => {
    const store = await make();
    const pins = new Map<string, Pin>([['bob', { publicKey: KEY_A, verified: false, pinnedAt: 5 }]]);
    await store.save(pins);
    pins.get('bob')!.verified = true;
    (await store.load()).get('bob')!.verified = true;
    assert.equal((await store.load()).get('bob')?.verified, false);
  });

  it('keeps the pins of users named like Object.prototype keys (__proto__, constructor) across save and load', async () => {
    const store = await make();
    const pins = new Map<string, Pin>([
      ['__proto__', { publicKey: KEY_A, verified: true, pinnedAt: 1 }],
      ['constructor', { publicKey: KEY_B, verified: false, pinnedAt: 2 }],
      ['bob', { publicKey: KEY_A, verified: false, pinnedAt: 3 }],
    ]);
    await store.save(pins);
    const loaded = await store.load();
    assert.deepEqual(loaded, pins);
    assert.equal(Object.getPrototypeOf(loaded.get('bob')), Object.prototype, 'no pin became a prototype');
  });
}

describe('MemoryTrustStore', () => {
  trustStoreSuite(async () => new MemoryTrustStore());
});

describe('FileTrustStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-trust-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  trustStoreSuite(async () => new FileTrustStore(join(dir, 'nested', 'alice.trust.json')));

  it('sits next to the key file and is written 0600, leaving no temp file', async function () {
    const path = trustPathFor(join(dir, 'keys', 'alice.json'));
    assert.equal(path, join(dir, 'keys', 'alice.trust.json'));
    await new FileTrustStore(path).save(new Map([['bob', { publicKey: KEY_A, verified: false, pinnedAt: 1 }]]));
    if (posix) assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, 'keys')), ['alice.trust.json']);
  });

  it('refuses a trust file other users can change, and a damaged one, instead of forgetting the pins', async () => {
    const path = join(dir, 'alice.trust.json');
    const store = new FileTrustStore(path);
    await store.save(new Map());
    if (posix) {
      await chmod(path, 0o666);
      await assert.rejects(store.load(), (error: unknown) => error instanceof TrustFileError && /chmod 600/.test(error.message));
      await chmod(path, 0o600);
    }
    await writeFile(path, '{"format":"classchat-trust-v1","pins":{"bob":{"publicKey":"short","verified":true,"pinnedAt":1}}}', { mode: 0o600 });
    await assert.rejects(store.load(), /not a ClassChat trust file/);
    await writeFile(path, '{"format":"classchat-trust-v1","pins":{"__proto__":{"publicKey":"short","verified":true,"pinnedAt":1}}}', { mode: 0o600 });
    await assert.rejects(store.load(), /not a ClassChat trust file/, 'a damaged "__proto__" pin is not skipped');
    await writeFile(path, '{"format":"classchat-trust-v1","pins":[]}', { mode: 0o600 });
    await assert.rejects(store.load(), /not a ClassChat trust file/);
    await writeFile(path, 'garbage', { mode: 0o600 });
    await assert.rejects(store.load(), /not valid JSON/);
  });
});

describe('TrustBook (trust on first use)', () => {
  it('pins the first key seen, reports a different one as changed until accepted, and records verification', async () => {
    const store = new MemoryTrustStore();
    const errors: Error[] = [];
    const book = new TrustBook(store, () => 42, (error) => errors.push(error));
    await book.load();
    assert.equal(book.status('bob', KEY_A), 'unknown_key');
    assert.equal(book.observe('bob', KEY_A), 'pinned');
    assert.equal(book.observe('bob', KEY_B), 'key_changed');
    assert.equal(book.get('bob')?.publicKey, KEY_A, 'a changed key never replaces the pin by itself');
    assert.equal(await book.verify('bob', KEY_B), false);
    await book.accept('bob', KEY_B);
    assert.equal(book.status('bob', KEY_B), 'pinned');
    assert.equal(await book.verify('bob', KEY_B), true);
    assert.equal(book.status('bob', KEY_B), 'verified');
    const reloaded = new TrustBook(store, () => 0, () => undefined);
    await reloaded.load();
    assert.deepEqual(reloaded.get('bob'), { publicKey: KEY_B, verified: true, pinnedAt: 42 });
    assert.deepEqual(errors, []);
  });

  it('reports a failed background save and saves again on the next change', async () => {
    let fail = true;
    const saved: number[] = [];
    const store: TrustStore = {
      load: async () => new Map(),
      save: async (pins) => {
        if (fail) throw new Error('disk full');
        saved.push(pins.size);
      },
    };
    const errors: Error[] = [];
    const book = new TrustBook(store, () => 0, (error) => errors.push(error));
    await book.load();
    book.observe('bob', KEY_A);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(errors.map((error) => error.message), ['disk full']);
    fail = false;
    await book.accept('carol', KEY_B);
    assert.deepEqual(saved, [2]);
  });

  it('tracks a user named __proto__ like any other: pinned once, key changes reported, verification kept', async () => {
    const store = new MemoryTrustStore();
    const book = new TrustBook(store, () => 7, () => undefined);
    await book.load();
    assert.equal(book.status('__proto__', KEY_A), 'unknown_key');
    assert.equal(book.observe('__proto__', KEY_A), 'pinned');
    assert.equal(book.observe('__proto__', KEY_B), 'key_changed');
    assert.equal(await book.verify('__proto__', KEY_A), true);
    assert.equal(book.status('constructor', KEY_A), 'unknown_key');
    const reloaded = new TrustBook(store, () => 0, () => undefined);
    await reloaded.load();
    assert.equal(reloaded.status('__proto__', KEY_A), 'verified');
  });

  it('folds the pins of a big roster into a few saves, the last holding every pin', async () => {
    const saved: number[] = [];
    const store: TrustStore = { load: async () => new Map(), save: async (pins) => void saved.push(pins.size) };
    const book = new TrustBook(store, () => 0, () => undefined);
    await book.load();
    for (let i = 0; i < 5_000; i++) book.observe(`user${i}`, KEY_A);
    await book.accept('bob', KEY_B);
    assert.ok(saved.length <= 3, `${saved.length} saves`);
    assert.equal(saved.at(-1), 5_001);
  });
});
