/**
 * ChatClient's linked devices (PROTOCOL.md 22), behind `ChatClientOptions.devices`: the device
 * record (device-key-store.ts), the v4 login with the device key, the device lists this client
 * trusts, and what the primary does (approve a link, remove a device, make the recovery code).
 * Sealing and opening messages per device is device-message-keys.ts.
 */
import { EventEmitter } from 'node:events';
import type { Identity } from '../../crypto/identity';
import { signDeviceList, withoutDevice } from '../../crypto/device-list';
import { signDeviceLogin } from '../../crypto/device-login';
import { generateRecoveryCode, parseRecoveryCode, sealRecovery } from '../../crypto/recovery-code';
import { Sodium, sodiumReady } from '../../crypto/sodium';
import type { BundlePin, DeviceListWire } from '../../protocol/device-frames';
import { ClassChatError } from '../../protocol/errors';
import type { ClientFrame, ServerFrame, WelcomeFrame } from '../../protocol/frames';
import { DEVICES_VERSION, CLIENT_PROTOCOL_VERSIONS } from '../../protocol/limits';
import type { Emit } from '../client-services';
import { ChatClientError } from '../errors';
import type { KeyStore } from '../key-store';
import { loadOrCreateIdentity } from '../key-store';
import type { LoginProof } from '../reconnecting-client';
import { toError } from '../rules';
import { approveLink } from './device-link';
import type { DeviceRecord } from './device-key-store';
import { DeviceListBook, ListWarning } from './device-lists';
import { generateDeviceKeys } from './device-session';
import { FrameWaiter } from './frame-waiter';
import type { DeviceOptions, DeviceView, LinkRequest } from './device-types';

export type { DeviceOptions, DeviceView, LinkRequest } from './device-types';

/** A link request the primary answered with its nonce: it waits for the code the user types. */
interface PendingLink {
  request: LinkRequest;
  typed: (code: string) => void;
  done: Promise<void>;
}

const DEVICE_FRAMES = new Set<ServerFrame['type']>(['device_list', 'device_left', 'link_request', 'link_nonce', 'link_reveal', 'link_cancelled']);

export class ChatDevices {
  private record: DeviceRecord | undefined;
  private identity: Identity | undefined;
  private sodium: Sodium | undefined;
  private book: DeviceListBook | undefined;
  /** Logged in over v4 as this device (per connection). */
  private v4 = false;
  private readonly feed = new EventEmitter();
  private readonly waiter = new FrameWaiter(this.feed as never);
  private readonly requests = new Map<string, PendingLink>();
  private readonly rids = new Set<string>();
  private readonly seen = new Map<string, number>();
  private nextRid = 0;
  private recoveryCode: Promise<string> | undefined;

  constructor(
    private readonly me: string,
    private readonly options: DeviceOptions,
    private readonly pinOf: (name: string) => string | undefined,
    private readonly bundlePins: () => BundlePin[],
    private readonly send: (frame: ClientFrame) => boolean,
    private readonly emit: Emit<'deviceWarning' | 'linkRequest' | 'devices' | 'recoveryCode' | 'error'>,
  ) {}

  /**
   * The KeyStore Trust loads the identity from: the primary's real one; for a linked device the
   * identity key with this device's secret (it can open only what is sealed to its device key).
   */
  identityStore(keyStore: KeyStore): KeyStore {
    return {
      load: async () => {
        const record = await this.loadRecord();
        if (record?.role === 'linked') return { publicKey: record.identityKey, secretKey: record.device.secretKey };
        return keyStore.load();
      },
      save: (identity) => keyStore.save(identity),
    };
  }

  /** Before every login: the first connect of a primary makes its device and list version 1. */
  async prepare(keyStore: KeyStore): Promise<void> {
    this.sodium = await sodiumReady();
    const record = await this.loadRecord();
    if (!record || record.role === 'primary') this.identity = await loadOrCreateIdentity(keyStore);
    if (!record) {
      const identity = this.identity!;
      const device = generateDeviceKeys(this.sodium, this.options.label);
      const publish = signDeviceList(this.sodium, identity, { user: this.me, version: 1, primary: device.id, devices: [{ id: device.id, publicKey: device.publicKey, label: device.label, added: Date.now() }] });
      this.record = { device, identityKey: identity.publicKey, role: 'primary', publish, needsRecoveryCode: true };
      await this.options.store.save(this.record);
    } else if (record.role === 'primary' && record.identityKey !== this.identity!.publicKey) {
      throw new ChatClientError('unknown_key', 'the device file belongs to another identity than the key file: remove one of them');
    }
    this.book ??= new DeviceListBook(this.sodium, (name) => (name === this.me ? this.record?.identityKey : this.pinOf(name)));
    if (this.record!.list) this.book.accept(this.record!.list);
  }

