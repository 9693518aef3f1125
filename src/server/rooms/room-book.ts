/**
 * Rooms as their events leave them (PROTOCOL.md section 20.2): who is in each room, since which
 * seq, and who a room's message goes to. Pure and applied in seq order, the same way by a store
 * building mailboxes and by the server waking sessions, so both agree on every recipient.
 */
import type { ChatEvent, RoomInfo, RoomKind } from '../../protocol/room-frames';
import { ROOM_PREFIX } from '../../protocol/names';

export interface Room {
  name: string;
  kind: RoomKind;
  encrypted: boolean;
  readOnly: boolean;
  owner: string;
  /** The seq of its `created` event. */
  createdSeq: number;
  /** Each member and the seq of the event that made it one. */
  members: Map<string, number>;
}

/** What RoomBook needs of a stored message. */
export interface RoomMessage {
  seq: number;
  from: string;
  to: string;
  event?: ChatEvent;
}

/** `#lab-3` → `lab-3`; undefined when `to` is not a room. */
export function roomOf(to: string): string | undefined {
  return to.startsWith(ROOM_PREFIX) ? to.slice(ROOM_PREFIX.length) : undefined;
}

export class RoomBook {
  private readonly rooms = new Map<string, Room>();
  /** Rooms each user is in. */
  private readonly byMember = new Map<string, Set<string>>();

  /** Starts from rooms a store listed (listRooms), before any new event is applied. */
  load(rooms: Iterable<Room>): void {
    for (const room of rooms) {
      this.rooms.set(room.name, { ...room, members: new Map() });
      for (const [member, seq] of room.members) this.addMember(this.rooms.get(room.name)!, member, seq);
    }
  }

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  has(name: string): boolean {
    return this.rooms.has(name);
  }

  all(): IterableIterator<Room> {
    return this.rooms.values();
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Whether a message from `from` to `to` belongs in the room's stream (an event, or a member's). */
  belongs(message: RoomMessage): boolean {
    const name = roomOf(message.to);
    return name !== undefined && (message.event !== undefined || this.rooms.get(name)?.members.has(message.from) === true);
  }

  /** Names of the rooms `user` is in. */
  roomsOf(user: string): ReadonlySet<string> {
    return this.byMember.get(user) ?? EMPTY;
  }

  /**
   * Applies one message to a room (an event changes membership) and returns who gets it: for an
   * ordinary message every member at its seq but the sender; for an event every member after it,
   * the users it names (a removed user learns it) and the actor. Undefined when `to` is no room.
   */
  apply(message: RoomMessage): string[] | undefined {
    const name = roomOf(message.to);
    if (name === undefined) return undefined;
    const event = message.event;
    if (event?.kind === 'created' && !this.rooms.has(name)) {
      const info = event.room;
      this.rooms.set(name, {
        name,
        kind: info?.kind ?? 'group',
        encrypted: info?.encrypted ?? true,
        readOnly: info?.readOnly ?? false,
        owner: message.from,
        createdSeq: message.seq,
        members: new Map(),
      });
    }
    const room = this.rooms.get(name);
    if (!room) return [];
    // A message stored just as its sender left or was removed reaches nobody.
    if (!event) return room.members.has(message.from) ? [...room.members.keys()].filter((member) => member !== message.from) : [];
    const before = [...room.members.keys()];
    switch (event.kind) {
      case 'created':
      case 'joined':
      case 'added':
        for (const member of [...event.names, ...(event.kind === 'added' ? [] : [message.from])]) this.addMember(room, member, message.seq);
        return unique([...room.members.keys(), message.from]);
      case 'left':
      case 'removed':
        for (const member of [...event.names, ...(event.kind === 'left' ? [message.from] : [])]) this.removeMember(room, member);
        return unique([...before, ...event.names, message.from]);
      default:
        return unique([...room.members.keys(), ...event.names, message.from]);
    }
  }

  /** The protocol's view of a room for `viewer`. */
  info(room: Room, viewer: string): RoomInfo {
    return {
      room: room.name,
      kind: room.kind,
      encrypted: room.encrypted,
      readOnly: room.readOnly,
      owner: room.owner,
      size: room.members.size,
      member: room.members.has(viewer),
      seq: room.createdSeq,
    };
  }

  private addMember(room: Room, member: string, seq: number): void {
    if (room.members.has(member)) return;
    room.members.set(member, seq);
    let rooms = this.byMember.get(member);
    if (!rooms) this.byMember.set(member, (rooms = new Set()));
    rooms.add(room.name);
  }

  private removeMember(room: Room, member: string): void {
    if (!room.members.delete(member)) return;
    const rooms = this.byMember.get(member);
    rooms?.delete(room.name);
    if (rooms?.size === 0) this.byMember.delete(member);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
