/**
 * A session's rooms as the extension shows them: which rooms this user is in and which class
 * rooms it may join, what each room's header and composer say, and the room requests. No vscode:
 * ChatSession owns one, the Rooms tree group, the room commands and the chat view read it.
 */
import type { ChatClient } from '../client/chat-client';
import type { RoomView } from '../client/room-book';
import type { CreateRoomOptions } from '../client/rooms';
import { ROOMS_VERSION } from '../protocol/limits';
import { checkRoomName } from '../protocol/names';
import type { RoomSummary } from '../../webview/protocol';
import type { Conversations } from './conversations';

export type { RoomView, CreateRoomOptions };

/** What the rooms use of the client: its room calls, its roster (for roles) and its events. */
export type RoomClient = Pick<
  ChatClient,
  'name' | 'roster' | 'rooms' | 'createRoom' | 'joinRoom' | 'leaveRoom' | 'addToRoom' | 'removeFromRoom' | 'roomMembers' | 'on'
>;

/** "#lab-3" for "lab-3" (a room's conversation id). */
export function roomId(name: string): string {
  return `#${name}`;
}

/** "lab-3" for "#lab-3", or undefined when `conversation` is not a valid room id. */
export function roomNameOf(conversation: string): string | undefined {
  if (!conversation.startsWith('#')) return undefined;
  const checked = checkRoomName(conversation);
  return checked.ok ? checked.room : undefined;
}

export class SessionRooms {
  /** The server speaks v3 (has rooms); false until the first login says so. */
  private served = false;

  constructor(
    private readonly client: RoomClient,
    conversations: Conversations,
  ) {
    client.on('welcome', (welcome) => {
      this.served = welcome.v >= ROOMS_VERSION;
      conversations.roomsChanged();
    });
    client.on('room', () => conversations.roomsChanged());
    // Roles come with the roster: a new role changes who may post in read-only rooms.
    client.on('roster', () => conversations.roomsChanged());
  }

  /** The server has rooms (a v3 server, logged in at least once). */
  get available(): boolean {
    return this.served;
  }

  /** This user is a teacher or TA (the server's roster says so). */
  get staff(): boolean {
    return this.client.roster.get(this.client.name)?.role !== undefined;
  }

  /** "teacher" or "TA" for staff, undefined for a student (shown next to names). */
  roleOf(name: string): string | undefined {
    const role = this.client.roster.get(name)?.role;
    return role === 'ta' ? 'TA' : role;
  }

  /** Rooms this user is in, by name. */
  mine(): RoomView[] {
    return this.client.rooms().filter((room) => room.member);
  }

  /** Class rooms this user may join (not in them yet), by name. */
  joinable(): RoomView[] {
    return this.client.rooms().filter((room) => !room.member && room.kind === 'class');
  }

  /** A room known to this session ("lab-3", without "#"). */
  get(name: string): RoomView | undefined {
    return this.client.rooms().find((room) => room.name === name);
  }

  /** The header and composer facts of `#name`, or undefined for a room this session does not know. */
  summary(name: string): RoomSummary | undefined {
    const room = this.get(name);
    if (!room) return undefined;
    return { kind: room.kind, encrypted: room.encrypted, readOnly: room.readOnly, members: room.members.length, member: room.member };
  }

  /** Why this user cannot post in `#name`, or undefined when it can. */
  sendBlocked(name: string): string | undefined {
    if (!this.served) return 'This server has no rooms (it is older than this extension).';
    const room = this.get(name);
    if (!room) return `#${name} is not a room you know. It may have been removed, or you were never added.`;
    if (!room.member) return room.kind === 'class' ? `You are not in #${name}. Join it to post here.` : `You are no longer in #${name}.`;
    if (room.readOnly && !this.staff) return `Only teachers and TAs post in #${name}. You can read it.`;
    return undefined;
  }

  /** Whether a message to `#name` goes end-to-end encrypted (unknown rooms count as encrypted: the client refuses rather than leaks). */
  encrypted(name: string): boolean {
    return this.get(name)?.encrypted ?? true;
  }

  create(name: string, options: CreateRoomOptions): Promise<RoomView> {
    return this.client.createRoom(name, options);
  }

  join(name: string): Promise<RoomView> {
    return this.client.joinRoom(name);
  }

  leave(name: string): Promise<RoomView> {
    return this.client.leaveRoom(name);
  }

  add(name: string, members: string[]): Promise<RoomView> {
    return this.client.addToRoom(name, members);
  }

  remove(name: string, member: string): Promise<RoomView> {
    return this.client.removeFromRoom(name, member);
  }

  /** Asks the server who is in `name` (also brings the room's member count up to date). */
  members(name: string): Promise<string[]> {
    return this.client.roomMembers(name);
  }
}