  protocolVersions(): readonly number[] {
    return [...CLIENT_PROTOCOL_VERSIONS, DEVICES_VERSION];
  }

  /** The v4 login: the identity key, signed by the device key, with a list to publish if one is due. */
  loginProof(challenge: string, v: number): LoginProof | undefined {
    const record = this.record;
    if (v < DEVICES_VERSION || !record || !this.sodium) return undefined;
    const signature = signDeviceLogin(this.sodium, record.device.secretKey, challenge, this.me, record.device.id);
    return { publicKey: record.identityKey, signature, device: record.device.id, ...(record.publish ? { deviceList: record.publish } : {}) };
  }

  /** Logged in: a published list is now the accepted one, and a first connect makes its recovery code. */
  loggedIn(welcome: WelcomeFrame): void {
    this.v4 = welcome.v >= DEVICES_VERSION && welcome.device !== undefined;
    const record = this.record;
    if (!this.v4 || !record) return;
    if (record.publish) {
      this.book!.accept(record.publish);
      record.list = record.publish;
      delete record.publish;
      this.save();
    }
    if (record.needsRecoveryCode && record.role === 'primary') {
      this.recoveryCode = this.makeRecoveryCode();
      this.recoveryCode.then(
        (code) => this.emit('recoveryCode', code),
        (error: unknown) => this.emit('error', new ChatClientError('devices_failed', `could not store the recovery code: ${toError(error).message}`)),
      );
    }
  }

  connectionLost(): void {
    this.v4 = false;
  }

  shutdown(): void {
    this.feed.emit('close', new ChatClientError('closed', 'the client was closed'));
  }

  /** Private messages go per device (the v4 login succeeded). */
  get active(): boolean {
    return this.v4;
  }

  get deviceKeys(): DeviceRecord['device'] | undefined {
    return this.record?.device;
  }

  get lists(): DeviceListBook | undefined {
    return this.book;
  }

  get isPrimary(): boolean {
    return this.record?.role === 'primary' && this.book?.trusted(this.me)?.primary === this.record.device.id;
  }

  /** The recovery code made at this connect (first connect or after recovery), once: later calls get undefined. */
  async takeRecoveryCode(): Promise<string | undefined> {
    const code = this.recoveryCode;
    this.recoveryCode = undefined;
    return code;
  }

  /** This user's devices as the verified list says. */
  list(): DeviceView[] {
    const list = this.book?.trusted(this.me);
    const mine = this.record?.device.id;
    return (list?.devices ?? []).map((entry) => ({
      id: entry.id,
      label: entry.label,
      added: entry.added,
      primary: entry.id === list!.primary,
      thisDevice: entry.id === mine,
      ...(entry.id === mine ? { lastSeen: Date.now() } : this.seen.has(entry.id) ? { lastSeen: this.seen.get(entry.id) } : {}),
    }));
  }

  /** Link requests waiting for approval. */
  pendingLinks(): LinkRequest[] {
    return [...this.requests.values()].map((pending) => pending.request);
  }

  /**
   * Approves link `link` with the code the new device shows (it shows one once the primary sent
   * its nonce, which the primary does as soon as the request arrives). Codes that differ cancel
   * the link and reject (22.3).
   */
  async approve(link: string, typedCode: string): Promise<void> {
    const pending = this.requests.get(link);
    if (!pending) throw new ClassChatError('unknown_link', `no link request ${link} is waiting (approve it on the primary device)`);
    pending.typed(typedCode);
    await pending.done;
    this.ownListChanged(this.book!.trusted(this.me));
  }

  /** Refuses link `link`: the new device is told. */
  refuse(link: string): void {
    if (!this.requests.delete(link)) throw new ClassChatError('unknown_link', `no link request ${link} is waiting`);
    this.send({ type: 'link_cancel', link, reason: 'refused' });
  }

  /** The primary answers a request with its nonce at once: the code exists only after it (22.3 step 3). */
  private requested(request: LinkRequest): void {
    if (!this.isPrimary || !this.active || this.requests.has(request.link)) return;
    let typed!: (code: string) => void;
    const code = new Promise<string>((resolve) => (typed = resolve));
    this.rids.add(request.link);
    const done = approveLink(this.approver(), request, () => code).finally(() => {
      this.requests.delete(request.link);
      this.rids.delete(request.link);
    });
    done.catch(() => undefined); // whoever approves sees the failure; an unanswered request just expires
    this.requests.set(request.link, { request, typed, done });
  }

