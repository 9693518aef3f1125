/**
 * ChatClient with linked devices (issue 18, PROTOCOL.md 22) against a real server on 127.0.0.1:
 * the first connect makes the primary and a recovery code, a second computer is linked with the
 * code it shows, messages go from either device and arrive on both, a removed device is logged
 * out, the recovery code brings the name back (a wrong one is refused), and a server that
 * substitutes a device key is caught.
 */
import { strict as assert } from 'node:assert';
import { ChatClient, ChatClientOptions, MemoryKeyStore, MemoryTrustStore, ReceivedMessage } from '../../src/client';
import { DeviceKeyStore, linkDevice, MemoryDeviceKeyStore, recoverDevice, RecoveryError } from '../../src/client/devices';
import { generateRecoveryCode } from '../../src/crypto/recovery-code';
import { sodiumReady } from '../../src/crypto/sodium';
import { startTestServer, TestServer } from '../helpers/test-server';
import { LineProxy } from './helpers/line-proxy';
import { nextEvent, until } from './helpers/wait';

describe('ChatClient with linked devices (real server)', function () {
  this.timeout(30_000);
  let t: TestServer;
  const clients: ChatClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await t.close();
  });

  function deviceClient(name: string, label: string, store: DeviceKeyStore, keyStore = new MemoryKeyStore(), extra: Partial<ChatClientOptions> = {}): ChatClient {
    const client = new ChatClient({ host: '127.0.0.1', port: t.port, name, keyStore, devices: { label, store }, backoff: { initialMs: 20, maxMs: 50 }, ...extra });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  function inbox(client: ChatClient): ReceivedMessage[] {
    const messages: ReceivedMessage[] = [];
    client.on('message', (message) => messages.push(message));
    return messages;
  }

  /** Links a new computer to `primary`'s name: the user types the code the new one shows into the primary. */
  async function link(primary: ChatClient, label: string, store: DeviceKeyStore, typed: (code: string) => string = (code) => code, trustStore?: MemoryTrustStore): Promise<void> {
    let shown!: (code: string) => void;
    const code = new Promise<string>((resolve) => (shown = resolve));
    const approved = nextEvent(primary, 'linkRequest').then(async ([request]) => primary.devices!.approve(request.link, typed(await code)));
    const linked = linkDevice({ host: '127.0.0.1', port: t.port, name: primary.name, label, store, trustStore, confirm: async (value) => (shown(value), true) });
    await Promise.all([linked, approved]);
  }

  it('the first connect with devices makes this computer the primary and gives the recovery code once', async () => {
    const store = new MemoryDeviceKeyStore();
    const alice = deviceClient('alice', 'Laptop', store);
    const welcome = await alice.connect();
    assert.equal(welcome.v, 4);
    const code = await alice.devices!.takeRecoveryCode();
    assert.match(code ?? '', /^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$/);
    assert.equal(await alice.devices!.takeRecoveryCode(), undefined, 'shown once');
    await until(() => alice.devices!.list().length === 1, 'the list');
    const [device] = alice.devices!.list();
    assert.deepEqual([device.label, device.primary, device.thisDevice], ['Laptop', true, true]);
    assert.equal((await store.load())?.needsRecoveryCode, false);
    await alice.close();
    // The next connect logs in as the same device and makes no new code.
    const again = deviceClient('alice', 'Laptop', store, await keyOf(alice));
    assert.equal((await again.connect()).device, device.id);
    assert.equal(await again.devices!.takeRecoveryCode(), undefined);
  });

  it('links a second computer with the code it shows; messages from either device reach both and the classmate', async () => {
    const alice = deviceClient('alice', 'Laptop', new MemoryDeviceKeyStore());
    const bob = deviceClient('bob', 'Bob PC', new MemoryDeviceKeyStore());
    await alice.connect();
    await bob.connect();
    await until(() => alice.roster.has('bob'), 'alice sees bob');
    await alice.verify('bob');
    const labStore = new MemoryDeviceKeyStore();
    const labTrust = new MemoryTrustStore();
    await link(alice, 'Lab PC 12', labStore, undefined, labTrust);
    assert.equal((await labTrust.load()).get('bob')?.verified, true, 'the primary’s verified mark came with the bundle');
    const lab = deviceClient('alice', 'Lab PC 12', labStore, new MemoryKeyStore(), { trustStore: labTrust });
    await lab.connect();
    assert.equal(lab.keyTrust('bob'), 'verified');
    await until(() => alice.devices!.list().length === 2 && lab.devices!.list().length === 2 && bob.devices!.lists!.trusted('alice')?.devices.length === 2, 'both lists of two');
    assert.deepEqual(alice.devices!.list().map((d) => d.label).sort(), ['Lab PC 12', 'Laptop']);
    const [laptopIn, labIn, bobIn] = [inbox(alice), inbox(lab), inbox(bob)];

    await bob.sendText('alice', 'to both of your computers');
    await until(() => laptopIn.length === 1 && labIn.length === 1, 'bob’s message on both devices');
    for (const message of [laptopIn[0], labIn[0]]) assert.deepEqual([message.text, message.encrypted, message.from], ['to both of your computers', true, 'bob']);

    await lab.sendText('bob', 'from the lab');
    await until(() => bobIn.length === 1 && laptopIn.length === 2, 'the lab’s message at bob and on the laptop');
    assert.equal(bobIn[0].text, 'from the lab');
    assert.deepEqual([laptopIn[1].text, laptopIn[1].from, laptopIn[1].to], ['from the lab', 'alice', 'bob']);

    await alice.sendText('bob', 'from the laptop');
    await until(() => bobIn.length === 2 && labIn.length === 2, 'the laptop’s message at bob and in the lab');
    assert.equal(labIn[1].text, 'from the laptop');
    // One person, one safety number, whichever device asks.
    assert.equal(await lab.safetyNumber('bob'), await alice.safetyNumber('bob'));
  });

  it('a wrong code typed on the primary cancels the link: nothing is saved', async () => {
    const alice = deviceClient('alice', 'Laptop', new MemoryDeviceKeyStore());
    await alice.connect();
    const labStore = new MemoryDeviceKeyStore();
    await assert.rejects(link(alice, 'Lab PC', labStore, (code) => (code === '000 000' ? '000 001' : '000 000')), /codes|mismatch/);
    assert.equal(await labStore.load(), undefined);
    assert.equal(alice.devices!.list().length, 1);
  });

  it('removing a device logs it out; it cannot log in again and new messages are not sealed to it', async () => {
    const proxy = await LineProxy.start(t.port);
    try {
      const alice = deviceClient('alice', 'Laptop', new MemoryDeviceKeyStore());
      const bob = deviceClient('bob', 'Bob PC', new MemoryDeviceKeyStore(), new MemoryKeyStore(), { port: proxy.port });
      await alice.connect();
      await bob.connect();
      const labStore = new MemoryDeviceKeyStore();
      await link(alice, 'Lab PC', labStore);
      const lab = deviceClient('alice', 'Lab PC', labStore);
      await lab.connect();
      const labId = (await labStore.load())!.device.id;
      await until(() => bob.devices!.lists!.trusted('alice')?.devices.length === 2, 'bob sees two devices');
      const closed = nextEvent(lab, 'state', (state) => state.state === 'closed');
      await alice.devices!.remove(labId);
      const [state] = await closed;
      assert.equal(state.state === 'closed' && (state.error as { code?: string } | undefined)?.code, 'device_removed');
      assert.deepEqual(alice.devices!.list().map((d) => d.label), ['Laptop']);
      await until(() => bob.devices!.lists!.trusted('alice')?.devices.length === 1, 'bob sees one device');

      const laptopIn = inbox(alice);
      await bob.sendText('alice', 'after the removal');
      await until(() => laptopIn.length === 1, 'the laptop gets it');
      assert.equal(laptopIn[0].text, 'after the removal');
      const sends = proxy.received().toString().split('\n').filter((line) => line.includes('"type":"send"'));
      assert.equal(sends.length, 1);
      assert.ok(!sends[0].includes(labId), 'no key for the removed device');
      const again = deviceClient('alice', 'Lab PC', labStore);
      await assert.rejects(again.connect(), (error: { code?: string }) => error.code === 'device_removed');
    } finally {
      await proxy.close();
    }
  });

  it('recovers the name with the recovery code on a new computer; a wrong code is refused', async () => {
    const alice = deviceClient('alice', 'Laptop', new MemoryDeviceKeyStore());
    const bob = deviceClient('bob', 'Bob PC', new MemoryDeviceKeyStore());
    await alice.connect();
    await bob.connect();
    const code = (await alice.devices!.takeRecoveryCode())!;
    const oldKey = (await keyOf(alice)).load();
    await alice.close();

    const sodium = await sodiumReady();
    const newStore = new MemoryDeviceKeyStore();
    const newKeys = new MemoryKeyStore();
    const wrong = generateRecoveryCode(sodium);
    await assert.rejects(recoverDevice({ host: '127.0.0.1', port: t.port, name: 'alice', code: wrong, label: 'New laptop', store: newStore, keyStore: newKeys }), (error) => error instanceof RecoveryError && error.problem === 'wrong_code');
    await assert.rejects(recoverDevice({ host: '127.0.0.1', port: t.port, name: 'alice', code: code.slice(0, -1) + (code.endsWith('0') ? '1' : '0'), label: 'x', store: newStore, keyStore: newKeys }), (error) => error instanceof RecoveryError && error.problem === 'mistyped');
    assert.equal(await newStore.load(), undefined);
    assert.equal(await newKeys.load(), undefined);

    await recoverDevice({ host: '127.0.0.1', port: t.port, name: 'alice', code: code.toLowerCase(), label: 'New laptop', store: newStore, keyStore: newKeys });
    assert.equal((await newKeys.load())?.publicKey, (await oldKey)?.publicKey, 'the same identity: classmates keep their pins');
    const recovered = deviceClient('alice', 'New laptop', newStore, newKeys);
    await recovered.connect();
    const fresh = await recovered.devices!.takeRecoveryCode();
    assert.ok(fresh && fresh !== code, 'a new recovery code');
    await until(() => bob.devices!.lists!.trusted('alice')?.version === 2, 'bob accepts the new list');
    assert.deepEqual(recovered.devices!.list().map((d) => d.label), ['New laptop']);
    const received = inbox(recovered);
    await bob.sendText('alice', 'welcome back');
    await until(() => received.length === 1, 'the message');
    assert.equal(received[0].text, 'welcome back');
  });

  it('a server that substitutes a device key is detected: a warning, and nothing is sent to that person', async () => {
    const alice = deviceClient('alice', 'Laptop', new MemoryDeviceKeyStore());
    await alice.connect();
    const sodium = await sodiumReady();
    const forged = Buffer.from(sodium.crypto_sign_keypair().publicKey).toString('base64');
    const proxy = await LineProxy.start(t.port);
    proxy.rewrite = (line) => {
      const frame = JSON.parse(line) as { type: string; list?: { user: string; devices: Array<{ publicKey: string }> } };
      if (frame.type === 'device_list' && frame.list?.user === 'alice') frame.list.devices[0].publicKey = forged;
      return JSON.stringify(frame);
    };
    try {
      const bob = deviceClient('bob', 'Bob PC', new MemoryDeviceKeyStore(), new MemoryKeyStore(), { port: proxy.port });
      const warned = nextEvent(bob, 'deviceWarning');
      await bob.connect();
      const [warning] = await warned;
      assert.deepEqual([warning.user, warning.problem], ['alice', 'bad_signature']);
      assert.match(warning.text, /alice did not sign/);
      assert.throws(() => bob.queueText('alice', 'secret'), (error: { code?: string }) => error.code === 'key_changed');
      assert.ok(!proxy.received().toString().includes('"type":"send"'), 'nothing was sent');
    } finally {
      await proxy.close();
    }
  });
});

/** The key store holding `client`'s identity (the options it was made with). */
async function keyOf(client: ChatClient): Promise<MemoryKeyStore> {
  return (client as unknown as { options: ChatClientOptions }).options.keyStore as MemoryKeyStore;
}
