/**
 * The roster: every registered user with its key and delivery cursor, and the JSON pages of it
 * that logins are sent, kept up to date as keys and presence change rather than built per login.
 */
import type { UserInfo } from '../protocol/frames';
import type { RosterEntry } from './chat-server-options';
import { RosterJson, RosterPageSource } from './roster-json';
import type { RosterView } from './server-services';
import type { SessionRegistry } from './session-registry';
import type { Role } from '../protocol/room-frames';
import type { UserRecord } from './store/store';

export class Roster implements RosterView {
  readonly users = new Map<string, RosterEntry>();
  private readonly json = new RosterJson();

  constructor(private readonly sessions: SessionRegistry) {}

  /** Roles by name, registered or not: a student registering later is given theirs. */
  private roles = new Map<string, Role>();

  /** Fills the roster from the store at start-up. */
  load(records: UserRecord[], roles: Map<string, Role> = new Map()): void {
    this.roles = roles;
    for (const record of records) this.put({ name: record.name, publicKey: record.publicKey, ackedSeq: record.ackedSeq });
  }

  roleOf(name: string): Role {
    return this.roles.get(name) ?? 'student';
  }

  get size(): number {
    return this.users.size;
  }

  get(name: string): RosterEntry | undefined {
    return this.users.get(name);
  }

  has(name: string): boolean {
    return this.users.has(name);
  }

  isOnline(name: string): boolean {
    return this.sessions.isOnline(name);
  }

  list(): UserInfo[] {
    return [...this.users.values()].map((user) => this.sessions.userInfo(user));
  }

  pages(): Buffer[] {
    return this.json.pages();
  }

  pageSources(): RosterPageSource[] {
    return this.json.pageSources();
  }

  /** The operator changed a role while the server runs (another node's store told it); returns the user if registered. */
  setRole(name: string, role: Role): RosterEntry | undefined {
    if (role === 'student') this.roles.delete(name);
    else this.roles.set(name, role);
    const user = this.users.get(name);
    if (!user) return undefined;
    if (role === 'student') delete user.role;
    else user.role = role;
    this.changed(user);
    return user;
  }

  put(user: RosterEntry): void {
    const role = this.roles.get(user.name);
    if (role === 'teacher' || role === 'ta') user.role = role;
    this.users.set(user.name, user);
    this.changed(user);
  }

  remove(user: RosterEntry): void {
    if (this.users.get(user.name) === user) this.users.delete(user.name);
    this.changed(user);
  }

  /** Brings the JSON pages in line after `user`'s key or presence changed. */
  changed(user: RosterEntry): void {
    if (this.users.get(user.name) === user) this.json.set(this.sessions.userInfo(user));
    else this.json.delete(user.name);
  }
}
