/**
 * The device lists a client trusts (PROTOCOL.md 22.2): each verified against the person's pinned
 * identity key and the newest version accepted before. A list that does not verify is not used:
 * the user is warned, and nothing is sealed to that person until a list that verifies arrives.
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
    const checked = verifyDeviceList(this.sodium, value, identityKey, user, this.lists.get(user)?.pinned);
    if (!checked.ok) return this.distrust(user, checked.problem);
    this.lists.set(user, { list: checked.list, pinned: checked.pinned });
    this.distrusted.delete(user);
    return undefined;
  }

  /** `user` was just pinned: checks the list that waited for it, if any. */
  pinned(user: string): ListWarning | undefined {
    const waiting = this.waiting.get(user);
    return waiting && this.offer(waiting);
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

  private distrust(user: string, problem: ListWarning['problem']): ListWarning {
    this.distrusted.add(user);
    return { user, problem, text: `the server reported devices for ${user} that ${user} did not sign (${problem}): nothing is sent to ${user} until a signed list arrives` };
  }
}
