/**
 * The device lists a client trusts (PROTOCOL.md 22.2): each verified against the person's pinned
 * identity key and the newest version accepted before. A list that does not verify is not used:
 * the user is warned, and nothing is sealed to that person until a list that verifies arrives.
 * Keys of devices since removed are kept (from the lists replaced and the server's earlier lists,
 * 22.7) only to open what those devices sent before they were removed.
 */
import type { DeviceListWire } from '../../protocol/device-frames';
import { DeviceListProblem, PinnedDeviceList, verifyDeviceList } from '../../crypto/device-list';
import type { Sodium } from '../../crypto/sodium';

export interface ListWarning {
  user: string;
  problem: DeviceListProblem;
  text: string;
}

export class DeviceListBook {
  private readonly lists = new Map<string, { list: DeviceListWire; pinned: PinnedDeviceList }>();
  /** Lists of names not pinned yet (presence may come after the list): checked once pinned. */
  private readonly waiting = new Map<string, DeviceListWire>();
  /** Users whose last reported list did not verify. */
  private readonly distrusted = new Set<string>();
  /** user → device id → key, of devices no longer in the user's list. */
  private readonly removedKeys = new Map<string, Map<string, string>>();
  /** Earlier lists of names not pinned yet. */
  private readonly waitingPast = new Map<string, DeviceListWire[]>();

  constructor(
    private readonly sodium: Sodium,
    /** The pinned identity key of a name (undefined: not pinned yet). */
    private readonly pinOf: (name: string) => string | undefined,
  ) {}

  /** Checks a list the server reported; returns a warning when it is not used. */
  offer(value: DeviceListWire): ListWarning | undefined {
    const user = value.user;
    const identityKey = this.pinOf(user);
    if (!identityKey) {
      this.waiting.set(user, value);
      return undefined;
    }
    this.waiting.delete(user);
    const previous = this.lists.get(user);
    const checked = verifyDeviceList(this.sodium, value, identityKey, user, previous?.pinned);
    if (!checked.ok) return this.distrust(user, checked.problem);
    if (previous) this.keepRemoved(previous.list, checked.list);
    this.lists.set(user, { list: checked.list, pinned: checked.pinned });
    this.distrusted.delete(user);
    return undefined;
  }

  /**
   * An earlier list the server kept (`device_list` with `past`): signed by the user, it vouches
   * for the keys of devices removed since; it never replaces the current list. Returns a warning
   * when it does not verify.
   */
  offerPast(value: DeviceListWire): ListWarning | undefined {
    const user = value.user;
    const identityKey = this.pinOf(user);
    if (!identityKey) {
      this.waitingPast.set(user, [...(this.waitingPast.get(user) ?? []), value]);
      return undefined;
    }
    const checked = verifyDeviceList(this.sodium, value, identityKey, user);
    if (!checked.ok) return { user, problem: checked.problem, text: `the server reported earlier devices for ${user} that ${user} did not sign (${checked.problem}): messages from them are not opened` };
    this.keepRemoved(checked.list, this.lists.get(user)?.list);
    return undefined;
  }

  /** `user` was just pinned: checks the lists that waited for it, if any. */
  pinned(user: string): ListWarning | undefined {
    const past = this.waitingPast.get(user) ?? [];
    this.waitingPast.delete(user);
    const warnings = past.map((list) => this.offerPast(list));
    const waiting = this.waiting.get(user);
    return (waiting && this.offer(waiting)) ?? warnings.find((warning) => warning !== undefined);
  }

  /**
   * The key of `user`'s device `device`: from the verified list, or (`removed`) of a device
   * since removed, for what it sent before.
   */
  deviceKey(user: string, device: string): { publicKey: string; removed: boolean } | undefined {
    const listed = this.trusted(user)?.devices.find((entry) => entry.id === device);
    if (listed) return { publicKey: listed.publicKey, removed: false };
    const removed = this.distrusted.has(user) ? undefined : this.removedKeys.get(user)?.get(device);
    return removed ? { publicKey: removed, removed: true } : undefined;
  }

  /** Accepts a list already verified (the provisioning bundle's, one this device signed). */
  accept(value: DeviceListWire): ListWarning | undefined {
    return this.offer(value);
  }

  /** The verified list, unless the last one reported did not verify. */
  trusted(user: string): DeviceListWire | undefined {
    return this.distrusted.has(user) ? undefined : this.lists.get(user)?.list;
  }

  /** Names with a verified list. */
  trustedNames(): string[] {
    return [...this.lists.keys()].filter((user) => !this.distrusted.has(user));
  }

  isDistrusted(user: string): boolean {
    return this.distrusted.has(user);
  }

  /** Keeps the keys of devices `older` lists and `current` does not (all of them without `current`). */
  private keepRemoved(older: DeviceListWire, current: DeviceListWire | undefined): void {
    if (current && older.version >= current.version) return;
    const kept = this.removedKeys.get(older.user) ?? new Map<string, string>();
    for (const device of older.devices) if (!current?.devices.some((entry) => entry.id === device.id)) kept.set(device.id, device.publicKey);
    this.removedKeys.set(older.user, kept);
  }

  private distrust(user: string, problem: ListWarning['problem']): ListWarning {
    this.distrusted.add(user);
    return { user, problem, text: `the server reported devices for ${user} that ${user} did not sign (${problem}): nothing is sent to ${user} until a signed list arrives` };
  }
}
