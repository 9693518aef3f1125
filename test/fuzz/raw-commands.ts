/**
 * The raw-protocol fuzz's commands. The model holds what decides which command may run (each
 * user's connection state, paused or not) and what the server should answer (rooms, mutes, exam
 * mode: room-model.ts), so a shrunk command list replays exactly; the delivery model proper lives
 * in DeliveryLedger and is checked after every command. Room and moderation commands: room-commands.ts.
 */
import fc from 'fast-check';
import { EVERYONE } from '../../src/protocol/names';
import type { RawHarness } from './raw-harness';
import { RawCommand, RawModel, UserCommand } from './raw-model';
import { refCommands } from './ref-commands';
import { CLASS_ROOM, GROUP_ROOMS, roomCommands } from './room-commands';
import { predictSend } from './room-model';

export { initialModel } from './raw-model';

class Connect extends UserCommand {
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'off';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).open();
    model.users[this.user].state = 'open';
  }
  toString = () => `connect(${this.user})`;
}

class Login extends UserCommand {
  constructor(user: string, readonly withAckedSeq: boolean) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'open';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).login(this.withAckedSeq);
    model.users[this.user].state = 'in';
  }
  toString = () => `login(${this.user}${this.withAckedSeq ? ', ackedSeq' : ''})`;
}

class Send extends UserCommand {
  constructor(user: string, readonly to: string, readonly padding: number) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in';
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).send(this.to, 'x'.repeat(this.padding), predictSend(model.world, this.user, this.to));
  }
  toString = () => `send(${this.user} → ${this.to}, +${this.padding} bytes)`;
}

/** Several messages at once, big enough to fill a paused reader's socket and the server's queue. */
class Burst extends UserCommand {
  constructor(user: string, readonly count: number, readonly bytes: number) {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in';
  act(model: RawModel, harness: RawHarness) {
    const expect = predictSend(model.world, this.user, EVERYONE);
    for (let i = 0; i < this.count; i++) harness.user(this.user).send(EVERYONE, 'b'.repeat(this.bytes), expect);
  }
  toString = () => `burst(${this.user}: ${this.count} × ${this.bytes} bytes to everyone)`;
}

class Ack extends UserCommand {
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in';
  act(_model: RawModel, harness: RawHarness) {
    harness.user(this.user).ack();
  }
  toString = () => `ack(${this.user})`;
}

class Resend extends UserCommand {
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in';
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).resend((to) => predictSend(model.world, this.user, to));
  }
  toString = () => `resendUnacknowledged(${this.user})`;
}

class Disconnect extends UserCommand {
  constructor(user: string, readonly how: 'bye' | 'destroy' | 'torn') {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].state !== 'off';
  async act(model: RawModel, harness: RawHarness) {
    await harness.user(this.user).disconnect(this.how);
    model.users[this.user].state = 'off';
    model.users[this.user].paused = false;
  }
  toString = () => `disconnect(${this.user}, ${this.how === 'torn' ? 'mid-frame' : this.how})`;
}

/** Stops reading (the socket's buffers and then the server's queue fill up). */
class Pause extends UserCommand {
  check = (model: Readonly<RawModel>) => model.users[this.user].state === 'in' && !model.users[this.user].paused;
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).pause();
    model.users[this.user].paused = true;
  }
  toString = () => `pauseReading(${this.user})`;
}

class Resume extends UserCommand {
  check = (model: Readonly<RawModel>) => model.users[this.user].paused;
  act(model: RawModel, harness: RawHarness) {
    harness.user(this.user).resume();
    model.users[this.user].paused = false;
  }
  toString = () => `resumeReading(${this.user})`;
}

/** The user logs in on a second device too (a session that only reads). */
class OpenDevice extends UserCommand {
  check = (model: Readonly<RawModel>) => !model.users[this.user].device;
  async act(model: RawModel, harness: RawHarness) {
    const device = harness.device(this.user);
    await device.open();
    await device.login(false);
    model.users[this.user].device = true;
  }
  toString = () => `openSecondDevice(${this.user})`;
}

class CloseDevice extends UserCommand {
  constructor(user: string, readonly how: 'bye' | 'destroy') {
    super(user);
  }
  check = (model: Readonly<RawModel>) => model.users[this.user].device;
  async act(model: RawModel, harness: RawHarness) {
    await harness.device(this.user).disconnect(this.how);
    model.users[this.user].device = false;
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
export function rawCommands(names: readonly string[], teacher: string, maxCommands: number, replayPath?: string): fc.Arbitrary<Iterable<RawCommand>> {
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
    ...roomCommands(names, teacher),
    ...refCommands(names, [...GROUP_ROOMS, CLASS_ROOM]),
  ];
  return fc.commands(arbitraries, { maxCommands, size: 'max', ...(replayPath ? { replayPath } : {}) });
}
