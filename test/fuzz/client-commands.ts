/**
 * The ChatClient fuzz's commands: send (private, end-to-end encrypted, or to everyone), cut a
 * user's connection anywhere (the library reconnects and resends), stop a client (bye) and start
 * a new one with the same keys. The model is which clients run; delivery is DeliveryLedger's.
 */
import fc from 'fast-check';
import { EVERYONE } from '../../src/protocol/names';
import type { ClientHarness } from './client-harness';
import { clientRefArbitraries, ClientRef } from './client-refs';

export type ClientModel = Record<string, { running: boolean }>;
type ClientCommand = fc.AsyncCommand<ClientModel, ClientHarness>;

/** ClientHarness.start starts every client. */
export function initialClientModel(names: readonly string[]): ClientModel {
  return Object.fromEntries(names.map((name) => [name, { running: true }]));
}

class Send implements ClientCommand {
  constructor(readonly user: string, readonly to: string, readonly text: string) {}
  check = (model: Readonly<ClientModel>) => model[this.user].running && this.to !== this.user;
  async run(_model: ClientModel, harness: ClientHarness) {
    harness.send(this.user, this.to, this.text);
    harness.ledger.assertClean();
  }
  toString = () => `send(${this.user} → ${this.to}, ${JSON.stringify(this.text)})`;
}

class Cut implements ClientCommand {
  constructor(readonly user: string) {}
  check = (model: Readonly<ClientModel>) => model[this.user].running;
  async run(_model: ClientModel, harness: ClientHarness) {
    harness.cut(this.user);
    harness.ledger.assertClean();
  }
  toString = () => `cutConnection(${this.user})`;
}

class Stop implements ClientCommand {
  constructor(readonly user: string) {}
  check = (model: Readonly<ClientModel>) => model[this.user].running;
  async run(model: ClientModel, harness: ClientHarness) {
    await harness.stopClient(this.user);
    model[this.user].running = false;
    harness.ledger.assertClean();
  }
  toString = () => `stopClient(${this.user})`;
}

class Start implements ClientCommand {
  constructor(readonly user: string) {}
  check = (model: Readonly<ClientModel>) => !model[this.user].running;
  async run(model: ClientModel, harness: ClientHarness) {
    await harness.startClient(this.user);
    model[this.user].running = true;
    harness.ledger.assertClean();
  }
  toString = () => `startClient(${this.user})`;
}

/** A reply, edit, delete or reaction (client-refs.ts), answered before the next command. */
class Reference implements ClientCommand {
  constructor(readonly ref: ClientRef) {}
  check = (model: Readonly<ClientModel>) => model[this.ref.user].running;
  async run(_model: ClientModel, harness: ClientHarness) {
    await this.ref.run(harness);
    harness.ledger.assertClean();
  }
  toString = () => this.ref.toString();
}

class Sleep implements ClientCommand {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: ClientModel, harness: ClientHarness) {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    harness.ledger.assertClean();
  }
  toString = () => `sleep(${this.ms} ms)`;
}

export function clientCommands(names: readonly string[], maxCommands: number, replayPath?: string): fc.Arbitrary<Iterable<ClientCommand>> {
  const user = fc.constantFrom(...names);
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const arbitraries: fc.Arbitrary<ClientCommand>[] = [
    fc.tuple(user, user, text).map(([from, to, body]) => new Send(from, to, body)),
    fc.tuple(user, user, text).map(([from, to, body]) => new Send(from, to, body)),
    fc.tuple(user, text).map(([from, body]) => new Send(from, EVERYONE, body)),
    fc.tuple(user, text).map(([from, body]) => new Send(from, EVERYONE, body)),
    user.map((name) => new Cut(name)),
    user.map((name) => new Stop(name)),
    user.map((name) => new Start(name)),
    fc.integer({ min: 0, max: 60 }).map((ms) => new Sleep(ms)),
    ...clientRefArbitraries(names, (ref) => new Reference(ref)),
  ];
  return fc.commands(arbitraries, { maxCommands, size: 'max', ...(replayPath ? { replayPath } : {}) });
}
