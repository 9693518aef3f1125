/**
 * The roster as the JSON of `welcome.users`, kept up to date when a user registers, binds a key or
 * comes and goes, in segments of a few hundred users. A login writes the segments' bytes as they
 * are: with 10,000 users a welcome is ~900 KB, and building it per login (a string, then bytes)
 * made a login storm's memory peak at hundreds of MB of dead copies. A change rebuilds one segment.
 * A segment is also one roster page of protocol v2, so no roster line grows with the class.
 */
import type { UserInfo } from '../protocol/frames';
import { LIMITS } from '../protocol/limits';

const SEGMENT_USERS = LIMITS.maxRosterPage;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** One roster page whose JSON is read when it is written, so a slow login pins no stale copy. */
export interface RosterPageSource {
  readonly json: Buffer;
}

class Segment implements RosterPageSource {
  readonly users = new Map<string, string>();
  private bytes: Buffer | undefined;

  get json(): Buffer {
    return (this.bytes ??= Buffer.from([...this.users.values()].join(','), 'utf8'));
  }

  changed(): void {
    this.bytes = undefined;
  }
}

export class RosterJson {
  private readonly segments: Segment[] = [];
  private readonly segmentOf = new Map<string, Segment>();

  set(user: UserInfo): void {
    let segment = this.segmentOf.get(user.name);
    if (!segment) {
      segment = this.segments.at(-1);
      if (!segment || segment.users.size >= SEGMENT_USERS) this.segments.push((segment = new Segment()));
      this.segmentOf.set(user.name, segment);
    }
    segment.users.set(user.name, JSON.stringify({ name: user.name, publicKey: user.publicKey, online: user.online, ...(user.role ? { role: user.role } : {}) }));
    segment.changed();
  }

  delete(name: string): void {
    const segment = this.segmentOf.get(name);
    if (!segment) return;
    this.segmentOf.delete(name);
    segment.users.delete(name);
    segment.changed();
    if (segment.users.size === 0) this.segments.splice(this.segments.indexOf(segment), 1);
  }

  /**
   * Every user (in the order they were added) in pages of at most `LIMITS.maxRosterPage`, each
   * the users' JSON objects joined by commas, without brackets. The buffers are shared and never
   * modified: a change makes new ones.
   */
  pages(): Buffer[] {
    return this.segments.map((segment) => segment.json);
  }

  /** The pages as they are now; each one's JSON is taken when asked for (users never move between pages). */
  pageSources(): RosterPageSource[] {
    return [...this.segments];
  }

  /** The JSON array of every user, as buffers to be written one after the other. */
  parts(): Buffer[] {
    const parts: Buffer[] = [OPEN];
    for (const page of this.pages()) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(page);
    }
    parts.push(CLOSE);
    return parts;
  }
}
