/**
 * The fuzz's view of rooms and moderation as the server's events leave them: every event any
 * session was delivered, by seq, so membership at any seq is a replay in seq order (PROTOCOL.md
 * 20.2). Independent of the server's RoomBook on purpose. The commands also say which events they
 * expect (in command order), and at quiescence the two lists must agree.
 */
import type { ChatEvent } from '../../src/protocol/room-frames';
import { EVERYONE, ROOM_PREFIX } from '../../src/protocol/names';

export interface EventRecord {
  seq: number;
  id: string;
  from: string;
  to: string;
  event: ChatEvent;
}

/** What a command expects the server to store (the seq and id are the server's). */
export interface ExpectedEvent {
  from: string;
  to: string;
  kind: ChatEvent['kind'];
  names: string[];
  on?: boolean;
}

export class RoomLog {
  private readonly events = new Map<number, EventRecord>();
  private readonly expected: ExpectedEvent[] = [];

  constructor(readonly users: readonly string[]) {}

  get expectedCount(): number {
    return this.expected.length;
  }

  get seenCount(): number {
    return this.events.size;
  }

  expect(event: ExpectedEvent): void {
    this.expected.push(event);
  }

  /** Files an event as a session saw it; a description of what is wrong, if anything. */
  saw(record: EventRecord): string | undefined {
    const earlier = this.events.get(record.seq);
    if (!earlier) {
      this.events.set(record.seq, record);
      return undefined;
    }
    if (JSON.stringify(describe(earlier)) !== JSON.stringify(describe(record))) return `seq ${record.seq} is ${JSON.stringify(describe(record))} here, ${JSON.stringify(describe(earlier))} elsewhere`;
    return undefined;
  }

  event(seq: number): EventRecord | undefined {
    return this.events.get(seq);
  }

  /**
   * Whether `user` is a member of `room` just before `seq`: the latest known event about them
   * decides. Every event that changes a user's membership is in their own mailbox, so a session
   * has seen all of these below any seq it is delivered.
   */
  memberAt(room: string, user: string, seq: number): boolean {
    let member = false;
    for (const record of this.sorted()) {
      if (record.seq >= seq) break;
      if (record.to !== ROOM_PREFIX + room) continue;
      const { kind, names } = record.event;
      const actor = record.from === user;
      if ((kind === 'created' && (actor || names.includes(user))) || (kind === 'joined' && actor) || (kind === 'added' && names.includes(user))) member = true;
      if ((kind === 'left' && actor) || (kind === 'removed' && names.includes(user))) member = false;
    }
    return member;
  }

  membersAt(room: string, seq: number): string[] {
    return this.users.filter((user) => this.memberAt(room, user, seq));
  }

  /** Who a room message from `from` with this seq goes to: the members at it but the sender, if the sender is one. */
  roomRecipients(room: string, from: string, seq: number): string[] {
    const members = this.membersAt(room, seq);
    return members.includes(from) ? members.filter((member) => member !== from) : [];
  }

  /** Who an event goes to (20.2, 20.4): room events to the members after, those named and the actor. */
  eventRecipients(record: EventRecord): string[] {
    const room = record.to.startsWith(ROOM_PREFIX) ? record.to.slice(ROOM_PREFIX.length) : undefined;
    if (room !== undefined) return unique([...this.membersAt(room, record.seq + 1), ...record.event.names, record.from]);
    if (record.to === EVERYONE) return this.users.filter((user) => user !== record.from);
    return record.to === record.from ? [] : [record.to];
  }

  /** At quiescence: the events seen, in seq order, are exactly those the commands expected. */
  compareWithExpected(): string[] {
    const seen = this.sorted().map(describe);
    const want = this.expected.map(normalise);
    const problems: string[] = [];
    for (let i = 0; i < Math.max(seen.length, want.length); i++) {
      const got = seen[i] ? JSON.stringify(seen[i]) : 'nothing';
      const expected = want[i] ? JSON.stringify(want[i]) : 'nothing';
      if (got !== expected) {
        problems.push(`event #${i + 1} in seq order is ${got}, the commands expected ${expected}`);
        break;
      }
    }
    return problems;
  }

  all(): EventRecord[] {
    return this.sorted();
  }

  private sorted(): EventRecord[] {
    return [...this.events.values()].sort((a, b) => a.seq - b.seq);
  }
}

function describe(record: EventRecord): ExpectedEvent {
  return normalise({ from: record.from, to: record.to, ...record.event });
}

/** One key order and sorted names, so two descriptions compare as JSON. */
function normalise(event: ExpectedEvent): ExpectedEvent {
  const { from, to, kind, names, on } = event;
  return { from, to, kind, names: [...names].sort(), ...(on !== undefined ? { on } : {}) };
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
