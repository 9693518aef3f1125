import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { loadOrCreateIdentity } from '../../src/client/key-store';
import { MementoSeenStore, MementoTrustStore, seenKeyName, trustKeyName } from '../../src/extension/memento-trust-store';
import { SecretKeyStore, secretKeyName, StoredKeyError } from '../../src/extension/secret-key-store';

/** Stand-ins with the same shape as context.secrets and context.globalState. */
class FakeSecrets {
  readonly values = new Map<string, string>();
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
  }
}
class FakeMemento {
  readonly values = new Map<string, unknown>();
  get(key: string) {
    // Mementos hand back JSON copies.
    const value = this.values.get(key);
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }
  async update(key: string, value: unknown) {
    this.values.set(key, value);
  }
}

describe('SecretKeyStore (identity key in SecretStorage)', () => {
  it('creates the key on first use and loads the same key afterwards', async () => {
    const secrets = new FakeSecrets();
    const key = secretKeyName('Example.org', 5050, 'alice');
    assert.equal(key, 'classchat.identity/example.org:5050/alice');
    const first = await loadOrCreateIdentity(new SecretKeyStore(secrets, key));
    const again = await loadOrCreateIdentity(new SecretKeyStore(secrets, key));
    assert.deepEqual(again, first);
    assert.equal(secrets.values.size, 1);
  });

  it('keeps one key per server and name', () => {
    assert.notEqual(secretKeyName('a', 1, 'alice'), secretKeyName('a', 2, 'alice'));
    assert.notEqual(secretKeyName('a', 1, 'alice'), secretKeyName('a', 1, 'bob'));
  });

  it('refuses a damaged secret instead of replacing it', async () => {
    const secrets = new FakeSecrets();
    const identity = await generateIdentity();
    const other = await generateIdentity();
    for (const bad of ['not json', '{}', JSON.stringify({ publicKey: other.publicKey, secretKey: identity.secretKey })]) {
      secrets.values.set('k', bad);
      await assert.rejects(loadOrCreateIdentity(new SecretKeyStore(secrets, 'k')), StoredKeyError);
      assert.equal(secrets.values.get('k'), bad, 'left as it was');
    }
  });
});

describe('MementoTrustStore (key pins in global state)', () => {
  it('round-trips pins and starts empty', async () => {
    const memento = new FakeMemento();
    const store = new MementoTrustStore(memento, trustKeyName('h', 1, 'alice'));
    assert.equal((await store.load()).size, 0);
    const bob = await generateIdentity();
    const pins = new Map([['bob', { publicKey: bob.publicKey, verified: true, pinnedAt: 5 }]]);
    await store.save(pins);
    assert.deepEqual(await store.load(), pins);
  });

  it('keeps the pins of classmates named like Object.prototype keys (__proto__, constructor)', async () => {
    const memento = new FakeMemento();
    const store = new MementoTrustStore(memento, 'k');
    const [proto, ctor] = await Promise.all([generateIdentity(), generateIdentity()]);
    const pins = new Map([
      ['__proto__', { publicKey: proto.publicKey, verified: true, pinnedAt: 1 }],
      ['constructor', { publicKey: ctor.publicKey, verified: false, pinnedAt: 2 }],
    ]);
    await store.save(pins);
    // A forgotten pin would let the next key for that name be pinned afresh, without a warning.
    assert.deepEqual(await new MementoTrustStore(memento, 'k').load(), pins);
  });

  it('refuses damaged pins rather than forgetting them', async () => {
    const memento = new FakeMemento();
    await memento.update('k', { bob: { publicKey: 'short', verified: 'yes' } });
    await assert.rejects(new MementoTrustStore(memento, 'k').load(), /damaged/);
    for (const bad of [[], 'pins', { '': { publicKey: 'x', verified: true, pinnedAt: 1 } }]) {
      await memento.update('k', bad);
      await assert.rejects(new MementoTrustStore(memento, 'k').load(), /damaged/);
    }
  });
});

describe('MementoSeenStore (last message shown, in global state)', () => {
  it('round-trips the seq per server and name, and refuses a damaged value', async () => {
    const memento = new FakeMemento();
    const alice = new MementoSeenStore(memento, seenKeyName('H', 1, 'alice'));
    assert.equal(await alice.load(), undefined);
    await alice.save(17);
    assert.equal(await new MementoSeenStore(memento, seenKeyName('h', 1, 'alice')).load(), 17);
    assert.equal(await new MementoSeenStore(memento, seenKeyName('h', 1, 'bob')).load(), undefined);
    await memento.update('k', 'seven');
    await assert.rejects(new MementoSeenStore(memento, 'k').load(), /damaged/);
  });
});
