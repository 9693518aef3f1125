/**
 * The link relay (PROTOCOL.md 22.3): carries the commit-reveal frames between a new device (not
 * logged in) and the user's v4 sessions, and stores the list the primary signs to approve it.
 * The server only relays: the code both sides compare is over values it cannot choose after the
 * commitment. Links live in this node's memory and end after 5 minutes, or when the new device goes.
 */
import { randomBytes } from 'node:crypto';
import type { ClientFrameOf, ServerFrame } from '../../protocol/frames';
import { LIMITS } from '../../protocol/limits';
import { checkName } from '../../protocol/names';
import type { LINK_END_REASONS } from '../../protocol/device-frames';
import type { ErrorCode } from '../../protocol/errors';
import type { Connection } from '../connection';
import { frameLine } from '../message-lines';
import type { DeviceParts } from './device-parts';
import { HourlyLimit } from './hourly-limit';

export const LINK_LIFETIME_MS = 5 * 60 * 1000;
/** After approval the new device logs in on the same connection within this time. */
export const LOGIN_AFTER_APPROVAL_MS = 30_000;

type EndReason = (typeof LINK_END_REASONS)[number];

interface Link {
  id: string;
  name: string;
  device: Connection;
  request: Omit<ClientFrameOf<'link_request'>, 'type' | 'rid' | 'name'>;
  primaryNonce?: string;
  revealed: boolean;
  timer: NodeJS.Timeout;
}

export class LinkRelay {
  private readonly byId = new Map<string, Link>();
  private readonly byName = new Map<string, Link>();
  private readonly byConnection = new Map<Connection, Link>();
  private readonly perName: HourlyLimit;
  private readonly perAddress: HourlyLimit;

  constructor(private readonly parts: DeviceParts) {
    this.perName = new HourlyLimit(5, parts.clock);
    this.perAddress = new HourlyLimit(20, parts.clock);
  }

  /** Step 1: the new device asks; every v4 session of the user is told. */
  request(connection: Connection, frame: ClientFrameOf<'link_request'>): void {
    const refuse = (code: ErrorCode, detail?: string) => this.parts.refuse(connection, code, { rid: frame.rid, detail });
    if (connection.session) return refuse('already_logged_in');
    const name = checkName(frame.name);
    if (!name.ok) return refuse(name.code);
    const user = this.parts.roster.get(name.name);
    if (!user || user.publicKey === null) return refuse('unknown_user', name.name);
    const list = this.parts.registry.list(name.name);
    if (!list || this.deviceSessions(name.name).length === 0) return refuse('no_device_online');
    if (list.devices.length >= LIMITS.maxDevices) return refuse('too_many_devices');
    if (list.devices.some((device) => device.id === frame.device || device.publicKey === frame.deviceKey) || this.parts.registry.isRemoved(name.name, frame.device)) {
      return refuse('invalid_frame', 'that device id or key is already in use: make a new one');
    }
    if (this.byName.has(name.name) || this.byConnection.has(connection)) return refuse('link_limited', 'a link is already pending');
    if (!this.perName.take(name.name) || !this.perAddress.take(connection.address)) return refuse('link_limited');
    const id = randomBytes(9).toString('base64url');
    const link: Link = {
      id,
      name: name.name,
      device: connection,
      request: { device: frame.device, deviceKey: frame.deviceKey, ephemeralKey: frame.ephemeralKey, label: frame.label, commitment: frame.commitment },
      revealed: false,
      timer: connection.timer(LINK_LIFETIME_MS, () => this.end(link, 'expired', 'both')),
    };
    this.byId.set(id, link);
    this.byName.set(link.name, link);
    this.byConnection.set(connection, link);
    connection.linking = true;
    this.toDevice(link, { type: 'link_pending', rid: frame.rid, link: id, identityKey: user.publicKey, expires: this.parts.clock.now() + LINK_LIFETIME_MS });
    this.toUser(link, { type: 'link_request', link: id, ...link.request });
  }

  /** Step 3: the primary's nonce, to the new device. */
  nonce(connection: Connection, frame: ClientFrameOf<'link_nonce'>): void {
    const link = this.ofUser(connection, frame.link);
    if (!link) return;
    if (link.primaryNonce !== undefined) return this.parts.refuse(connection, 'invalid_frame', { rid: link.id, detail: 'the nonce of this link was already sent' });
    link.primaryNonce = frame.nonce;
    this.toDevice(link, { type: 'link_nonce', link: link.id, nonce: frame.nonce });
  }

  /** Step 4: the new device reveals its nonce, after it has the primary's. */
  reveal(connection: Connection, frame: ClientFrameOf<'link_reveal'>): void {
    const link = this.byId.get(frame.link);
    if (!link || link.device !== connection) return this.parts.refuse(connection, 'unknown_link', { rid: frame.link });
    if (link.primaryNonce === undefined || link.revealed) return this.parts.refuse(connection, 'invalid_frame', { rid: link.id, detail: 'reveal once, after link_nonce' });
    link.revealed = true;
    this.toUser(link, { type: 'link_reveal', link: link.id, nonce: frame.nonce });
  }

