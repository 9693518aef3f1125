/**
 * The linked-devices fuzz's real side (issue 18): a real server and, per user, a primary device and
 * the devices linked to it, each a DeviceSession that comes and goes. It records what each device
 * must receive (every message sealed to it: the recipient's devices and the sender's other
 * devices at the time of the send) and checks what it did receive: that text, opened, once, in
 * seq order, and nothing else.
 */
import { strict as assert } from 'node:assert';
import { approveLink, createPrimary, DeviceKeys, DeviceSession, linkNewDevice, ReceivedMessage } from '../../src/client/devices';
import type { DeviceListWire } from '../../src/protocol/device-frames';
import type { Identity } from '../../src/crypto/identity';
import { startTestServer, TestServer } from '../helpers/test-server';
import type { FuzzHarness } from './fuzz-options';

const HOST = '127.0.0.1';
const WAIT_MS = 8000;

async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Device {
  /** The model's name for it: `user#n`. */
  name: string;
  user: string;
  keys: DeviceKeys;
  session?: DeviceSession;
  removed: boolean;
  received: ReceivedMessage[];
  /** Message id → text, for everything sealed to this device. */
  expected: Map<string, string>;
  /** Its own user's list as it trusted it when it went offline. */
  ownList?: DeviceListWire;
}

interface User {
  identity: Identity;
  primary: Device;
  devices: Device[];
}

export class DeviceHarness implements FuzzHarness {
  private readonly users = new Map<string, User>();
  private readonly devices = new Map<string, Device>();
  private acknowledged = 0;
  private nextDevice = 0;

  private constructor(private readonly server: TestServer) {}

  static async start(names: readonly string[]): Promise<DeviceHarness> {
    const harness = new DeviceHarness(await startTestServer());
    try {
      for (const name of names) {
        const created = await createPrimary({ host: HOST, port: harness.server.port, name, label: `${name}#0` });
        const primary = harness.track(name, created.session.device, created.session);
        harness.users.set(name, { identity: created.identity, primary, devices: [primary] });
      }
      await harness.converge();
    } catch (error) {
      await harness.close();
      throw error;
    }
    return harness;
  }

  get ledger() {
    return { acknowledgedCount: this.acknowledged, shownCount: [...this.devices.values()].reduce((sum, device) => sum + device.received.length, 0) };
  }

  /** Sends from one device and records who must get it. */
  async send(deviceName: string, to: string, text: string): Promise<void> {
    const device = this.device(deviceName);
    const session = device.session!;
    const seq = await session.sendPrivate(to, text);
    assert.ok(seq > 0, 'a seq');
    this.acknowledged++;
    // The sending device is never sent its own message (to yourself: your other devices are).
    const targets = new Set([...this.current(to), ...this.current(device.user)]);
    targets.delete(device);
    const messageId = await this.idOf(seq);
    for (const target of targets) target.expected.set(messageId, text);
  }

  /** Links a new device to `user` (the primary approves the code the new device shows); returns its name. */
  async link(user: string): Promise<string> {
    const owner = this.users.get(user)!;
    const primary = owner.primary.session!;
    let shown: ((code: string) => void) | undefined;
    const code = new Promise<string>((resolve) => (shown = resolve));
    const approved = new Promise<void>((resolve, reject) => {
      primary.once('link_request', (request) => approveLink(primary, request, () => code).then(resolve, reject));
    });
    const label = `${user}#${++this.nextDevice}`;
    const linked = linkNewDevice({ host: HOST, port: this.server.port, name: user, label, confirm: async (value) => (shown!(value), true) });
    const [session] = await Promise.all([linked, approved]);
    const device = this.track(user, session.device, session);
    owner.devices.push(device);
    await this.converge();
    return device.name;
  }

  /** The primary removes a device: if online it is logged out with device_removed. */
  async remove(deviceName: string): Promise<void> {
    const device = this.device(deviceName);
    const owner = this.users.get(device.user)!;
    const closed = device.session && new Promise<string | undefined>((resolve) => device.session!.once('closed', resolve));
    await owner.primary.session!.removeDevice(device.keys.id);
    device.removed = true;
    if (closed) assert.equal(await closed, 'device_removed', `${deviceName} logged out as removed`);
    device.session = undefined;
    await this.converge();
  }

