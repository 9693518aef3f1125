/**
 * The signed device list (PROTOCOL.md 22.2): which device keys speak for a person, signed by
 * the person's identity key, with a version that only goes up. Clients verify a list against
 * the pinned identity key and the newest version they accepted before, so a server can neither
 * add or swap a device key nor roll the list back.
 */
import { decodeBase64 } from '../protocol/primitives';
import { deviceListSchema, isDeviceLabel } from '../protocol/device-frames';
import type { DeviceEntry, DeviceListWire } from '../protocol/device-frames';
import { LIMITS } from '../protocol/limits';
import type { Identity } from './identity';
import { fromBase64, Sodium, toBase64 } from './sodium';

export type { DeviceEntry } from '../protocol/device-frames';
export type DeviceList = DeviceListWire;
export type UnsignedDeviceList = Omit<DeviceList, 'signature'>;

/** What the list's bytes start with: keeps its signature from meaning anything else. */
export const DEVICE_LIST_DOMAIN = 'classchat-device-list-v1';
export const MAX_DEVICES = LIMITS.maxDevices;

export type DeviceListProblem =
  | 'malformed'
  | 'no_devices'
  | 'too_many_devices'
  | 'not_sorted'
  | 'duplicate_id'
  | 'duplicate_key'
  | 'primary_not_listed'
  | 'wrong_user'
  | 'bad_signature'
  | 'rollback'
  | 'equivocation';

export class DeviceListError extends Error {
  constructor(readonly problem: DeviceListProblem, detail?: string) {
    super(detail ? `${problem}: ${detail}` : problem);
    this.name = 'DeviceListError';
  }
}

/** The newest list a client accepted for a user, kept next to the user's pin. */
export interface PinnedDeviceList {
  version: number;
  /** base64 BLAKE2b-256 of the list's signed bytes. */
  digest: string;
}

export type DeviceListCheck = { ok: true; list: DeviceList; pinned: PinnedDeviceList } | { ok: false; problem: DeviceListProblem };

const USER_NAME = /^[a-z0-9_.-]{1,32}$/;
const DEVICE_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The bytes the identity key signs (22.2). Throws DeviceListError when the list breaks a rule
 * that would make them ambiguous or the list unusable (order, duplicates, count, fields).
 */
export function deviceListBytes(list: UnsignedDeviceList): Uint8Array {
  const problem = structureProblem(list);
  if (problem) throw new DeviceListError(problem);
  const parts: Buffer[] = [Buffer.from(DEVICE_LIST_DOMAIN, 'ascii'), short(list.user), uint64(list.version), short(list.primary), Buffer.of(list.devices.length)];
  for (const device of list.devices) {
    parts.push(short(device.id), decodeBase64(device.publicKey)!, uint64(device.added), short(device.label));
  }
  return Buffer.concat(parts);
}

/** Signs `list` with the identity key (the primary's, or a recovered one). Throws DeviceListError on a malformed list. */
export function signDeviceList(sodium: Sodium, identity: Identity, list: UnsignedDeviceList): DeviceList {
  const signature = sodium.crypto_sign_detached(deviceListBytes(list), fromBase64(sodium, identity.secretKey));
  return { user: list.user, version: list.version, primary: list.primary, devices: list.devices.map((device) => ({ ...device })), signature: toBase64(sodium, signature) };
}

/**
 * Checks a received list: well formed, for `user`, signed by `identityKey`, and not older than
 * (nor a different list of the same version as) `pinned`. Never throws. On success, `pinned` is
 * what to keep for next time.
 */
export function verifyDeviceList(sodium: Sodium, value: unknown, identityKey: string, user: string, pinned?: PinnedDeviceList): DeviceListCheck {
  const parsed = deviceListSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: 'malformed' };
  const list = parsed.data;
  if (list.user !== user) return { ok: false, problem: 'wrong_user' };
  const structure = structureProblem(list);
  if (structure) return { ok: false, problem: structure };
  const bytes = deviceListBytes(list);
  let valid = false;
  try {
    valid = sodium.crypto_sign_verify_detached(fromBase64(sodium, list.signature), bytes, fromBase64(sodium, identityKey));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, problem: 'bad_signature' };
  const digest = toBase64(sodium, sodium.crypto_generichash(32, bytes, null));
  if (pinned) {
    if (list.version < pinned.version) return { ok: false, problem: 'rollback' };
    if (list.version === pinned.version && digest !== pinned.digest) return { ok: false, problem: 'equivocation' };
  }
  return { ok: true, list, pinned: { version: list.version, digest } };
}

/** The list with `device` added (sorted in, version + 1): what the primary signs to approve a link. */
export function withDevice(list: UnsignedDeviceList, device: DeviceEntry): UnsignedDeviceList {
  const devices = [...list.devices, device].sort((a, b) => compareIds(a.id, b.id));
  return { user: list.user, version: list.version + 1, primary: list.primary, devices };
}

/** The list without `deviceId` (version + 1): what the primary signs to remove a device. */
export function withoutDevice(list: UnsignedDeviceList, deviceId: string): UnsignedDeviceList {
  return { user: list.user, version: list.version + 1, primary: list.primary, devices: list.devices.filter((device) => device.id !== deviceId) };
}

/** Byte order of ASCII ids (the order the list is signed in). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function structureProblem(list: UnsignedDeviceList): DeviceListProblem | undefined {
  if (!USER_NAME.test(list.user) || !DEVICE_ID.test(list.primary)) return 'malformed';
  if (!Number.isSafeInteger(list.version) || list.version < 1) return 'malformed';
  if (list.devices.length === 0) return 'no_devices';
  if (list.devices.length > MAX_DEVICES) return 'too_many_devices';
  const keys = new Set<string>();
  for (let index = 0; index < list.devices.length; index++) {
    const device = list.devices[index];
    if (!DEVICE_ID.test(device.id) || !isDeviceLabel(device.label) || !Number.isSafeInteger(device.added) || device.added < 0) return 'malformed';
    if (decodeBase64(device.publicKey)?.length !== 32) return 'malformed';
    if (index > 0) {
      const order = compareIds(list.devices[index - 1].id, device.id);
      if (order === 0) return 'duplicate_id';
      if (order > 0) return 'not_sorted';
    }
    if (keys.has(device.publicKey)) return 'duplicate_key';
    keys.add(device.publicKey);
  }
  if (!list.devices.some((device) => device.id === list.primary)) return 'primary_not_listed';
  return undefined;
}

/** A one-byte length, then the bytes (ASCII ids and names, UTF-8 labels: all at most 64 bytes). */
function short(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}

function uint64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}
