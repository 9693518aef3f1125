/**
 * The linked-devices fuzz's commands and model: which devices each user has, which are online
 * and which were removed. Send from any online device to any user (yourself included), link a
 * device (the primary approves), remove a linked one, take a device offline and bring it back.
 */
import fc from 'fast-check';
import type { DeviceHarness } from './device-harness';

export interface DeviceModel {
  users: Record<string, { devices: Array<{ name: string; online: boolean; removed: boolean }> }>;
  /** How many devices were ever linked (names them: user#n). */
  linked: number;
}
type DeviceCommand = fc.AsyncCommand<DeviceModel, DeviceHarness>;

/** At most this many devices at once per user (the protocol allows 5). */
const MAX_DEVICES = 3;

export function initialDeviceModel(names: readonly string[]): DeviceModel {
  return { users: Object.fromEntries(names.map((name) => [name, { devices: [{ name: `${name}#0`, online: true, removed: false }] }])), linked: 0 };
}

const live = (model: Readonly<DeviceModel>, user: string) => model.users[user].devices.filter((device) => !device.removed);
/** The n-th live device of a user (wrapping), so a generated index always names one. */
const pick = (model: Readonly<DeviceModel>, user: string, index: number) => {
  const devices = live(model, user);
  return devices[index % devices.length];
};

class Send implements DeviceCommand {
  constructor(readonly user: string, readonly index: number, readonly to: string, readonly text: string) {}
  check = (model: Readonly<DeviceModel>) => pick(model, this.user, this.index).online;
  async run(model: DeviceModel, harness: DeviceHarness) {
    await harness.send(pick(model, this.user, this.index).name, this.to, this.text);
    harness.assertClean();
  }
  toString = () => `send(${this.user}[${this.index}] → ${this.to}, ${JSON.stringify(this.text)})`;
}

class Link implements DeviceCommand {
  constructor(readonly user: string) {}
  check = (model: Readonly<DeviceModel>) => model.users[this.user].devices[0].online && live(model, this.user).length < MAX_DEVICES;
  async run(model: DeviceModel, harness: DeviceHarness) {
    const name = await harness.link(this.user);
    model.linked++;
    model.users[this.user].devices.push({ name, online: true, removed: false });
    harness.assertClean();
  }
  toString = () => `link(${this.user})`;
}

class Remove implements DeviceCommand {
  constructor(readonly user: string, readonly index: number) {}
  private target = (model: Readonly<DeviceModel>) => live(model, this.user).slice(1)[this.index % Math.max(1, live(model, this.user).length - 1)];
  check = (model: Readonly<DeviceModel>) => model.users[this.user].devices[0].online && live(model, this.user).length > 1;
  async run(model: DeviceModel, harness: DeviceHarness) {
    const target = this.target(model);
    await harness.remove(target.name);
    target.removed = true;
    target.online = false;
    harness.assertClean();
  }
  toString = () => `remove(${this.user}, linked[${this.index}])`;
}

class GoOffline implements DeviceCommand {
  constructor(readonly user: string, readonly index: number) {}
  check = (model: Readonly<DeviceModel>) => pick(model, this.user, this.index).online;
  async run(model: DeviceModel, harness: DeviceHarness) {
    const device = pick(model, this.user, this.index);
    await harness.goOffline(device.name);
    device.online = false;
    harness.assertClean();
  }
  toString = () => `goOffline(${this.user}[${this.index}])`;
}

class ComeBack implements DeviceCommand {
  constructor(readonly user: string, readonly index: number) {}
  check = (model: Readonly<DeviceModel>) => !pick(model, this.user, this.index).online;
  async run(model: DeviceModel, harness: DeviceHarness) {
    const device = pick(model, this.user, this.index);
    await harness.comeBack(device.name);
    device.online = true;
    harness.assertClean();
  }
  toString = () => `comeBack(${this.user}[${this.index}])`;
}

export function deviceCommands(names: readonly string[], maxCommands: number, replayPath?: string): fc.Arbitrary<Iterable<DeviceCommand>> {
  const user = fc.constantFrom(...names);
  const index = fc.nat(4);
  const text = fc.string({ minLength: 1, maxLength: 40 });
  return fc.commands(
    [
      fc.tuple(user, index, user, text).map(([from, at, to, body]) => new Send(from, at, to, body)),
      fc.tuple(user, index, user, text).map(([from, at, to, body]) => new Send(from, at, to, body)),
      user.map((name) => new Link(name)),
      fc.tuple(user, index).map(([name, at]) => new Remove(name, at)),
      fc.tuple(user, index).map(([name, at]) => new GoOffline(name, at)),
      fc.tuple(user, index).map(([name, at]) => new ComeBack(name, at)),
    ],
    { maxCommands, size: '+1', ...(replayPath ? { replayPath } : {}) },
  );
}
