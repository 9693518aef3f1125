/**
 * Every user's devices as the server accepted them (PROTOCOL.md 22.2): the newest signed list,
 * the devices removed or gone, and each device's delivery cursor. Lists are checked against the
 * name's identity key before they are kept; the Store holds the durable copy.
 */
import type { DeviceListWire } from '../../protocol/device-frames';
import type { Box } from '../../protocol/primitives';
import { DeviceListProblem, verifyDeviceList } from '../../crypto/device-list';
import type { Sodium } from '../../crypto/sodium';
import { DeviceRecord, MAX_PAST_LISTS, Store } from '../store/store';
import { copyDeviceRecord } from '../store/device-copies';

export type ListCheck = { ok: true; list: DeviceListWire } | { ok: false; problem: DeviceListProblem | 'not_newer' };

export class DeviceRegistry {
  private readonly records = new Map<string, DeviceRecord>();
  private sodium: Sodium | undefined;

  constructor(private readonly store: Pick<Store, 'putDevices' | 'setDeviceAcked'>) {}

  load(sodium: Sodium, records: DeviceRecord[]): void {
    this.sodium = sodium;
    for (const record of records) this.records.set(record.name, copyDeviceRecord(record));
  }

  get(name: string): Readonly<DeviceRecord> | undefined {
    return this.records.get(name);
  }

  list(name: string): DeviceListWire | undefined {
    return this.records.get(name)?.list;
  }

  /** Every current list, for a v4 login's first frames. */
  allLists(): DeviceListWire[] {
    return [...this.records.values()].map((record) => record.list);
  }

  /** Every kept earlier list (22.7), sent before the current ones at a v4 login. */
  allPastLists(): DeviceListWire[] {
    return [...this.records.values()].flatMap((record) => record.past ?? []);
  }

  /** A list `identityKey` signed for `name`, newer than the stored one; never throws. */
  check(name: string, identityKey: string, value: unknown): ListCheck {
    const verified = verifyDeviceList(this.sodium!, value, identityKey, name);
    if (!verified.ok) return verified;
    const current = this.records.get(name);
    if (current && verified.list.version <= current.list.version) return { ok: false, problem: 'not_newer' };
    return { ok: true, list: verified.list };
  }

  /**
   * Stores a checked list as the user's current one: devices it drops are removed, new ones
   * start their cursor at `startSeq`. Returns the devices it dropped. Durable when it resolves.
   */
  async replaceList(name: string, list: DeviceListWire, startSeq: number): Promise<string[]> {
    const current = this.records.get(name);
    const listed = new Set(list.devices.map((device) => device.id));
    const dropped = (current?.list.devices ?? []).map((device) => device.id).filter((id) => !listed.has(id));
    const removed = [...new Set([...(current?.removed ?? []), ...dropped])].filter((id) => !listed.has(id));
    const cursors: Record<string, number> = {};
    for (const id of listed) cursors[id] = current?.cursors[id] ?? startSeq;
    // The list that last listed a dropped device keeps what it sent before readable (22.7).
    const past = current && dropped.length > 0 ? [...(current.past ?? []), current.list].slice(-MAX_PAST_LISTS) : current?.past;
    const record: DeviceRecord = { name, list, removed, cursors, ...(current?.recovery ? { recovery: current.recovery } : {}), ...(past?.length ? { past } : {}) };
    await this.store.putDevices(record);
    this.records.set(name, record);
    return dropped;
  }

  /** A linked device left by itself (22.7): its logins are refused from now on. */
  async markLeft(name: string, device: string): Promise<void> {
    const current = this.records.get(name);
    if (!current || current.removed.includes(device)) return;
    const record = { ...copyDeviceRecord(current), removed: [...current.removed, device] };
    await this.store.putDevices(record);
    this.records.set(name, record);
  }

  async setRecovery(name: string, box: Box): Promise<void> {
    const current = this.records.get(name);
    if (!current) throw new Error(`${name} has no devices`);
    const record = { ...copyDeviceRecord(current), recovery: { nonce: box.nonce, ciphertext: box.ciphertext } };
    await this.store.putDevices(record);
    this.records.set(name, record);
  }

  isRemoved(name: string, device: string): boolean {
    return this.records.get(name)?.removed.includes(device) === true;
  }

  cursor(name: string, device: string): number {
    return this.records.get(name)?.cursors[device] ?? 0;
  }

  /**
   * Moves one device's cursor forward; returns the lowest cursor of the user's listed devices
   * (what the user's own cursor may move to: nothing a device lacks is compacted away).
   */
  advance(name: string, device: string, seq: number, log: (problem: string) => void): number | undefined {
    const record = this.records.get(name);
    if (!record || seq <= (record.cursors[device] ?? 0)) return undefined;
    record.cursors[device] = seq;
    this.store.setDeviceAcked(name, device, seq).catch((error: unknown) => log(`could not store the ack of ${name}/${device}: ${String(error)}`));
    return Math.min(...record.list.devices.map((entry) => record.cursors[entry.id] ?? 0));
  }

  forget(name: string): void {
    this.records.delete(name);
  }
}
