/**
 * The v4 device frames against a real server, frame by frame (PROTOCOL.md 22.11): bad device
 * lists, a sixth device, a replayed old list, link frames for links that do not exist, keys that
 * do not match the lists. Each gets its documented error code, and the server carries on.
 */
import { strict as assert } from 'node:assert';
import { signDeviceLogin } from '../../src/crypto/device-login';
import { DeviceList, signDeviceList, UnsignedDeviceList } from '../../src/crypto/device-list';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { Sodium, sodiumReady, toBase64 } from '../../src/crypto/sodium';
import { generateDeviceKeys, DeviceKeys } from '../../src/client/devices';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('v4 device frames: bad input gets a clear error code', function () {
  this.timeout(20_000);
  let t: TestServer;
  let sodium: Sodium;
  const clients: RawClient[] = [];

  before(async () => {
    sodium = await sodiumReady();
  });
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await t.close();
  });

  const entry = (device: DeviceKeys, added = 1) => ({ id: device.id, publicKey: device.publicKey, label: device.label, added });
  const list = (identity: Identity, name: string, version: number, devices: DeviceKeys[], primary = devices[0]): DeviceList => {
    const unsigned: UnsignedDeviceList = { user: name, version, primary: primary.id, devices: devices.map((d) => entry(d)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
    return signDeviceList(sodium, identity, unsigned);
  };

  async function v4Login(name: string, identity: Identity, device: DeviceKeys, deviceList?: unknown): Promise<RawClient> {
    const client = await RawClient.open(t.port);
    clients.push(client);
    client.send({ type: 'login', v: 4, name, publicKey: identity.publicKey, device: device.id, signature: signDeviceLogin(sodium, device.secretKey, client.hello.challenge, name, device.id), ...(deviceList ? { deviceList } : {}) });
    return client;
  }

  async function alice(): Promise<{ identity: Identity; laptop: DeviceKeys; client: RawClient }> {
    const identity = await generateIdentity();
    const laptop = generateDeviceKeys(sodium, 'Laptop');
    const client = await v4Login('alice', identity, laptop, list(identity, 'alice', 1, [laptop]));
    const welcome = await client.next('welcome');
    assert.equal(welcome.device, laptop.id);
    await client.next('synced');
    return { identity, laptop, client };
  }

  async function stillServes(): Promise<void> {
    const { client } = await RawClient.login(t.port, `check${Date.now() % 100000}`);
    clients.push(client);
  }

  it('refuses a first v4 login without a list, with a list the identity did not sign, or one that does not list the device', async () => {
    const identity = await generateIdentity();
    const laptop = generateDeviceKeys(sodium, 'Laptop');
    const cases: Array<[string, unknown]> = [
      ['no list', undefined],
      ['signed by another key', list(await generateIdentity(), 'alice', 1, [laptop])],
      ['another device', list(identity, 'alice', 1, [generateDeviceKeys(sodium, 'Other')])],
      ['version 2 first', list(identity, 'alice', 2, [laptop])],
    ];
    for (const [what, deviceList] of cases) {
      const client = await v4Login('alice', identity, laptop, deviceList);
      const error = await client.next('error');
      assert.deepEqual([error.code, error.fatal], ['bad_device_list', true], what);
      await client.waitClosed();
    }
    assert.equal(t.server.users.has('alice'), false, 'no login registered the name');
    await stillServes();
  });

  it('refuses malformed and oversized lists as frames (invalid_frame) and unsorted or repeated ones (bad_device_list)', async () => {
    const { identity, laptop, client } = await alice();
    const six = Array.from({ length: 6 }, (_, i) => generateDeviceKeys(sodium, `PC ${i}`));
    const unsigned = { user: 'alice', version: 2, primary: laptop.id, devices: [laptop, ...six].map((d) => entry(d)) };
    client.send({ type: 'device_list_set', rid: 'six', list: { ...unsigned, signature: toBase64(sodium, new Uint8Array(64)) } });
    assert.equal((await client.next('error', (e) => e.rid === 'six')).code, 'invalid_frame');
    client.send({ type: 'device_list_set', rid: 'label', list: { ...list(identity, 'alice', 2, [laptop]), devices: [{ ...entry(laptop), label: 'x'.repeat(65) }] } });
    assert.equal((await client.next('error', (e) => e.rid === 'label')).code, 'invalid_frame');
    const other = generateDeviceKeys(sodium, 'Other');
    const sorted = list(identity, 'alice', 2, [laptop, other]);
    const unsortedList = { ...sorted, devices: [...sorted.devices].reverse() };
    client.send({ type: 'device_list_set', rid: 'order', list: unsortedList });
    const order = await client.next('error', (e) => e.rid === 'order');
    assert.equal(order.code, 'bad_device_list');
    assert.match(order.message, /not_sorted/);
    assert.equal(order.fatal, false);
    await stillServes();
  });

  it('refuses a replayed old list version, at login and in device_list_set', async () => {
    const { identity, laptop, client } = await alice();
    const lab = generateDeviceKeys(sodium, 'Lab');
    client.send({ type: 'device_list_set', rid: 'v2', list: list(identity, 'alice', 2, [laptop, lab], laptop) });
    await client.next('done', (d) => d.rid === 'v2');
    client.send({ type: 'device_list_set', rid: 'old', list: list(identity, 'alice', 1, [laptop]) });
    const refused = await client.next('error', (e) => e.rid === 'old');
    assert.equal(refused.code, 'bad_device_list');
    assert.match(refused.message, /not_newer/);
    const replay = await v4Login('alice', identity, laptop, list(identity, 'alice', 2, [laptop, lab], laptop));
    assert.equal((await replay.next('error')).code, 'bad_device_list');
    assert.equal((await t.server.store.listDevices())[0].list.version, 2);
  });

  it('refuses a sixth device (too_many_devices), and a device that is not listed (unknown_device)', async () => {
    const { identity, laptop, client } = await alice();
    const others = Array.from({ length: 4 }, (_, i) => generateDeviceKeys(sodium, `PC ${i}`));
    client.send({ type: 'device_list_set', rid: 'five', list: list(identity, 'alice', 2, [laptop, ...others], laptop) });
    await client.next('done', (d) => d.rid === 'five');
    const newcomer = generateDeviceKeys(sodium, 'Sixth');
    const asking = await RawClient.open(t.port);
    clients.push(asking);
    asking.send({ type: 'link_request', rid: 'l6', name: 'alice', device: newcomer.id, deviceKey: newcomer.publicKey, ephemeralKey: newcomer.publicKey, label: 'Sixth', commitment: newcomer.publicKey });
    assert.equal((await asking.next('error', (e) => e.rid === 'l6')).code, 'too_many_devices');
    const stranger = await v4Login('alice', identity, newcomer);
    assert.deepEqual(await stranger.next('error').then((e) => [e.code, e.fatal]), ['unknown_device', true]);
  });

  it('answers link frames for a link that does not exist with unknown_link, before and after login', async () => {
    const { client } = await alice();
    const key = toBase64(sodium, new Uint8Array(32));
    client.send({ type: 'link_nonce', link: 'nope', nonce: key });
    client.send({ type: 'link_cancel', link: 'nope', reason: 'cancelled' });
    for (const _ of [1, 2]) assert.equal((await client.next('error', (e) => e.rid === 'nope')).code, 'unknown_link');
    const before = await RawClient.open(t.port);
    clients.push(before);
    before.send({ type: 'link_reveal', link: 'nope', nonce: key });
    assert.equal((await before.next('error')).code, 'unknown_link');
    before.send({ type: 'link_request', rid: 'q', name: 'nobody', device: 'dev', deviceKey: key, ephemeralKey: key, label: 'PC', commitment: key });
    assert.equal((await before.next('error', (e) => e.rid === 'q')).code, 'unknown_user');
    await stillServes();
  });

  it('refuses keys that do not name exactly the current devices (device_list_changed, after sending the lists), and keys from v3', async () => {
    const a = await alice();
    const bobIdentity = await generateIdentity();
    const bobPc = generateDeviceKeys(sodium, 'Bob PC');
    const bob = await v4Login('bob', bobIdentity, bobPc, list(bobIdentity, 'bob', 1, [bobPc]));
    await bob.next('synced');
    const keyBox = (user: string, device: string) => ({ user, device, nonce: toBase64(sodium, new Uint8Array(24)), ciphertext: toBase64(sodium, new Uint8Array(96)) });
    const box = { nonce: toBase64(sodium, new Uint8Array(24)), ciphertext: toBase64(sodium, new Uint8Array(40)) };
    a.client.send({ type: 'send', id: 'k1', to: 'bob', box, keys: [keyBox('bob', 'not-a-device')] });
    const lists = await a.client.next('device_list', (frame) => frame.list.user === 'bob');
    assert.equal(lists.list.devices[0].id, bobPc.id);
    assert.equal((await a.client.next('error', (e) => e.id === 'k1')).code, 'device_list_changed');
    a.client.send({ type: 'send', id: 'k2', to: 'bob', box, keys: [keyBox('bob', bobPc.id), keyBox('bob', bobPc.id)] });
    assert.equal((await a.client.next('error', (e) => e.id === 'k2')).code, 'device_list_changed');
    a.client.send({ type: 'send', id: 'k3', to: 'bob', box, keys: [keyBox('bob', bobPc.id)] });
    assert.equal((await a.client.next('sent', (s) => s.id === 'k3')).duplicate, false);
    const delivered = await bob.next('msg', (m) => m.id === 'k3');
    assert.deepEqual([delivered.device, delivered.key?.ciphertext], [a.laptop.id, keyBox('bob', bobPc.id).ciphertext]);
    // A v3 session of bob (the identity key: the legacy device) sees neither lists nor keyed messages.
    const { client: legacy } = await RawClient.login(t.port, 'bob', bobIdentity, { v: 3 });
    clients.push(legacy);
    a.client.send({ type: 'send', id: 'k4', to: 'bob', box, keys: [keyBox('bob', bobPc.id)] });
    await bob.next('msg', (m) => m.id === 'k4');
    legacy.send({ type: 'ping', rid: 'p' });
    await legacy.next('pong');
    assert.deepEqual(legacy.frames.filter((f) => f.type === 'device_list' || f.type === 'msg'), []);
    legacy.send({ type: 'send', id: 'k5', to: 'alice', box, keys: [keyBox('alice', a.laptop.id)] });
    assert.equal((await legacy.next('error', (e) => e.id === 'k5')).code, 'invalid_frame');
  });
});
