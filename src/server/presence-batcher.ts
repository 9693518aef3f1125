/**
 * Presence changes: sent at once while that is cheap, and in batches during a login storm on a
 * big server, when each online session gets one write per batch instead of one per login. One
 * write per login per session made logging in N users cost N² socket writes (10,000 users:
 * 133 s). Broadcasts are paced by a budget of socket writes per second (one per online session
 * each), so a class of a few hundred logging in at a few per second hears of each at once.
 */
import type { UserInfo } from '../protocol/frames';
import type { Clock } from './clock';
import { frameLine } from './message-lines';
import { plainNotice } from './plain-lines';
import type { SessionRegistry } from './session-registry';
import { TokenBucket } from './token-bucket';

/** What presence tells classmates about a user. */
type PresenceUser = Pick<UserInfo, 'name' | 'publicKey'>;

export interface PresenceBatching {
  /** Socket writes per second that presence may cost; a second's worth may go at once. */
  writesPerSecond: number;
  /** A batch waits at least this long, to gather the storm. */
  minDelayMs: number;
}

export class PresenceBatcher {
  /** Users whose presence changed since the last batch (the entry holds the current key). */
  private readonly changed = new Map<string, PresenceUser>();
  private readonly budget: TokenBucket;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly batching: PresenceBatching,
    clock: Clock,
  ) {
    // A second's worth at once: a class of 200 logging in together (40,000 writes) is told at
    // once, rather than in batches that spill into the chat that follows.
    this.budget = new TokenBucket(batching.writesPerSecond, batching.writesPerSecond, clock);
  }

  /** `user` came online or went offline. */
  changedUser(user: PresenceUser): void {
    this.changed.set(user.name, user);
    if (this.timer !== undefined) return;
    const cost = Math.max(1, this.sessions.size);
    if (this.budget.take(cost)) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.budget.spend(Math.max(1, this.sessions.size));
      this.flush();
    }, Math.max(this.batching.minDelayMs, this.budget.msUntil(cost)));
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
    const infos: UserInfo[] = [...this.changed.values()].map((user) => this.sessions.userInfo(user));
    this.changed.clear();
    if (infos.length === 0) return;
    const subjects = new Set(infos.map((info) => info.name));
    const jsonLines = infos.map((info) => frameLine({ type: 'presence', user: info }));
    const plainLines = infos.map((info) => plainNotice(info.online ? `New Connection: [${info.name}]` : `${info.name} left`));
    // Encoded once: every session's write shares the same bytes.
    const jsonAll = Buffer.from(jsonLines.join(''), 'utf8');
    const plainAll = Buffer.from(plainLines.join(''), 'utf8');
    this.sessions.forEach((session) => {
      const json = session.kind === 'json';
      if (!subjects.has(session.name)) session.transport.write(json ? jsonAll : plainAll);
      else if (infos.length > 1) session.transport.write((json ? jsonLines : plainLines).filter((_, index) => infos[index].name !== session.name).join(''));
    });
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
