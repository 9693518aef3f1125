/**
 * A v4 session of one device (PROTOCOL.md 22): logs in with the device key, keeps the device
 * lists it trusts, seals private messages to every device of the recipient and to its own other
 * devices, opens what arrives for it, and (on the primary) removes devices and stores the
 * recovery box. Linking and recovery, which start before login, are in device-link.ts and
 * device-recovery.ts.
 */
import type { DeviceListWire } from '../../protocol/device-frames';
import { ClassChatError } from '../../protocol/errors';
import type { ChatMessage, ServerFrame } from '../../protocol/frames';
import { DEVICES_VERSION } from '../../protocol/limits';
import { signDeviceLogin } from '../../crypto/device-login';
import { signDeviceList, withoutDevice } from '../../crypto/device-list';
import type { Identity } from '../../crypto/identity';
import { generateRecoveryCode, parseRecoveryCode, sealRecovery } from '../../crypto/recovery-code';
import { Sodium, sodiumReady, toBase64 } from '../../crypto/sodium';
import { Connection } from '../connection';
import { TypedEmitter } from '../typed-events';
import { openFromDevice, sealForDevices } from './device-boxes';
import { DeviceListBook, ListWarning } from './device-lists';
import { FrameWaiter } from './frame-waiter';

/** One device's own key pair and id (the secret never leaves it). */
export interface DeviceKeys {
  id: string;
  label: string;
  publicKey: string;
  secretKey: string;
}

