/**
 * The raw-protocol fuzz's model: each user's connection state, and rooms and moderation as the
 * commands left them (room-model.ts); and the base of the commands that act for one user.
 */
import type fc from 'fast-check';
import type { RawHarness } from './raw-harness';
import type { WorldModel } from './room-model';

export interface UserModel {
  state: 'off' | 'open' | 'in';
  paused: boolean;
  /** A second session of the same user (another device), logged in or not. */
  device: boolean;
}
export interface RawModel {
  users: Record<string, UserModel>;
  world: WorldModel;
}
export type RawCommand = fc.AsyncCommand<RawModel, RawHarness>;

/** RawHarness.start logs everyone in; `teacher` has that role in the store before the server starts. */
export function initialModel(names: readonly string[], teacher: string): RawModel {
  return {
    users: Object.fromEntries(names.map((name) => [name, { state: 'in', paused: false, device: false }])),
    world: { teacher, rooms: {}, muted: [], readOnly: false },
  };
}

export abstract class UserCommand implements RawCommand {
  constructor(readonly user: string) {}
  abstract check(model: Readonly<RawModel>): boolean;
  protected abstract act(model: RawModel, harness: RawHarness): Promise<void> | void;
  abstract toString(): string;
  async run(model: RawModel, harness: RawHarness): Promise<void> {
    await this.act(model, harness);
    harness.ledger.assertClean();
  }
}
