/**
 * Linked devices end to end (issue 18, PROTOCOL.md 22): the client library in src/client/devices
 * against a real server on 127.0.0.1 with real libsodium. Link, send from either device, receive
 * on both, remove one, recover with the code, wrong code refused, substituted device key detected.
 */
import { strict as assert } from 'node:assert';
import { createServer, Server, Socket } from 'node:net';
import { approveLink, createPrimary, DeviceSession, linkNewDevice, LinkError, ReceivedMessage, recoverName, RecoveryError } from '../../src/client/devices';
import { generateRecoveryCode } from '../../src/crypto/recovery-code';
import { sodiumReady } from '../../src/crypto/sodium';
import { startTestServer, TestServer } from '../helpers/test-server';

function inbox(session: DeviceSession): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  session.on('message', (message) => messages.push(message));
  return messages;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Links a second device to `primary`'s name; `typed` turns the new device's code into what the user types on the primary. */
async function link(t: TestServer, primary: DeviceSession, label: string, typed: (code: string) => string = (code) => code): Promise<DeviceSession> {
  let shown: ((code: string) => void) | undefined;
  const code = new Promise<string>((resolve) => (shown = resolve));
  const approved = new Promise<void>((resolve, reject) => {
    primary.once('link_request', (request) => approveLink(primary, request, async () => typed(await code)).then(resolve, reject));
  });
  const linked = linkNewDevice({ host: '127.0.0.1', port: t.port, name: primary.name, label, confirm: async (value) => (shown!(value), true) });
  const [session] = await Promise.all([linked, approved]);
  return session;
}

