/**
 * The rooms this client knows and who is in them (PROTOCOL.md 20.2), rebuilt from the events of
 * each room's stream in seq order, plus what `room_list` and `room_members` replies say. Pure:
 * no connection, no keys. rooms.ts feeds it and asks for what it does not know yet.
 */
import type { ChatMessage } from '../protocol/frames';
import { ROOM_PREFIX } from '../protocol/names';
import type { RoomInfo, RoomKind } from '../protocol/room-frames';

/** A room as ChatClient shows it. */
export interface RoomView {
  /** Without the `#`. */
  name: string;
  kind: RoomKind;
  /** End-to-end encrypted (sender keys); false: the server can read it, like Everyone. */
  encrypted: boolean;
  /** Only teachers and TAs write in it. */
  readOnly: boolean;
  owner: string;
  /** The members as far as this client knows them (empty until they are known). */
  members: string[];
  /** This user is a member. */
  member: boolean;
}

/** What one event changed, as the room keys need it. */
export interface RoomChange {
  room: string;
  kind: 'created' | 'joined' | 'left' | 'added' | 'removed';
  /** Who did it. */
  actor: string;
  /** Who joined, was added, left or was removed (for `created`: every member). */
  names: string[];
  /** This user is one of `names`. */
  mine: boolean;
}

interface RoomState {
  info: Omit<RoomInfo, 'room' | 'size' | 'member' | 'seq'> | undefined;
  members: Set<string>;
  /** `members` is complete (from a `created` event or a `room_members` reply, and events since); this user is a member when it is in it. */
  membersKnown: boolean;
  /** The highest event seq applied: an event seen again (history, a replay) changes nothing. */
  eventSeq: number;
}

/** `#lab-3` → `lab-3`; undefined when the conversation is not a room. */
export function roomOfConversation(to: string): string | undefined {
  return to.startsWith(ROOM_PREFIX) ? to.slice(ROOM_PREFIX.length) : undefined;
}

export class ClientRoomBook {
  private readonly rooms = new Map<string, RoomState>();

  constructor(private readonly me: string) {}

  /** Applies a membership event of `#room` (in seq order); undefined when it changes nothing. */
  applyEvent(message: ChatMessage): RoomChange | undefined {
    const room = roomOfConversation(message.to);
    const event = message.event;
    if (room === undefined || event === undefined || !isRoomEventKind(event.kind)) return undefined;
    const state = this.state(room);
    if (message.seq <= state.eventSeq) return undefined;
    state.eventSeq = message.seq;
    const actor = message.from;
    if (event.kind === 'created') {
      const info = event.room;
      state.info = { kind: info?.kind ?? 'group', encrypted: info?.encrypted ?? true, readOnly: info?.readOnly ?? false, owner: actor };
    }
    const names = event.kind === 'joined' || event.kind === 'left' ? [actor] : event.kind === 'created' ? unique([actor, ...event.names]) : event.names;
    return this.applyChange(room, event.kind, actor, names);
  }

  /**
   * Applies a change (an event, or this user's own request as its reply confirms it, before the
   * event arrives): the change with only the names it really changed, or undefined for none.
   */
  applyChange(room: string, kind: RoomChange['kind'], actor: string, names: readonly string[]): RoomChange | undefined {
    const state = this.state(room);
    if (kind === 'created') {
      state.members = new Set(names);
      state.membersKnown = true;
      return { room, kind, actor, names: [...names], mine: names.includes(this.me) };
    }
    const joining = kind === 'joined' || kind === 'added';
    const changed = names.filter((name) => state.members.has(name) !== joining);
    if (changed.length === 0) return undefined;
    const mine = changed.includes(this.me);
    if (joining) {
      // Newly in: who else is there is not in the event.
      if (mine) state.membersKnown = false;
      for (const name of changed) state.members.add(name);
    } else if (mine) {
      state.members.clear();
      state.membersKnown = false;
    } else for (const name of changed) state.members.delete(name);
    return { room, kind, actor, names: changed, mine };
  }

  /** A room's info from a `room` or `room_list` reply: 'entered' or 'left' when this user's membership flipped. */
  setInfo(info: RoomInfo): 'entered' | 'left' | undefined {
    const state = this.state(info.room);
    state.info = { kind: info.kind, encrypted: info.encrypted, readOnly: info.readOnly, owner: info.owner };
    if (state.members.has(this.me) === info.member) return undefined;
    state.membersKnown = false;
    if (info.member) state.members.add(this.me);
    else state.members.clear();
    return info.member ? 'entered' : 'left';
  }

  /** A `room_members` reply: the complete list as of now. */
  setMembers(room: string, members: readonly string[]): void {
    const state = this.state(room);
    state.members = new Set(members);
    state.membersKnown = true;
  }

  has(room: string): boolean {
    return this.rooms.get(room)?.info !== undefined;
  }

  isMember(room: string, name: string): boolean {
    return this.rooms.get(room)?.members.has(name) === true;
  }

  /** This user is a member but does not know the others yet (a `room_members` is due). */
  needsMembers(room: string): boolean {
    const state = this.rooms.get(room);
    return state !== undefined && state.members.has(this.me) && !state.membersKnown;
  }

  membersKnown(room: string): boolean {
    return this.rooms.get(room)?.membersKnown === true;
  }

  /** Encrypted or not; undefined for a room this client does not know. */
  encrypted(room: string): boolean | undefined {
    return this.rooms.get(room)?.info?.encrypted;
  }

  /** The other members (this user excluded). */
  othersIn(room: string): string[] {
    return [...(this.rooms.get(room)?.members ?? [])].filter((name) => name !== this.me);
  }

  view(room: string): RoomView | undefined {
    const state = this.rooms.get(room);
    if (!state?.info) return undefined;
    return { name: room, ...state.info, members: [...state.members].sort(), member: state.members.has(this.me) };
  }

  views(): RoomView[] {
    return [...this.rooms.keys()]
      .sort()
      .flatMap((room) => this.view(room) ?? []);
  }

  private state(room: string): RoomState {
    let state = this.rooms.get(room);
    if (!state) this.rooms.set(room, (state = { info: undefined, members: new Set(), membersKnown: false, eventSeq: 0 }));
    return state;
  }
}

function isRoomEventKind(kind: string): kind is RoomChange['kind'] {
  return kind === 'created' || kind === 'joined' || kind === 'left' || kind === 'added' || kind === 'removed';
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
