/**
 * Presence changes: sent at once while that is cheap, and in batches every `delayMs` during a
 * login storm on a big server, when each online session gets one write per batch instead of one
 * per login. One write per login per session made logging in N users cost N² socket writes
 * (10,000 users: 133 s). A client can address a newcomer only once it has heard of them, so the
 * usual case (a class of a few hundred, a few logins a second) stays immediate.
 */
import type { UserInfo } from '../protocol/frames';
import type { RosterEntry } from './chat-server-options';
import { frameLine } from './message-lines';
import { plainNotice } from './plain-text';
import type { SessionRegistry } from './session-registry';

export interface PresenceBatching {
  /**
   * Socket writes per `delayMs` window that changes sent at once may cost: each costs one per
   * online session, so with S sessions floor(budget / S) changes per window go out at once and
   * the rest wait for the batch.
   */
  immediateWritesPerWindow: number;
  delayMs: number;
}

export class PresenceBatcher {
  /** Users whose presence changed since the last batch (the entry holds the current key). */
  private readonly changed = new Map<string, RosterEntry>();
  private timer: NodeJS.Timeout | undefined;
  private windowStart = -Infinity;
  private sentInWindow = 0;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly batching: PresenceBatching,
    private readonly now: () => number,
  ) {}

  /** `user` came online or went offline. */
  changedUser(user: RosterEntry): void {
    const now = this.now();
    if (now - this.windowStart >= this.batching.delayMs) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    this.changed.set(user.name, user);
    const immediatePerWindow = Math.floor(this.batching.immediateWritesPerWindow / Math.max(1, this.sessions.size));
    if (this.timer === undefined && this.sentInWindow < immediatePerWindow) {
      this.sentInWindow++;
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.batching.delayMs);
  }

  /** Forgets what is pending (the server is shutting down). */
  stop(): void {
    this.cancelTimer();
    this.changed.clear();
  }

  /** Tells every session about each changed user, except that user's own sessions. */
  flush(): void {
    this.cancelTimer();
    // Each user's state now, even when a change was undone within the batch: a session that logged
    // in meanwhile saw the changed state in its welcome and must hear that it changed back.
    const infos: UserInfo[] = [...this.changed.values()].map((user) => ({ name: user.name, publicKey: user.publicKey, online: this.sessions.isOnline(user.name) }));
    this.changed.clear();
    if (infos.length === 0) return;
    const subjects = new Set(infos.map((info) => info.name));
    const jsonLines = infos.map((info) => frameLine({ type: 'presence', user: info }));
    const plainLines = infos.map((info) => plainNotice(info.online ? `New Connection: [${info.name}]` : `${info.name} left`));
    // Encoded once: every session's write shares the same bytes.
    const jsonAll = Buffer.from(jsonLines.join(''), 'utf8');
    const plainAll = Buffer.from(plainLines.join(''), 'utf8');
    this.sessions.forEach((session) => {
      const lines = session.kind === 'json' ? jsonLines : plainLines;
      if (!subjects.has(session.name)) session.transport.write(session.kind === 'json' ? jsonAll : plainAll);
      else if (infos.length > 1) session.transport.write(lines.filter((_, index) => infos[index].name !== session.name).join(''));
    });
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
