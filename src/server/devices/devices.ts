/**
 * Linked devices on the server (PROTOCOL.md 22): v4 logins with a device key, the link relay,
 * device lists (published, checked, sent to every v4 session), per-device delivery cursors,
 * removal, and the recovery box. The frame handlers (device-handlers.ts) call in here.
 */
import { BINARY_CHUNKS_FEATURE } from '../../protocol/binary-chunk';
import type { DeviceListWire } from '../../protocol/device-frames';
import type { ErrorCode } from '../../protocol/errors';
import type { ClientFrameOf } from '../../protocol/frames';
import { DEVICES_VERSION } from '../../protocol/limits';
import { verifyDeviceLogin } from '../../crypto/device-login';
import type { Sodium } from '../../crypto/sodium';
import type { RosterEntry } from '../chat-server-options';
import type { Clock } from '../clock';
import type { Connection } from '../connection';
import type { Logger } from '../logger';
import { frameLine } from '../message-lines';
import type { RosterPageSource } from '../roster-json';
import type { AuthResult } from '../server-services';
import type { Session } from '../session';
import type { SessionRegistry } from '../session-registry';
import type { DeviceKeyBox, DeviceRecord, Store } from '../store/store';
import { welcomeStream } from '../welcome-lines';
import type { DeviceParts } from './device-parts';
import { DeviceRegistry } from './device-registry';
import { HourlyLimit } from './hourly-limit';
import { LinkRelay } from './link-relay';

export interface DevicesOptions {
  store: Pick<Store, 'putDevices' | 'setDeviceAcked' | 'headSeq'>;
  roster: { get(name: string): RosterEntry | undefined };
  sessions: SessionRegistry;
  clock: Clock;
  log: Logger;
  penalties: () => { penalise(connection: Connection, code?: ErrorCode): boolean };
  /** Moves a user's own (legacy) cursor: to the lowest of its devices' cursors. */
  advanceUser(user: RosterEntry, seq: number): void;
}

/** What a v4 login needs of the rest of the server. */
export interface LoginServices {
  roster: { pages(): Buffer[]; pageSources(): RosterPageSource[] };
  logins: {
    authenticate(name: string, publicKey: string | null, joinCode: string | undefined, address: string): Promise<AuthResult>;
    startSession(connection: Connection, user: RosterEntry, kind: 'json', clientAckedSeq: number | undefined, version: number, device: { id: string; cursor: number }): Session;
  };
}

export class Devices {
  readonly registry: DeviceRegistry;
  readonly links: LinkRelay;
  private readonly recoveryPerName: HourlyLimit;
  private readonly recoveryPerAddress: HourlyLimit;
  private sodium: Sodium | undefined;

  constructor(private readonly options: DevicesOptions) {
    this.registry = new DeviceRegistry(options.store);
    const parts: DeviceParts = {
      registry: this.registry,
      roster: options.roster,
      sessions: options.sessions,
      clock: options.clock,
      log: options.log,
      refuse: (connection, code, extra) => this.refuse(connection, code, extra),
      acceptList: (name, list) => this.acceptList(name, list),
    };
    this.links = new LinkRelay(parts);
    this.recoveryPerName = new HourlyLimit(10, options.clock);
    this.recoveryPerAddress = new HourlyLimit(20, options.clock);
  }

  load(sodium: Sodium, records: DeviceRecord[]): void {
    this.sodium = sodium;
    this.registry.load(sodium, records);
  }