describe('linked devices (client library against a real server)', function () {
  this.timeout(30_000);
  let t: TestServer;
  const open: DeviceSession[] = [];
  const track = <T extends { session: DeviceSession } | DeviceSession>(value: T): T => {
    open.push('session' in value ? value.session : value);
    return value;
  };

  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    for (const session of open.splice(0)) session.close();
    await t.close();
  });

  const primary = async (name: string, label: string) => track(await createPrimary({ host: '127.0.0.1', port: t.port, name, label }));

  it('links a second device after the user compares the code; both see a list of two signed by the identity', async () => {
    const alice = await primary('alice', 'Laptop');
    const lab = track(await link(t, alice.session, 'Lab PC 12'));
    assert.equal(lab.identityKey, alice.identity.publicKey);
    assert.deepEqual(lab.ownDevices().map((d) => d.label).sort(), ['Lab PC 12', 'Laptop']);
    await until(() => alice.session.ownDevices().length === 2, 'the primary to see two devices');
    assert.equal(alice.session.isPrimary, true);
    assert.equal(lab.isPrimary, false);
    assert.match(alice.recoveryCode, /^([0-9A-HJKMNP-TV-Z]{5}-){5}[0-9A-HJKMNP-TV-Z]{5}$/);
  });

  it('refuses the link when the code typed on the primary differs, and adds no device', async () => {
    const alice = await primary('alice', 'Laptop');
    const wrong = (code: string) => (code.startsWith('0') ? '1' : '0') + code.slice(1);
    await assert.rejects(link(t, alice.session, 'Lab PC 12', wrong), (error: unknown) => error instanceof LinkError && error.problem === 'mismatch');
    assert.equal(alice.session.ownDevices().length, 1);
  });

  it('delivers a private message sent from either device to the recipient, and a copy to the other device, each once', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const lab = track(await link(t, alice.session, 'Lab PC 12'));
    const [laptopIn, labIn, bobIn] = [inbox(alice.session), inbox(lab), inbox(bob.session)];
    await until(() => bob.session.lists.trusted('alice')?.devices.length === 2, "bob to have alice's two devices");

    await alice.session.sendPrivate('bob', 'from the laptop');
    await lab.sendPrivate('bob', 'from the lab');
    await bob.session.sendPrivate('alice', 'to both of you');
    await until(() => bobIn.length === 2 && laptopIn.length === 2 && labIn.length === 2, 'every copy');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const texts = (messages: ReceivedMessage[]) => messages.map((m) => `${m.from}>${m.to}: ${m.text ?? m.problem}`).sort();
    assert.deepEqual(texts(bobIn), ['alice>bob: from the lab', 'alice>bob: from the laptop']);
    assert.deepEqual(texts(laptopIn), ['alice>bob: from the lab', 'bob>alice: to both of you']);
    assert.deepEqual(texts(labIn), ['alice>bob: from the laptop', 'bob>alice: to both of you']);
    assert.equal(bobIn.find((m) => m.text === 'from the lab')?.device, lab.device.id);
  });

  it('stores a note to yourself from your only device, and refuses keys that leave out a device of the recipient', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const seq = await alice.session.sendPrivate('alice', 'note to self');
    assert.deepEqual((await t.server.store.findBySeq(seq))?.keys, []);
    await until(() => alice.session.lists.trusted('bob') !== undefined, "alice to have bob's list");
    // Empty keys to someone else names none of their devices: refused, and the lists are sent again.
    alice.session.write({ type: 'send', id: 'empty-keys', to: 'bob', box: { nonce: 'A'.repeat(32), ciphertext: 'AAAA' }, keys: [] });
    await assert.rejects(alice.session.next('sent', (frame) => frame.id === 'empty-keys', (error) => error.id === 'empty-keys'), (error: { code?: string }) => error.code === 'device_list_changed');
    void bob;
  });

  it('keeps each device its own cursor: a device that was offline gets what it missed, once', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const lab = await link(t, alice.session, 'Lab PC 12');
    const labKeys = lab.device;
    await until(() => bob.session.lists.trusted('alice')?.devices.length === 2, "bob to have alice's two devices");
    lab.close();
    await until(() => t.server.roster().length === 2, 'the roster');
    await bob.session.sendPrivate('alice', 'while the lab was off');
    const relogin = async (missed: ReceivedMessage[]) =>
      track(await DeviceSession.login({ host: '127.0.0.1', port: t.port, name: 'alice', identityKey: alice.identity.publicKey, device: labKeys, lists: [alice.session.lists.trusted('alice')!], onMessage: (m) => missed.push(m) }));
    const missed: ReceivedMessage[] = [];
    const again = await relogin(missed);
    await until(() => missed.length === 1, 'the missed message');
    assert.equal(missed[0].text, 'while the lab was off');
    // The laptop, online all along, got it too; the lab's ack moved only the lab's cursor.
    await new Promise((resolve) => setTimeout(resolve, 300));
    again.close();
    await until(() => t.server.sessions.forUser('alice').length === 1, 'the lab to log out');
    const none: ReceivedMessage[] = [];
    await relogin(none);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(none, [], 'nothing twice');
  });

  it('removes a device: it is logged out, cannot log in again, and nothing sent after is sealed to it', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const lab = track(await link(t, alice.session, 'Lab PC 12'));
    await until(() => bob.session.lists.trusted('alice')?.devices.length === 2, "bob to have alice's two devices");
    const closed = new Promise<string | undefined>((resolve) => lab.once('closed', resolve));
    await alice.session.removeDevice(lab.device.id);
    assert.equal(await closed, 'device_removed');
    await until(() => bob.session.lists.trusted('alice')?.devices.length === 1, "bob to see alice's new list");
    const seq = await bob.session.sendPrivate('alice', 'after the removal');
    const stored = await t.server.store.findBySeq(seq);
    assert.deepEqual(stored?.keys?.map((key) => `${key.user}/${key.device}`), [`alice/${alice.session.device.id}`]);
    await assert.rejects(
      DeviceSession.login({ host: '127.0.0.1', port: t.port, name: 'alice', identityKey: alice.identity.publicKey, device: lab.device }),
      (error: { code?: string }) => error.code === 'device_removed',
    );
  });

  it('opens what a device sent before it was removed, for a classmate who was offline meanwhile, marked as from a removed device', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const lab = track(await link(t, alice.session, 'Lab PC 12'));
    await until(() => lab.lists.trusted('bob') !== undefined, "the lab to have bob's list");
    const bobKeys = { device: bob.session.device, identity: bob.identity };
    bob.session.close();
    await until(() => t.server.sessions.forUser('bob').length === 0, 'bob to log out');
    await lab.sendPrivate('bob', 'from the lab, before it was removed');
    await alice.session.removeDevice(lab.device.id);
    const missed: ReceivedMessage[] = [];
    track(await DeviceSession.login({ host: '127.0.0.1', port: t.port, name: 'bob', identityKey: bobKeys.identity.publicKey, device: bobKeys.device, identity: bobKeys.identity, onMessage: (m) => missed.push(m) }));
    await until(() => missed.length === 1, 'the message bob missed');
    assert.equal(missed[0].text, 'from the lab, before it was removed');
    assert.equal(missed[0].removedDevice, true);
    assert.equal(missed[0].problem, undefined);
  });

  it('recovers the name with the recovery code on a new device: old devices are dropped, classmates keep the same identity', async () => {
    const alice = await primary('alice', 'Laptop');
    const bob = await primary('bob', 'Bob PC');
    const oldClosed = new Promise<string | undefined>((resolve) => alice.session.once('closed', resolve));
    const recovered = track(await recoverName({ host: '127.0.0.1', port: t.port, name: 'alice', code: alice.recoveryCode.toLowerCase(), label: 'New laptop' }));
    assert.equal(await oldClosed, 'device_removed');
    assert.equal(recovered.session.identityKey, alice.identity.publicKey);
    assert.equal(recovered.session.isPrimary, true);
    assert.notEqual(recovered.recoveryCode, alice.recoveryCode);
    const received = inbox(recovered.session);
    await until(() => bob.session.lists.trusted('alice')?.devices[0].id === recovered.session.device.id, "bob to see alice's recovered list");
    await bob.session.sendPrivate('alice', 'welcome back');
    await until(() => received.some((m) => m.text === 'welcome back'), 'the message on the recovered device');
  });

  it('refuses a wrong recovery code (and a mistyped one before asking the server)', async () => {
    const alice = await primary('alice', 'Laptop');
    const sodium = await sodiumReady();
    const someoneElses = generateRecoveryCode(sodium);
    await assert.rejects(recoverName({ host: '127.0.0.1', port: t.port, name: 'alice', code: someoneElses, label: 'Thief' }), (error: unknown) => error instanceof RecoveryError && error.problem === 'wrong_code');
    const mistyped = alice.recoveryCode.slice(0, -1) + (alice.recoveryCode.endsWith('0') ? '1' : '0');
    await assert.rejects(recoverName({ host: '127.0.0.1', port: t.port, name: 'alice', code: mistyped, label: 'Me' }), (error: unknown) => error instanceof RecoveryError && error.problem === 'mistyped');
    // The name still has its one device.
    assert.equal((await t.server.store.listDevices()).find((r) => r.name === 'alice')!.list.devices.length, 1);
  });

  it('detects a server that substitutes a device key: the user is warned and nothing is sent to the forged key', async () => {
    const alice = await primary('alice', 'Laptop');
    const sodium = await sodiumReady();
    const forged = Buffer.from(sodium.crypto_sign_keypair().publicKey).toString('base64');
    // A hostile server: a proxy that swaps alice's device key in every device_list it relays to bob.
    const sent: string[] = [];
    const proxy = await startProxy(t.port, (line) => {
      const frame = JSON.parse(line) as { type: string; list?: { user: string; devices: Array<{ publicKey: string }> } };
      if (frame.type === 'device_list' && frame.list?.user === 'alice') frame.list.devices[0].publicKey = forged;
      return JSON.stringify(frame);
    }, (line) => sent.push(line));
    try {
      const bob = track(await createPrimary({ host: '127.0.0.1', port: proxy.port, name: 'bob', label: 'Bob PC' }));
      await until(() => bob.session.warnings.some((w) => w.user === 'alice'), 'the warning');
      assert.equal(bob.session.warnings[0].problem, 'bad_signature');
      assert.match(bob.session.warnings[0].text, /alice did not sign/);
      await assert.rejects(bob.session.sendPrivate('alice', 'secret'), (error: { code?: string }) => error.code === 'device_list_changed');
      assert.ok(!sent.some((line) => line.includes('"send"') && line.includes('"alice"')), 'nothing was sent to alice');
      void alice;
    } finally {
      await proxy.close();
    }
  });
});

/** A line proxy in front of the server: `rewrite` changes each server line, `seen` sees each client line. */
async function startProxy(target: number, rewrite: (line: string) => string, seen: (line: string) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let buffered = '';
    upstream.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let index: number;
      while ((index = buffered.indexOf('\n')) !== -1) {
        client.write(rewrite(buffered.slice(0, index)) + '\n');
        buffered = buffered.slice(index + 1);
      }
    });
    client.on('data', (chunk) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) seen(line);
      upstream.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    port: address.port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