  /** The primary removes a device: it is logged out and nothing sent after reaches it (22.7). */
  async remove(deviceId: string): Promise<void> {
    const list = this.book?.trusted(this.me);
    if (!this.identity || !list || !this.isPrimary) throw new ClassChatError('forbidden', 'only the primary device removes devices');
    if (deviceId === list.primary) throw new ClassChatError('forbidden', 'the primary cannot be removed: recover the name on a new device instead');
    if (!list.devices.some((entry) => entry.id === deviceId)) throw new ClassChatError('unknown_device', `no device ${deviceId} in your list`);
    const next = signDeviceList(this.sodium!, this.identity, withoutDevice(list, deviceId));
    await this.request({ type: 'device_list_set', rid: this.rid(), list: next });
    this.book!.accept(next);
    this.ownListChanged(next);
  }

  /** A message from one of this user's devices, or from a classmate's: when each was last seen. */
  sawDevice(from: string, device: string | undefined): void {
    if (from === this.me && device) this.seen.set(device, Date.now());
  }

  /** `name` was just pinned: a list that waited for the pin is checked now. */
  pinned(name: string): void {
    this.warn(this.book?.pinned(name));
  }

  /** Takes the device frames (true), and `done`/`error` answers to its own requests. */
  onFrame(frame: ServerFrame): boolean {
    if (frame.type === 'done' || frame.type === 'error') {
      const rid = frame.type === 'done' ? frame.rid : frame.rid;
      if (rid === undefined || !this.rids.has(rid)) return false;
      this.feed.emit('frame', frame);
      return true;
    }
    if (!DEVICE_FRAMES.has(frame.type)) return false;
    if (frame.type === 'device_list') {
      const warning = this.book?.offer(frame.list);
      this.warn(warning);
      if (!warning && frame.list.user === this.me) this.ownListChanged(this.book!.trusted(this.me));
    } else if (frame.type === 'link_request' && 'link' in frame && !('rid' in frame)) {
      this.requested(frame);
      this.emit('linkRequest', frame);
    } else if (frame.type === 'link_cancelled') {
      this.requests.delete(frame.link);
    }
    this.feed.emit('frame', frame);
    return true;
  }

  private approver() {
    const record = this.record;
    if (!record || !this.book || !this.active) throw new ChatClientError('not_connected', 'connect with devices first');
    return {
      name: this.me,
      identityKey: record.identityKey,
      identitySecret: this.isPrimary ? this.identity : undefined,
      lists: this.book,
      device: record.device,
      pinnedKey: (name: string) => this.pinOf(name),
      bundlePins: this.bundlePins,
      write: (frame: ClientFrame) => void this.send(frame),
      next: this.waiter.next.bind(this.waiter),
    };
  }

  private ownListChanged(list: DeviceListWire | undefined): void {
    if (!list || !this.record) return;
    this.record.list = list;
    this.save();
    this.emit('devices', this.list());
  }

  private async makeRecoveryCode(): Promise<string> {
    const code = generateRecoveryCode(this.sodium!);
    const parsed = parseRecoveryCode(this.sodium!, code);
    if (!parsed.ok) throw new Error('a fresh recovery code did not parse');
    await this.request({ type: 'recovery_set', rid: this.rid(), box: sealRecovery(this.sodium!, parsed.symbols, this.me, this.identity!) });
    this.record!.needsRecoveryCode = false;
    await this.options.store.save(this.record!);
    return code;
  }

  private async request(frame: ClientFrame & { rid: string }): Promise<void> {
    this.rids.add(frame.rid);
    try {
      if (!this.send(frame)) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
      await this.waiter.next('done', (done) => done.rid === frame.rid, (error) => error.rid === frame.rid);
    } finally {
      this.rids.delete(frame.rid);
    }
  }

  private rid(): string {
    return `dev${Date.now().toString(36)}${(this.nextRid++).toString(36)}`;
  }

  private warn(warning: ListWarning | undefined): void {
    if (warning) this.emit('deviceWarning', warning);
  }

  private async loadRecord(): Promise<DeviceRecord | undefined> {
    this.record ??= await this.options.store.load();
    return this.record;
  }

  private save(): void {
    const record = this.record;
    if (record) this.options.store.save(record).catch((error: unknown) => this.emit('error', new ChatClientError('devices_failed', `could not save the device file: ${toError(error).message}`)));
  }
}