  /** A v4 login (22.5): the name's binding, a new list if any, the device, its signature; then a session on the device's cursor. */
  async login(services: LoginServices, connection: Connection, frame: ClientFrameOf<'login'>, name: string): Promise<void> {
    const fatal = (code: ErrorCode, detail?: string) => connection.sendError(code, { fatal: true, detail });
    const device = frame.device;
    if (device === undefined) return fatal('invalid_frame', 'a v4 login names its device');
    const existing = this.options.roster.get(name);
    if (existing && existing.publicKey !== null && existing.publicKey !== frame.publicKey) return fatal('name_taken');
    const stored = this.registry.list(name);
    let newList: DeviceListWire | undefined;
    if (frame.deviceList) {
      const checked = this.registry.check(name, frame.publicKey, frame.deviceList);
      if (!checked.ok) return fatal('bad_device_list', checked.problem);
      if (!checked.list.devices.some((entry) => entry.id === device)) return fatal('bad_device_list', 'the list does not name the device logging in');
      if (!stored && (checked.list.version !== 1 || checked.list.devices.length !== 1)) return fatal('bad_device_list', 'the first list is version 1 with only this device');
      newList = checked.list;
    }
    const list = newList ?? stored;
    if (!list) return fatal('bad_device_list', 'the first v4 login of a name carries its device list');
    const entry = list.devices.find((listed) => listed.id === device);
    if (!newList && this.registry.isRemoved(name, device)) return fatal('device_removed');
    if (!entry) return fatal('unknown_device');
    if (!verifyDeviceLogin(this.sodium!, entry.publicKey, frame.signature, connection.challenge, name, device)) {
      this.options.log.warn(`bad v4 login signature for ${name}/${device} from ${connection.address}`);
      return fatal('bad_signature');
    }
    const auth = await services.logins.authenticate(name, frame.publicKey, frame.joinCode, connection.address);
    if (!connection.isOpen) return;
    if (!auth.ok) return fatal(auth.code);
    if (newList) {
      try {
        // A first list starts where the user's mailbox does; a later one's new device at the newest seq.
        await this.acceptList(name, newList, stored ? undefined : auth.user.ackedSeq);
      } catch (error) {
        this.options.log.error(`could not store the device list of ${name}: ${String(error)}`);
        return fatal('storage_failed');
      }
      if (!connection.isOpen) return;
    }
    connection.linking = false;
    const session = services.logins.startSession(connection, auth.user, 'json', frame.ackedSeq, frame.v, { id: device, cursor: this.registry.cursor(name, device) });
    session.binaryChunks = frame.features?.includes(BINARY_CHUNKS_FEATURE) ?? false;
    const head = { type: 'welcome' as const, v: frame.v, name, registered: auth.registered, ackedSeq: session.ackedSeq, device };
    connection.transport.writeStream(welcomeStream(head, () => services.roster.pages(), () => services.roster.pageSources()));
    for (const each of this.registry.allPastLists()) connection.transport.write(frameLine({ type: 'device_list', list: each, past: true }));
    for (const each of this.registry.allLists()) connection.transport.write(frameLine({ type: 'device_list', list: each }));
    session.schedulePump();
  }

  /**
   * `send.keys` must name exactly the recipient's current devices and the sender's other ones
   * (22.6). When it does not, the sender is sent both current lists and the refusal.
   */
  checkKeys(session: Session, to: string, keys: readonly DeviceKeyBox[]): { code: ErrorCode; detail?: string } | undefined {
    const recipient = this.registry.list(to);
    const own = this.registry.list(session.name);
    if (!recipient || !own || session.device === undefined) return { code: 'invalid_frame', detail: `${to} has no device list: seal to the identity key (section 15)` };
    const expected = new Set<string>();
    for (const device of recipient.devices) if (!(to === session.name && device.id === session.device)) expected.add(`${to}\n${device.id}`);
    for (const device of own.devices) if (device.id !== session.device) expected.add(`${session.name}\n${device.id}`);
    const named = new Set(keys.map((key) => `${key.user}\n${key.device}`));
    if (named.size === keys.length && named.size === expected.size && [...named].every((key) => expected.has(key))) return undefined;
    session.transport.write(frameLine({ type: 'device_list', list: recipient }));
    if (to !== session.name) session.transport.write(frameLine({ type: 'device_list', list: own }));
    return { code: 'device_list_changed' };
  }

  /** A device session acknowledged up to `seq`: its cursor moves, and the user's to the lowest of them. */
  acked(session: Session, seq: number): void {
    const lowest = this.registry.advance(session.name, session.device!, seq, (problem) => this.options.log.error(problem));
    const user = lowest !== undefined ? this.options.roster.get(session.name) : undefined;
    if (user) this.options.advanceUser(user, lowest!);
  }

  /** device_list_set (22.7): a newer list from the identity, naming the device that sends it. */
  async setList(connection: Connection, frame: ClientFrameOf<'device_list_set'>): Promise<void> {
    const session = connection.session!;
    const refuse = (code: ErrorCode, detail?: string) => this.refuse(connection, code, { rid: frame.rid, detail });
    const user = this.options.roster.get(session.name);
    if (session.device === undefined || !user?.publicKey) return refuse('invalid_frame', 'device lists need a v4 login');
    const checked = this.registry.check(session.name, user.publicKey, frame.list);
    if (!checked.ok) return refuse('bad_device_list', checked.problem);
    if (!checked.list.devices.some((device) => device.id === session.device)) return refuse('bad_device_list', 'the list does not name the device sending it');
    try {
      await this.acceptList(session.name, checked.list);
    } catch (error) {
      this.options.log.error(`could not store the device list of ${session.name}: ${String(error)}`);
      return refuse('storage_failed');
    }
    connection.transport.write(frameLine({ type: 'done', rid: frame.rid }));
  }