  /** Logs a device out (bye, after its acks). */
  async goOffline(deviceName: string): Promise<void> {
    const device = this.device(deviceName);
    const session = device.session!;
    const closed = new Promise((resolve) => session.once('closed', resolve));
    device.ownList = session.lists.trusted(device.user);
    session.close();
    await closed;
    device.session = undefined;
    await until(() => !this.server.server.sessions.forUser(device.user).some((s) => s.device === device.keys.id), `${deviceName}'s session to end on the server`);
  }

  /** Logs a device in again with what it trusted; its backlog arrives before login resolves. */
  async comeBack(deviceName: string): Promise<void> {
    const device = this.device(deviceName);
    const owner = this.users.get(device.user)!;
    const lists = device.ownList ? [device.ownList] : [];
    device.session = await DeviceSession.login({
      host: HOST,
      port: this.server.port,
      name: device.user,
      identityKey: owner.identity.publicKey,
      device: device.keys,
      ...(device === owner.primary ? { identity: owner.identity } : {}),
      lists,
      onMessage: (message) => device.received.push(message),
    });
    this.watch(device);
    await this.converge();
  }

  /** Every device online, every message delivered; then checks each device's inbox. */
  async quiesce(): Promise<void> {
    for (const device of this.devices.values()) if (!device.removed && !device.session) await this.comeBack(device.name);
    for (const device of this.devices.values()) {
      if (device.removed) continue;
      await until(() => device.received.length >= device.expected.size, `${device.name} to receive ${device.expected.size} messages (has ${device.received.length})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.assertClean();
  }

  /** What each device received so far is sealed to it, opened, once and in order. */
  assertClean(): void {
    for (const device of this.devices.values()) {
      const seqs = device.received.map((message) => message.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${device.name} got messages in seq order`);
      assert.equal(new Set(seqs).size, seqs.length, `${device.name} got no message twice: ${seqs.join(',')}`);
      for (const message of device.received) {
        const text = device.expected.get(message.id);
        assert.ok(text !== undefined, `${device.name} got ${message.id} from ${message.from}, which was not sealed to it`);
        assert.equal(message.problem, undefined, `${device.name} could open ${message.id} from ${message.from}/${message.device}`);
        assert.equal(message.text, text, `${device.name} read the text of ${message.id}`);
      }
      for (const warning of device.session?.warnings ?? []) assert.fail(`${device.name} was warned: ${warning.text}`);
    }
  }

  async close(): Promise<void> {
    for (const device of this.devices.values()) device.session?.close();
    await this.server.close();
  }

  private track(user: string, keys: DeviceKeys, session: DeviceSession): Device {
    const device: Device = { name: keys.label, user, keys, session, removed: false, received: [], expected: new Map() };
    this.devices.set(device.name, device);
    this.watch(device);
    return device;
  }

  private watch(device: Device): void {
    const session = device.session!;
    if (session.listenerCount('message') === 0) session.on('message', (message) => device.received.push(message));
  }

  private device(name: string): Device {
    const device = this.devices.get(name);
    if (!device) throw new Error(`no device ${name}`);
    return device;
  }

  /** The user's devices in its current list. */
  private current(user: string): Device[] {
    return this.users.get(user)!.devices.filter((device) => !device.removed);
  }

  /** Waits until every online session trusts every user's newest list. */
  private async converge(): Promise<void> {
    const records = await this.server.store.listDevices();
    for (const [user] of this.users) {
      const version = records.find((record) => record.name === user)?.list.version ?? 0;
      for (const device of this.devices.values()) {
        const session = device.session;
        if (!session) continue;
        await until(() => (session.lists.trusted(user)?.version ?? 0) >= version, `${device.name} to trust ${user}'s list v${version}`);
      }
    }
  }

  private async idOf(seq: number): Promise<string> {
    const stored = await this.server.store.findBySeq(seq);
    if (!stored) throw new Error(`no message at seq ${seq}`);
    return stored.id;
  }
}
