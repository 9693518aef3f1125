/**
 * The raw-protocol fuzz's commands. The model holds only what decides which command may run
 * (each user's connection state, paused or not), so a shrunk command list replays exactly; the
 * delivery model proper lives in DeliveryLedger and is checked after every command.
 */
import fc from 'fast-check';
import { EVERYONE } from '../../src/protocol/names';
import type { RawHarness } from './raw-harness';

export interface UserModel {
  state: 'off' | 'open' | 'in';
  paused: boolean;
  /** A second session of the same user (another device), logged in or not. */
  device: boolean;
}
export type RawModel = Record<string, UserModel>;
type RawCommand = fc.AsyncCommand<RawModel, RawHarness>;

/** RawHarness.start logs everyone in. */
export function initialModel(names: readonly string[]): RawModel {
  return Object.fromEntries(names.map((name) => [name, { state: 'in', paused: false, device: false }]));
}

abstract class UserCommand implements RawCommand {
  constructor(readonly user: string) {}
  abstract check(model: Readonly<RawModel>): boolean;
  protected abstract act(model: RawModel, harness: RawHarness): Promise<void> | void;
  abstract toString(): string;
  async run(model: RawModel, harness: RawHarness): Promise<void> {
    await this.act(model, harness);
    harness.ledger.assertClean();
  }
}

class Connect extends UserCommand {
  check = (model: Readonly<RawModel>) => model[this.user].state === 'off';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).open();
    model[this.user].state = 'open';
  }
  toString = () => `connect(${this.user})`;
}

class Login extends UserCommand {
  constructor(user: string, readonly withAckedSeq: boolean) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model[this.user].state === 'open';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).login(this.withAckedSeq);
    model[this.user].state = 'in';
  }
  toString = () => `login(${this.user}${this.withAckedSeq ? ', ackedSeq' : ''})`;
}

class Send extends UserCommand {
  constructor(user: string, readonly to: string, readonly padding: number) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model[this.user].state === 'in';
  act(_model: RawModel, harness: RawHarness) {
    harness.user(this.user).send(this.to, 'x'.repeat(this.padding));
  }
  toString = () => `send(${this.user} → ${this.to}, +${this.padding} bytes)`;
}

/** Several messages at once, big enough to fill a paused reader's socket and the server's queue. */
class Burst extends UserCommand {
  constructor(user: string, readonly count: number, readonly bytes: number) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model[this.user].state === 'in';
  act(_model: RawModel, harness: RawHarness) {
    for (let i = 0; i < this.count; i++) harness.user(this.user).send(EVERYONE, 'b'.repeat(this.bytes));
  }
  toString = () => `burst(${this.user}: ${this.count} × ${this.bytes} bytes to everyone)`;
}

class Ack extends UserCommand {
  check = (model: Readonly<RawModel>) => model[this.user].state === 'in';
  act(_model: RawModel, harness: RawHarness) {
    harness.user(this.user).ack();
  }
  toString = () => `ack(${this.user})`;
}

class Resend extends UserCommand {
  check = (model: Readonly<RawModel>) => model[this.user].state === 'in';
  act(_model: RawModel, harness: RawHarness) {
    harness.user(this.user).resend();
  }
  toString = () => `resendUnacknowledged(${this.user})`;
}

class Disconnect extends UserCommand {
  constructor(user: string, readonly how: 'bye' | 'destroy' | 'torn') {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model[this.user].state !== 'off';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).disconnect(this.how);
    model[this.user].state = 'off';
    model[this.user].paused = false;
  }
  toString = () => `disconnect(${this.user}, ${this.how === 'torn' ? 'mid-frame' : this.how})`;
}

/** Stops reading (the socket's buffers and then the server's queue fill up). */
class Pause extends UserCommand {
  check = (model: Readonly<RawModel>) => model[this.user].state === 'in' && !model[this.user].paused;
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).pause();
    model[this.user].paused = true;
  }
  toString = () => `pauseReading(${this.user})`;
}

class Resume extends UserCommand {
  check = (model: Readonly<RawModel>) => model[this.user].paused;
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).resume();
    model[this.user].paused = false;
  }
  toString = () => `resumeReading(${this.user})`;
}

/** The user logs in on a second device too (a session that only reads). */
class OpenDevice extends UserCommand {
  check = (model: Readonly<RawModel>) => !model[this.user].device;
  async act(model: RawModel, harness: RawHarness) {
    const device = harness.device(this.user);
    await device.open();
    await device.login(false);
    model[this.user].device = true;
  }
  toString = () => `openSecondDevice(${this.user})`;
}

class CloseDevice extends UserCommand {
  constructor(user: string, readonly how: 'bye' | 'destroy') {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model[this.user].device;
  async act(model: RawModel, harness: RawHarness) {
    await harness.device(this.user).disconnect(this.how);
    model[this.user].device = false;
  }
  toString = () => `closeSecondDevice(${this.user}, ${this.how})`;
}

class Sleep implements RawCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: RawModel, harness: RawHarness) {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    harness.ledger.assertClean();
  }
  toString = () => `sleep(${this.ms} ms)`;
}

/** Every command, over `names`; `*` and the sender's own name are valid recipients too. */
export function rawCommands(names: readonly string[], maxCommands: number, replayPath?: string): fc.Arbitrary<Iterable<RawCommand>> {
  const user = fc.constantFrom(...names);
  const recipient = fc.constantFrom(EVERYONE, ...names);
  const arbitraries: fc.Arbitrary<RawCommand>[] = [
    user.map((name) => new Connect(name)),
    fc.tuple(user, fc.boolean()).map(([name, withAck]) => new Login(name, withAck)),
    fc.tuple(user, recipient, fc.nat(600)).map(([name, to, padding]) => new Send(name, to, padding)),
    fc.tuple(user, recipient, fc.nat(600)).map(([name, to, padding]) => new Send(name, to, padding)),
    fc.tuple(user, fc.integer({ min: 2, max: 25 }), fc.integer({ min: 100, max: 6000 })).map(([name, count, bytes]) => new Burst(name, count, bytes)),
    user.map((name) => new Ack(name)),
    user.map((name) => new Resend(name)),
    fc.tuple(user, fc.constantFrom('bye' as const, 'destroy' as const, 'torn' as const)).map(([name, how]) => new Disconnect(name, how)),
    user.map((name) => new Pause(name)),
    user.map((name) => new Resume(name)),
    user.map((name) => new OpenDevice(name)),
    fc.tuple(user, fc.constantFrom('bye' as const, 'destroy' as const)).map(([name, how]) => new CloseDevice(name, how)),
    fc.integer({ min: 0, max: 40 }).map((ms) => new Sleep(ms)),
  ];
  return fc.commands(arbitraries, { maxCommands, size: 'max', ...(replayPath ? { replayPath } : {}) });
}
