/**
 * The roster as this client knows it: every user the server reported, with their key and whether
 * they are online, from the welcome and each presence frame since; every key reported is passed
 * on to be pinned or checked against its pin.
 */
import type { UserInfo } from '../protocol/frames';
import type { Emit } from './client-services';
import type { RosterEntry } from './types';

export interface RosterParts {
  /** A report of `user`'s key after `previousKey` (trust.ts pins it or warns of a change). */
  observe(user: UserInfo, previousKey: string | null | undefined): void;
  readonly emit: Emit<'presence' | 'roster'>;
}

export class Roster {
  readonly entries = new Map<string, RosterEntry>();

  constructor(private readonly parts: RosterParts) {}

  /** Logged in: the welcome's users replace whatever was known (announced later, by `announce`). */
  loggedIn(users: readonly UserInfo[]): void {
    this.entries.clear();
    for (const user of users) this.entries.set(user.name, entryOf(user));
    for (const user of users) this.parts.observe(user, undefined);
  }

  /** Tells listeners the whole roster. */
  announce(): void {
    this.parts.emit('roster', this.entries);
  }

  /** A presence frame: `user` registered, came online, went offline or has another key. */
  onPresence(user: UserInfo): void {
    const previous = this.entries.get(user.name);
    this.entries.set(user.name, entryOf(user));
    this.parts.observe(user, previous?.publicKey);
    this.parts.emit('presence', user, previous);
    this.announce();
  }
}

/** The role is kept only when there is one (absent: a student), as on the wire. */
function entryOf(user: UserInfo): RosterEntry {
  return user.role ? { publicKey: user.publicKey, online: user.online, role: user.role } : { publicKey: user.publicKey, online: user.online };
}