  /** Step 6: the primary's new list (exactly the stored one plus this device) and the sealed bundle. */
  async approve(connection: Connection, frame: ClientFrameOf<'link_approve'>): Promise<void> {
    const link = this.ofUser(connection, frame.link);
    if (!link) return;
    const refuse = (code: ErrorCode, detail?: string) => this.parts.refuse(connection, code, { rid: link.id, detail });
    if (!link.revealed) return refuse('invalid_frame', 'approve after link_reveal');
    const user = this.parts.roster.get(link.name)!;
    const current = this.parts.registry.list(link.name)!;
    const checked = this.parts.registry.check(link.name, user.publicKey!, frame.list);
    if (!checked.ok) return refuse('bad_device_list', checked.problem);
    const problem = addsExactly(current, checked.list, link.request);
    if (problem) return refuse('bad_device_list', problem);
    try {
      await this.parts.acceptList(link.name, checked.list);
    } catch (error) {
      this.parts.log.error(`could not store the device list of ${link.name}: ${String(error)}`);
      return refuse('storage_failed');
    }
    if (this.byId.get(link.id) !== link) return;
    this.forget(link);
    connection.transport.write(frameLine({ type: 'done', rid: link.id }));
    this.toDevice(link, { type: 'link_approved', link: link.id, bundle: frame.bundle });
    const device = link.device;
    device.timer(LOGIN_AFTER_APPROVAL_MS, () => {
      device.linking = false;
      if (!device.session) device.sendError('login_timeout', { fatal: true });
    });
  }

  /** Either side ends the link; the other side is told why. */
  cancel(connection: Connection, frame: ClientFrameOf<'link_cancel'>): void {
    const link = this.byId.get(frame.link);
    const fromDevice = link?.device === connection;
    if (!link || (!fromDevice && connection.session?.name !== link.name)) return this.parts.refuse(connection, 'unknown_link', { rid: frame.link });
    this.end(link, frame.reason, fromDevice ? 'user' : 'both');
  }

  /** The new device's connection closed. */
  disconnected(connection: Connection): void {
    const link = this.byConnection.get(connection);
    if (link) this.end(link, 'gone', 'user');
  }

  private end(link: Link, reason: EndReason, tell: 'user' | 'both'): void {
    if (this.byId.get(link.id) !== link) return;
    this.forget(link);
    const frame: ServerFrame = { type: 'link_cancelled', link: link.id, reason };
    this.toUser(link, frame);
    if (tell === 'both') this.toDevice(link, frame);
    // The new device may try again, or log in otherwise: its login deadline runs again.
    const device = link.device;
    device.linking = false;
    if (device.isOpen && !device.session) {
      device.timer(LOGIN_AFTER_APPROVAL_MS, () => {
        if (!device.session && !device.linking) device.sendError('login_timeout', { fatal: true });
      });
    }
  }

  private forget(link: Link): void {
    link.device.clearTimer(link.timer);
    this.byId.delete(link.id);
    this.byName.delete(link.name);
    this.byConnection.delete(link.device);
  }

  /** The link, when `connection` is a session of its user; else refuses with unknown_link. */
  private ofUser(connection: Connection, id: string): Link | undefined {
    const link = this.byId.get(id);
    if (link && connection.session?.name === link.name && connection.session.device !== undefined) return link;
    this.parts.refuse(connection, 'unknown_link', { rid: id });
    return undefined;
  }

  private deviceSessions(name: string) {
    return this.parts.sessions.forUser(name).filter((session) => session.device !== undefined);
  }

  private toDevice(link: Link, frame: ServerFrame): void {
    link.device.transport.write(frameLine(frame));
  }

  private toUser(link: Link, frame: ServerFrame): void {
    const line = frameLine(frame);
    for (const session of this.deviceSessions(link.name)) session.transport.write(line);
  }
}

/** Why `next` is not `current` plus exactly the requested device (undefined when it is). */
function addsExactly(
  current: { version: number; primary: string; devices: Array<{ id: string; publicKey: string; label: string; added: number }> },
  next: { version: number; primary: string; devices: Array<{ id: string; publicKey: string; label: string; added: number }> },
  request: { device: string; deviceKey: string; label: string },
): string | undefined {
  if (next.version !== current.version + 1) return `the new list's version must be ${current.version + 1}`;
  if (next.primary !== current.primary) return 'linking does not change the primary';
  const added = next.devices.find((device) => device.id === request.device);
  if (!added || added.publicKey !== request.deviceKey || added.label !== request.label) return 'the list does not add the requested device with its key and label';
  const rest = next.devices.filter((device) => device !== added);
  const same = rest.length === current.devices.length && rest.every((device, index) => {
      const before = current.devices[index];
      return device.id === before.id && device.publicKey === before.publicKey && device.label === before.label && device.added === before.added;
    });
  return same ? undefined : 'the list changes other devices too';
}
