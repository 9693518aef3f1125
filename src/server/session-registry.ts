/**
 * Who is online: every live session, grouped by user. A user may be logged in on several
 * devices at once (the editor, a terminal, a script); each session is sent the shared mailbox.
 */
import type { UserInfo } from '../protocol/frames';
import type { Session } from './session';

export class SessionRegistry {
  private readonly byUser = new Map<string, Session[]>();
  /** Users online on other nodes sharing the store, with those nodes' names. */
  private readonly elsewhere = new Map<string, Set<string>>();
  private count = 0;

  /** How many sessions are open. */
  get size(): number {
    return this.count;
  }

  /** Adds a session; returns the sessions evicted to stay within `maxPerUser`, oldest first. */
  add(session: Session, maxPerUser: number): Session[] {
    const sessions = this.byUser.get(session.name) ?? [];
    const evicted = sessions.length >= maxPerUser ? sessions.splice(0, sessions.length - maxPerUser + 1) : [];
    sessions.push(session);
    this.byUser.set(session.name, sessions);
    this.count += 1 - evicted.length;
    return evicted;
  }

  /** Removes a session; true when it was the user's last one (the user went offline). */
  remove(session: Session): boolean {
    const sessions = this.byUser.get(session.name);
    if (!sessions) return false;
    const index = sessions.indexOf(session);
    if (index === -1) return false;
    sessions.splice(index, 1);
    this.count--;
    if (sessions.length > 0) return false;
    this.byUser.delete(session.name);
    return true;
  }

  /** Online here or on another node. */
  isOnline(name: string): boolean {
    return this.byUser.has(name) || this.elsewhere.has(name);
  }

  /** Online with a session on this node. */
  isOnlineHere(name: string): boolean {
    return this.byUser.has(name);
  }

  /** Records `name`'s presence on another node; true when that changed whether it is online anywhere. */
  setOnlineElsewhere(name: string, node: string, online: boolean): boolean {
    const before = this.isOnline(name);
    const nodes = this.elsewhere.get(name) ?? new Set<string>();
    if (online) nodes.add(node);
    else nodes.delete(node);
    if (nodes.size > 0) this.elsewhere.set(name, nodes);
    else this.elsewhere.delete(name);
    return before !== this.isOnline(name);
  }

  /** Another node is gone: returns the users who were online only there. */
  forgetNode(node: string): string[] {
    const gone: string[] = [];
    for (const name of [...this.elsewhere.keys()]) if (this.setOnlineElsewhere(name, node, false)) gone.push(name);
    return gone;
  }

  /** What others are told about `user`: its name, its key, and whether it is online now. */
  userInfo(user: { name: string; publicKey: string | null; role?: 'teacher' | 'ta' }): UserInfo {
    const info: UserInfo = { name: user.name, publicKey: user.publicKey, online: this.isOnline(user.name) };
    if (user.role) info.role = user.role;
    return info;
  }

  forUser(name: string): readonly Session[] {
    return this.byUser.get(name) ?? [];
  }

  /** Every session. A plain loop, not a generator: fan-out calls this once per message. */
  forEach(visit: (session: Session) => void): void {
    for (const sessions of this.byUser.values()) for (let i = 0; i < sessions.length; i++) visit(sessions[i]);
  }
}