  /** device_leave (22.7): a linked device removes itself; the primary cannot. */
  async leave(connection: Connection, frame: ClientFrameOf<'device_leave'>): Promise<void> {
    const session = connection.session!;
    const list = this.registry.list(session.name);
    if (session.device === undefined || !list) return this.refuse(connection, 'invalid_frame', { rid: frame.rid, detail: 'device_leave needs a v4 login' });
    if (list.primary === session.device) return this.refuse(connection, 'forbidden', { rid: frame.rid, detail: 'the primary cannot leave: recover the name on a new device instead' });
    try {
      await this.registry.markLeft(session.name, session.device);
    } catch (error) {
      this.options.log.error(`could not store that ${session.name}/${session.device} left: ${String(error)}`);
      return this.refuse(connection, 'storage_failed', { rid: frame.rid });
    }
    connection.transport.write(frameLine({ type: 'done', rid: frame.rid }));
    this.endDevices(session.name, [session.device]);
    const left = frameLine({ type: 'device_left', device: session.device });
    for (const other of this.options.sessions.forUser(session.name)) if (other.device !== undefined && other.device !== session.device) other.transport.write(left);
  }

  /** recovery_set (22.8): only the primary stores the box. */
  async setRecovery(connection: Connection, frame: ClientFrameOf<'recovery_set'>): Promise<void> {
    const session = connection.session!;
    const list = this.registry.list(session.name);
    if (!list || list.primary !== session.device) return this.refuse(connection, 'forbidden', { rid: frame.rid, detail: 'only the primary device stores the recovery box' });
    try {
      await this.registry.setRecovery(session.name, frame.box);
    } catch (error) {
      this.options.log.error(`could not store the recovery box of ${session.name}: ${String(error)}`);
      return this.refuse(connection, 'storage_failed', { rid: frame.rid });
    }
    connection.transport.write(frameLine({ type: 'done', rid: frame.rid }));
  }

  /** recovery_get (22.8), before login: the box and the current list version. */
  getRecovery(connection: Connection, frame: ClientFrameOf<'recovery_get'>): void {
    const name = frame.name.toLowerCase();
    if (!this.recoveryPerAddress.take(connection.address) || !this.recoveryPerName.take(name)) return this.refuse(connection, 'rate_limited', { rid: frame.rid, detail: 'recovery requests: 10 per name and 20 per address an hour' });
    const record = this.registry.get(name);
    if (!record?.recovery) return this.refuse(connection, 'no_recovery', { rid: frame.rid });
    connection.transport.write(frameLine({ type: 'recovery', rid: frame.rid, box: record.recovery, version: record.list.version }));
  }

  /** The new device of a pending link went away. */
  disconnected(connection: Connection): void {
    this.links.disconnected(connection);
  }

  /** Stores a checked list; the devices it drops are logged out; every v4 session is sent it. */
  private async acceptList(name: string, list: DeviceListWire, startSeq?: number): Promise<void> {
    const dropped = await this.registry.replaceList(name, list, startSeq ?? this.options.store.headSeq());
    this.endDevices(name, dropped);
    const line = frameLine({ type: 'device_list', list });
    this.options.sessions.forEach((session) => {
      if (session.version >= DEVICES_VERSION) session.transport.write(line);
    });
  }

  /** Closes the sessions of devices that are no longer the user's. */
  private endDevices(name: string, devices: readonly string[]): void {
    if (devices.length === 0) return;
    const bye = frameLine({ type: 'bye', reason: 'device_removed' });
    for (const session of [...this.options.sessions.forUser(name)]) {
      if (session.device === undefined || !devices.includes(session.device)) continue;
      session.closed = true;
      session.transport.end(bye);
    }
  }

  private refuse(connection: Connection, code: ErrorCode, extra: { rid?: string; id?: string; detail?: string } = {}): void {
    if (!this.options.penalties().penalise(connection, code)) connection.sendError(code, extra);
  }
}