export function generateDeviceKeys(sodium: Sodium, label: string): DeviceKeys {
  const pair = sodium.crypto_sign_keypair();
  const id = Buffer.from(sodium.randombytes_buf(9)).toString('base64url');
  return { id, label, publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
}

export interface ReceivedMessage {
  seq: number;
  id: string;
  from: string;
  to: string;
  /** The sending device (v4). */
  device?: string;
  text?: string;
  /** Sent from a device the sender has removed since (it was listed when it sent this). */
  removedDevice?: true;
  /** Why there is no text: sealed before this device was linked, by an older client, or not opened. */
  problem?: 'sealed_before_linked' | 'older_client' | 'unverified_sender' | 'could_not_decrypt' | 'misaddressed';
}

export type DeviceSessionEvents = {
  message: [message: ReceivedMessage];
  /** A device list that does not verify (a substituted key, a rollback): not used. */
  warning: [warning: ListWarning];
  /** Someone asks to link a new device to this name (22.3). */
  link_request: [request: Extract<ServerFrame, { type: 'link_request'; link: string }>];
  /** The session ended: `reason` is the server's bye or fatal error code, if any. */
  closed: [reason: string | undefined];
};

export interface DeviceLogin {
  host: string;
  port: number;
  name: string;
  identityKey: string;
  device: DeviceKeys;
  /** The identity secret: only the primary (or a recovered device) has it. */
  identity?: Identity;
  /** A new list to publish with the login (the first one, or after recovery). */
  deviceList?: DeviceListWire;
  /** Pins to start with (from the provisioning bundle): name → identity key. */
  pins?: Map<string, string>;
  /** Lists this device already trusts (its own, from the bundle). */
  lists?: DeviceListWire[];
  /** Called for every message, from the first (the backlog comes before login resolves). */
  onMessage?: (message: ReceivedMessage) => void;
  /** An open connection to log in on (the one a link ran on). */
  connection?: { connection: Connection; waiter: FrameWaiter; challenge: string };
}

/** Connects and waits for `hello`. */
export async function openConnection(host: string, port: number): Promise<{ connection: Connection; waiter: FrameWaiter; challenge: string }> {
  const connection = new Connection(host, port);
  const waiter = new FrameWaiter(connection);
  const hello = await waiter.next('hello');
  if (!hello.versions.includes(DEVICES_VERSION)) {
    connection.destroy();
    throw new ClassChatError('unsupported_version', 'this server does not serve linked devices (protocol v4)');
  }
  return { connection, waiter, challenge: hello.challenge };
}

export class DeviceSession extends TypedEmitter<DeviceSessionEvents> {
  readonly lists: DeviceListBook;
  readonly warnings: ListWarning[] = [];
  private readonly pins: Map<string, string>;
  private nextId = 0;
  private closeReason: string | undefined;

  private constructor(
    private readonly sodium: Sodium,
    readonly name: string,
    readonly identityKey: string,
    readonly device: DeviceKeys,
    private readonly identity: Identity | undefined,
    private readonly connection: Connection,
    private readonly waiter: FrameWaiter,
    pins: Map<string, string>,
  ) {
    super();
    this.pins = new Map(pins);
    this.pins.set(name, identityKey);
    this.lists = new DeviceListBook(sodium, (user) => this.pins.get(user));
  }

  /** Logs in as a device (22.5) and resolves once the backlog is delivered (`synced`). */
  static async login(options: DeviceLogin): Promise<DeviceSession> {
    const sodium = await sodiumReady();
    const { connection, waiter, challenge } = options.connection ?? (await openConnection(options.host, options.port));
    const session = new DeviceSession(sodium, options.name, options.identityKey, options.device, options.identity, connection, waiter, options.pins ?? new Map());
    for (const list of options.lists ?? []) session.lists.accept(list);
    if (options.deviceList) session.lists.accept(options.deviceList);
    if (options.onMessage) session.on('message', options.onMessage);
    connection.on('frame', (frame) => session.frame(frame));
    connection.on('close', () => session.emit('closed', session.closeReason));
    connection.write({
      type: 'login',
      v: DEVICES_VERSION,
      name: options.name,
      publicKey: options.identityKey,
      signature: signDeviceLogin(sodium, options.device.secretKey, challenge, options.name, options.device.id),
      device: options.device.id,
      ...(options.deviceList ? { deviceList: options.deviceList } : {}),
    });
    const fatal = (frame: { fatal: boolean }) => frame.fatal;
    try {
      await waiter.next('welcome', () => true, fatal);
      await waiter.next('synced', () => true, fatal);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return session;
  }

  get isPrimary(): boolean {
    return this.identity !== undefined && this.lists.trusted(this.name)?.primary === this.device.id;
  }

  /** This user's devices as the verified list says. */
  ownDevices(): DeviceListWire['devices'] {
    return this.lists.trusted(this.name)?.devices ?? [];
  }

  /**
   * Sends `text` to `to`, sealed to every device of `to`'s verified list and this user's other
   * devices. Refuses (and sends nothing) while either list is missing or did not verify.
   * Resolves with the message's seq.
   */
  async sendPrivate(to: string, text: string): Promise<number> {
    const id = `d${Date.now().toString(36)}${(this.nextId++).toString(36)}`;
    for (let attempt = 0; ; attempt++) {
      const recipient = this.lists.trusted(to);
      const own = this.lists.trusted(this.name);
      if (!recipient || !own) throw new ClassChatError('device_list_changed', `no verified device list for ${!recipient ? to : 'your own devices'}: nothing was sent`);
      const targets = [...recipient.devices.map((entry) => ({ user: to, device: entry.id, publicKey: entry.publicKey }))];
      if (to !== this.name) targets.push(...own.devices.map((entry) => ({ user: this.name, device: entry.id, publicKey: entry.publicKey })));
      const others = targets.filter((target) => !(target.user === this.name && target.device === this.device.id));
      const sealed = sealForDevices(this.sodium, this.device.secretKey, { from: this.name, to, id, text }, others, { recipient: recipient.version, sender: own.version });
      this.connection.write({ type: 'send', id, to, box: sealed.box, keys: sealed.keys });
      try {
        const sent = await this.waiter.next('sent', (frame) => frame.id === id, (error) => error.id === id);
        return sent.seq;
      } catch (error) {
        // The server sent the current lists before refusing: they are checked by now; seal again once.
        if (error instanceof ClassChatError && error.code === 'device_list_changed' && attempt === 0) continue;
        throw error;
      }
    }
  }

  /** The primary removes a device (22.7): it is logged out and gets nothing sent after. */
  async removeDevice(deviceId: string): Promise<void> {
    const list = this.lists.trusted(this.name);
    if (!this.identity || !list) throw new ClassChatError('forbidden', 'only the primary device removes devices');
    const next = signDeviceList(this.sodium, this.identity, withoutDevice(list, deviceId));
    await this.request({ type: 'device_list_set', rid: this.rid(), list: next });
    this.lists.accept(next);
  }

  /** Makes a new recovery code, stores its box on the server, and returns the code to show once (22.8). */
  async makeRecoveryCode(): Promise<string> {
    if (!this.identity) throw new ClassChatError('forbidden', 'only the primary device makes a recovery code');
    const code = generateRecoveryCode(this.sodium);
    const parsed = parseRecoveryCode(this.sodium, code);
    if (!parsed.ok) throw new Error('a fresh recovery code did not parse');
    await this.request({ type: 'recovery_set', rid: this.rid(), box: sealRecovery(this.sodium, parsed.symbols, this.name, this.identity) });
    return code;
  }

  /** Pins a classmate's identity key (the caller compared it, or takes it on first use). */
  pin(name: string, identityKey: string): void {
    if (this.pins.has(name)) return;
    this.pins.set(name, identityKey);
    this.warn(this.lists.pinned(name));
  }

  pinnedKey(name: string): string | undefined {
    return this.pins.get(name);
  }

  /** The primary's identity, for approving links (device-link.ts). */
  get identitySecret(): Identity | undefined {
    return this.identity;
  }

  /** Sends a frame with a `rid` and waits for its `done`. */
  async request(frame: Parameters<Connection['write']>[0] & { rid: string }): Promise<void> {
    this.connection.write(frame);
    await this.waiter.next('done', (done) => done.rid === frame.rid, (error) => error.rid === frame.rid);
  }

  /** Waits for a frame (link replies). */
  next: FrameWaiter['next'] = (...args) => this.waiter.next(...args);

  write(frame: Parameters<Connection['write']>[0]): void {
    this.connection.write(frame);
  }

  rid(): string {
    return `r${Date.now().toString(36)}${(this.nextId++).toString(36)}`;
  }

  close(): void {
    this.connection.end({ type: 'bye' });
  }

  private frame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
      case 'roster':
        for (const user of frame.users) if (user.publicKey) this.pin(user.name, user.publicKey);
        return;
      case 'presence':
        if (frame.user.publicKey) this.pin(frame.user.name, frame.user.publicKey);
        return;
      case 'device_list':
        this.warn(frame.past ? this.lists.offerPast(frame.list) : this.lists.offer(frame.list));
        return;
      case 'link_request':
        if ('link' in frame && !('rid' in frame)) this.emit('link_request', frame);
        return;
      case 'msg':
        this.received(frame);
        return;
      case 'bye':
        this.closeReason = frame.reason;
        return;
      case 'error':
        if (frame.fatal) this.closeReason = frame.code;
        return;
      default:
        return;
    }
  }

  private warn(warning: ListWarning | undefined): void {
    if (!warning) return;
    this.warnings.push(warning);
    this.emit('warning', warning);
  }

  private received(message: ChatMessage): void {
    const base: ReceivedMessage = { seq: message.seq, id: message.id, from: message.from, to: message.to, ...(message.device ? { device: message.device } : {}) };
    if (message.text !== undefined) this.emit('message', { ...base, text: message.text });
    else if (message.otherDevices) this.emit('message', { ...base, problem: 'sealed_before_linked' });
    else if (message.box && message.key && message.device) this.emit('message', { ...base, ...this.open(message, message.device) });
    else if (message.box) this.emit('message', { ...base, problem: 'older_client' });
    this.connection.write({ type: 'ack', seq: message.seq });
  }

  private open(message: ChatMessage, device: string): Pick<ReceivedMessage, 'text' | 'problem' | 'removedDevice'> {
    const sender = this.lists.deviceKey(message.from, device);
    if (!sender) return { problem: 'unverified_sender' };
    const opened = openFromDevice(this.sodium, this.device.secretKey, sender.publicKey, message.key!, message.box!);
    if (!opened.ok) return { problem: 'could_not_decrypt' };
    const { envelope } = opened;
    if (envelope.from !== message.from || envelope.to !== message.to || envelope.id !== message.id) return { problem: 'misaddressed' };
    return { text: envelope.content.text ?? '', ...(sender.removed ? { removedDevice: true as const } : {}) };
  }
}
