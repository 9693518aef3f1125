/**
 * The room frames (PROTOCOL.md 20.2): each checks its names, asks Rooms whether it is allowed,
 * stores the change as an event in the room's stream and answers with the room as it is now.
 */
import type { ClientFrameOf } from '../../protocol/frames';
import { checkName, checkRoomName, ROOM_PREFIX } from '../../protocol/names';
import type { ChatEvent } from '../../protocol/room-frames';
import type { Connection } from '../connection';
import { frameLine } from '../message-lines';
import type { MailDesk, Penalties, StateSync } from '../server-services';
import type { Refusal, Rooms } from './rooms';
import { randomBytes } from 'node:crypto';

export interface RoomHandlerServices {
  readonly rooms: Rooms;
  readonly mail: MailDesk;
  readonly penalties: Penalties;
  readonly sync: StateSync;
}

type RoomFrame = 'room_create' | 'room_join' | 'room_leave' | 'room_add' | 'room_remove' | 'room_list' | 'room_members';
type RoomHandler<T extends RoomFrame> = (services: RoomHandlerServices, connection: Connection, frame: ClientFrameOf<T>) => void | Promise<void>;

export const ROOM_HANDLERS: { [T in RoomFrame]: RoomHandler<T> } = {
  room_create: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    const members = room !== undefined ? userNames(services, connection, frame.rid, frame.members) : undefined;
    if (room === undefined || members === undefined) return;
    const readOnly = frame.readOnly ?? false;
    const refused = services.rooms.checkCreate(user, room, frame.kind, frame.encrypted, readOnly, members);
    if (refused) return refuse(services, connection, frame.rid, refused);
    const names = [...new Set(members)].filter((name) => name !== user);
    const info = { room, kind: frame.kind, encrypted: frame.encrypted, readOnly, owner: user, size: names.length + 1, member: true, seq: 0 };
    return change(services, connection, frame.rid, room, { kind: 'created', names, room: info }, true);
  }),
  room_join: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    if (room === undefined) return;
    const refused = services.rooms.checkJoin(user, room);
    if (refused) return refuse(services, connection, frame.rid, refused);
    if (services.rooms.book.get(room)!.members.has(user)) return answer(services, connection, frame.rid, room);
    return change(services, connection, frame.rid, room, { kind: 'joined', names: [] });
  }),
  room_leave: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    if (room === undefined) return;
    const found = services.rooms.visible(room, user);
    if (!found) return refuse(services, connection, frame.rid, { code: 'unknown_room', detail: room });
    if (!found.members.has(user)) return answer(services, connection, frame.rid, room);
    return change(services, connection, frame.rid, room, { kind: 'left', names: [] });
  }),
  room_add: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    const members = room !== undefined ? userNames(services, connection, frame.rid, frame.members) : undefined;
    if (room === undefined || members === undefined) return;
    const refused = services.rooms.checkAdd(user, room, members);
    if (refused) return refuse(services, connection, frame.rid, refused);
    const current = services.rooms.book.get(room)!.members;
    const names = [...new Set(members)].filter((name) => !current.has(name));
    if (names.length === 0) return answer(services, connection, frame.rid, room);
    return change(services, connection, frame.rid, room, { kind: 'added', names });
  }),
  room_remove: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    const member = room !== undefined ? userNames(services, connection, frame.rid, [frame.name]) : undefined;
    if (room === undefined || member === undefined) return;
    const refused = services.rooms.checkRemove(user, room, member[0]);
    if (refused) return refuse(services, connection, frame.rid, refused);
    return change(services, connection, frame.rid, room, { kind: 'removed', names: member });
  }),
  room_list: current((services, connection, frame) => {
    const rooms = services.rooms.list(connection.session!.name);
    connection.transport.write(frameLine({ type: 'room_list', rid: frame.rid, rooms }));
  }),
  room_members: current((services, connection, frame) => {
    const user = connection.session!.name;
    const room = roomName(services, connection, frame.rid, frame.room);
    if (room === undefined) return;
    const found = services.rooms.visible(room, user);
    if (!found) return refuse(services, connection, frame.rid, { code: 'unknown_room', detail: room });
    connection.transport.write(frameLine({ type: 'room_members', rid: frame.rid, room, members: [...found.members.keys()] }));
  }),
};

/**
 * On a store other nodes share, a room frame first catches up with them: its checks and its
 * answer rest on rooms another node may have changed a moment ago (issue 20).
 */
function current<T extends RoomFrame>(handler: RoomHandler<T>): RoomHandler<T> {
  return (services, connection, frame) => {
    if (!services.sync.shared) return handler(services, connection, frame);
    return services.sync.caughtUp().then(() => {
      if (connection.isOpen) return handler(services, connection, frame);
    });
  };
}

/** Stores the event; once it is applied here (after every lower seq, whichever node wrote it), answers with the room. */
async function change(services: RoomHandlerServices, connection: Connection, rid: string, room: string, event: ChatEvent, creating = false): Promise<void> {
  const user = connection.session!.name;
  const outcome = Promise.resolve(services.mail.submit(user, { id: `e${randomBytes(12).toString('base64url')}`, to: ROOM_PREFIX + room, event }));
  if (creating) services.rooms.reserve(room, outcome);
  const result = await outcome;
  if (!result.ok) return refuse(services, connection, rid, result);
  await services.sync.applied(result.message.seq);
  answer(services, connection, rid, room);
}

function answer(services: RoomHandlerServices, connection: Connection, rid: string, room: string): void {
  const found = services.rooms.book.get(room);
  if (!found) return refuse(services, connection, rid, { code: 'unknown_room', detail: room });
  connection.transport.write(frameLine({ type: 'room', rid, room: services.rooms.info(found, connection.session!.name) }));
}

function refuse(services: RoomHandlerServices, connection: Connection, rid: string, refusal: Refusal): void {
  if (!services.penalties.penalise(connection, refusal.code)) connection.sendError(refusal.code, { rid, detail: refusal.detail });
}

function roomName(services: RoomHandlerServices, connection: Connection, rid: string, raw: string): string | undefined {
  const check = checkRoomName(raw);
  if (check.ok) return check.room;
  refuse(services, connection, rid, { code: check.code, detail: raw.slice(0, 33) });
  return undefined;
}

function userNames(services: RoomHandlerServices, connection: Connection, rid: string, raw: string[]): string[] | undefined {
  const names: string[] = [];
  for (const name of raw) {
    const check = checkName(name);
    if (!check.ok) {
      refuse(services, connection, rid, { code: 'unknown_user', detail: name.slice(0, 32) });
      return undefined;
    }
    names.push(check.name);
  }
  return names;
}
