/**
 * The server's rooms: who may see, join, change and write in each room (roles included), the
 * limits, and who a just-stored room message goes to. Room frames are handled in
 * room-handlers.ts; this part decides, and follows the stored events through its RoomBook.
 */
import type { ErrorCode } from '../../protocol/errors';
import { LIMITS } from '../../protocol/limits';
import type { Role, RoomInfo } from '../../protocol/room-frames';
import { STAFF_ROLES } from '../../protocol/room-frames';
import type { Room } from './room-book';
import { RoomBook } from './room-book';
import type { StoredMessage } from '../store/store';

export interface Refusal {
  code: ErrorCode;
  detail?: string;
}

/** What rooms need of the roster. */
export interface RoomRoster {
  has(name: string): boolean;
  roleOf(name: string): Role;
  get(name: string): { publicKey: string | null } | undefined;
}

export class Rooms {
  readonly book = new RoomBook();
  /** Names being created (stored, not yet applied): a second create of one waits its turn. */
  private readonly creating = new Set<string>();

  constructor(private readonly roster: RoomRoster) {}

  load(rooms: Room[]): void {
    this.book.load(rooms);
  }

  isStaff(name: string): boolean {
    return STAFF_ROLES.has(this.roster.roleOf(name));
  }

  /** A room name or one being created: users and rooms share one namespace. */
  isTaken(name: string): boolean {
    return this.book.has(name) || this.creating.has(name);
  }

  /** The room `viewer` may know of: a member's, any class room, and every room for staff. */
  visible(name: string, viewer: string): Room | undefined {
    const room = this.book.get(name);
    if (!room) return undefined;
    return room.kind === 'class' || room.members.has(viewer) || this.isStaff(viewer) ? room : undefined;
  }

  info(room: Room, viewer: string): RoomInfo {
    return this.book.info(room, viewer);
  }

  /** Rooms for `room_list`: the viewer's and every class room (everything for staff), at most LIMITS.maxRoomList. */
  list(viewer: string): RoomInfo[] {
    const rooms: RoomInfo[] = [];
    for (const room of this.book.all()) {
      if (rooms.length >= LIMITS.maxRoomList) break;
      if (this.visible(room.name, viewer)) rooms.push(this.info(room, viewer));
    }
    return rooms;
  }

  /** Why `from` may not send this to the room, if they may not. */
  checkSend(from: string, name: string, content: { box?: unknown; text?: string; ref?: { rel: string } }): Refusal | undefined {
    const room = this.visible(name, from);
    if (!room) return { code: 'unknown_room', detail: name };
    if (!room.members.has(from)) return { code: 'not_member', detail: name };
    if (room.readOnly && !this.isStaff(from)) return { code: 'read_only', detail: `#${name} is for announcements` };
    // A delete carries no content in either kind of room.
    if (content.ref?.rel === 'delete') return undefined;
    if (room.encrypted && content.box === undefined) return { code: 'invalid_frame', detail: `#${name} is end-to-end encrypted: send a box` };
    if (!room.encrypted && content.text === undefined) return { code: 'invalid_frame', detail: `#${name} is not encrypted: send text` };
    return undefined;
  }

  /** The seq after which `viewer` may read the room's history, or why not. */
  historyAfter(name: string, viewer: string): { after: number } | Refusal {
    const room = this.visible(name, viewer);
    if (!room) return { code: 'unknown_room', detail: name };
    const joined = room.members.get(viewer);
    if (joined !== undefined) return { after: joined - 1 };
    if (room.kind === 'class' && !room.encrypted) return { after: 0 };
    return { code: 'not_member', detail: name };
  }

  checkCreate(creator: string, name: string, kind: Room['kind'], encrypted: boolean, readOnly: boolean, members: string[]): Refusal | undefined {
    if (this.isTaken(name) || this.roster.has(name)) return { code: 'name_taken', detail: `#${name}` };
    const staff = this.isStaff(creator);
    const teacher = this.roster.roleOf(creator) === 'teacher';
    if (kind === 'class' && !teacher) return { code: 'forbidden', detail: 'only a teacher creates class rooms' };
    if (readOnly && !teacher) return { code: 'forbidden', detail: 'only a teacher creates read-only rooms' };
    if (!encrypted && !staff) return { code: 'forbidden', detail: "a student's room is end-to-end encrypted" };
    if (this.book.size + this.creating.size >= LIMITS.maxRooms) return { code: 'room_full', detail: `this server has ${LIMITS.maxRooms} rooms` };
    if (kind === 'class' && [...this.book.all()].filter((room) => room.kind === 'class').length >= LIMITS.maxClassRooms) {
      return { code: 'room_full', detail: `this server has ${LIMITS.maxClassRooms} class rooms` };
    }
    return this.checkNewMembers(undefined, [creator, ...members], encrypted);
  }

  checkJoin(user: string, name: string): Refusal | undefined {
    const room = this.visible(name, user);
    if (!room) return { code: 'unknown_room', detail: name };
    if (room.members.has(user)) return undefined;
    if (room.kind !== 'class') return { code: 'forbidden', detail: `#${name} is invite-only: ask a member to add you` };
    return this.checkNewMembers(room, [user], room.encrypted);
  }

  checkAdd(actor: string, name: string, members: string[]): Refusal | undefined {
    const room = this.visible(name, actor);
    if (!room) return { code: 'unknown_room', detail: name };
    const may = this.isStaff(actor) || (room.kind === 'group' && room.members.has(actor));
    if (!may) return { code: room.members.has(actor) ? 'forbidden' : 'not_member', detail: room.kind === 'class' ? 'a teacher or TA adds to a class room' : name };
    return this.checkNewMembers(room, members, room.encrypted);
  }

  checkRemove(actor: string, name: string, member: string): Refusal | undefined {
    const room = this.visible(name, actor);
    if (!room) return { code: 'unknown_room', detail: name };
    if (!(this.isStaff(actor) || room.owner === actor)) return { code: 'forbidden', detail: `only #${name}'s owner, a teacher or a TA removes members` };
    if (!room.members.has(member)) return { code: 'not_member', detail: `${member} is not in #${name}` };
    if (this.isStaff(member) && !this.isStaff(actor)) return { code: 'forbidden', detail: 'a student cannot remove a teacher or TA' };
    return undefined;
  }

  /** Marks a name as being created until `settled`. */
  reserve(name: string, settled: Promise<unknown>): void {
    this.creating.add(name);
    void settled.finally(() => this.creating.delete(name));
  }

  /** Applies a just-stored room message (in seq order) and returns who gets it. */
  recipients(message: StoredMessage): string[] {
    return this.book.apply(message) ?? [];
  }

  private checkNewMembers(room: Room | undefined, members: string[], encrypted: boolean): Refusal | undefined {
    const fresh = [...new Set(members)].filter((name) => !room?.members.has(name));
    for (const name of fresh) {
      const user = this.roster.get(name);
      if (!user) return { code: 'unknown_user', detail: name };
      if (encrypted && user.publicKey === null) return { code: 'no_key', detail: `${name} uses plain text and cannot read an encrypted room` };
      if (this.book.roomsOf(name).size >= LIMITS.maxRoomsPerMember) return { code: 'room_full', detail: `${name} is in ${LIMITS.maxRoomsPerMember} rooms` };
    }
    if ((room?.members.size ?? 0) + fresh.length > LIMITS.maxRoomMembers) return { code: 'room_full', detail: `a room has at most ${LIMITS.maxRoomMembers} members` };
    return undefined;
  }
}
