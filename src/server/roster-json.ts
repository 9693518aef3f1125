/**
 * The roster as the JSON of `welcome.users`, kept up to date when a user registers, binds a key or
 * comes and goes, in segments of a few hundred users. A login writes the segments' bytes as they
 * are: with 10,000 users a welcome is ~900 KB, and building it per login (a string, then bytes)
 * made a login storm's memory peak at hundreds of MB of dead copies. A change rebuilds one segment.
 */
import type { UserInfo } from '../protocol/frames';

const SEGMENT_USERS = 256;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

class Segment {
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
    segment.users.set(user.name, JSON.stringify({ name: user.name, publicKey: user.publicKey, online: user.online }));
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
   * The JSON array of every user (in the order they were added) as buffers to be written one
   * after the other. The buffers are shared and never modified: a change makes new ones.
   */
  parts(): Buffer[] {
    const parts: Buffer[] = [OPEN];
    for (const segment of this.segments) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(segment.json);
    }
    parts.push(CLOSE);
    return parts;
  }
}
