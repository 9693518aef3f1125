/**
 * Protocol v3's room and moderation frames (PROTOCOL.md sections 20.2 and 20.4): room requests
 * and their replies, the room info object, and the events that membership and moderation
 * changes leave in a conversation's stream.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { clientId, rawName, seq } from './primitives';

export const ROLES = ['teacher', 'ta', 'student'] as const;
export type Role = (typeof ROLES)[number];
/** Roles that may moderate. */
export const STAFF_ROLES: ReadonlySet<Role> = new Set(['teacher', 'ta']);

export const ROOM_KINDS = ['group', 'class'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/** A room name as sent, with or without `#`; the server normalises it (names.ts checkRoomName). */
const rawRoom = z.string().min(1).max(65);
const memberList = z.array(rawName).max(LIMITS.maxRoomMembers - 1);
const userName = z.string().min(1).max(32);

export const roomInfoSchema = z.object({
  room: userName,
  kind: z.enum(ROOM_KINDS),
  encrypted: z.boolean(),
  readOnly: z.boolean(),
  owner: userName,
  size: z.number().int().min(0).max(LIMITS.maxRoomMembers),
  member: z.boolean(),
  /** The seq of the room's `created` event. */
  seq,
});
export type RoomInfo = z.infer<typeof roomInfoSchema>;

// ---- client → server ----

export const roomCreateFrame = z.object({
  type: z.literal('room_create'),
  rid: clientId,
  room: rawRoom,
  kind: z.enum(ROOM_KINDS),
  encrypted: z.boolean(),
  readOnly: z.boolean().optional(),
  members: memberList,
});
export const roomJoinFrame = z.object({ type: z.literal('room_join'), rid: clientId, room: rawRoom });
export const roomLeaveFrame = z.object({ type: z.literal('room_leave'), rid: clientId, room: rawRoom });
export const roomAddFrame = z.object({ type: z.literal('room_add'), rid: clientId, room: rawRoom, members: memberList.min(1) });
export const roomRemoveFrame = z.object({ type: z.literal('room_remove'), rid: clientId, room: rawRoom, name: rawName });
export const roomListFrame = z.object({ type: z.literal('room_list'), rid: clientId });
export const roomMembersFrame = z.object({ type: z.literal('room_members'), rid: clientId, room: rawRoom });

export const moderateFrame = z.discriminatedUnion('action', [
  z.object({ type: z.literal('moderate'), rid: clientId, action: z.literal('mute'), name: rawName, minutes: z.number().int().min(1).max(LIMITS.maxMuteMinutes) }),
  z.object({ type: z.literal('moderate'), rid: clientId, action: z.literal('unmute'), name: rawName }),
  z.object({ type: z.literal('moderate'), rid: clientId, action: z.literal('read_only'), on: z.boolean() }),
  z.object({ type: z.literal('moderate'), rid: clientId, action: z.literal('ban'), name: rawName }),
  z.object({ type: z.literal('moderate'), rid: clientId, action: z.literal('unban'), name: rawName }),
]);
export type ModerateFrame = z.infer<typeof moderateFrame>;

export const ROOM_CLIENT_FRAME_SCHEMAS = {
  room_create: roomCreateFrame,
  room_join: roomJoinFrame,
  room_leave: roomLeaveFrame,
  room_add: roomAddFrame,
  room_remove: roomRemoveFrame,
  room_list: roomListFrame,
  room_members: roomMembersFrame,
} as const;

/** The `moderate` frame (PROTOCOL.md 20.4). */
export const MODERATION_CLIENT_FRAME_SCHEMAS = { moderate: moderateFrame } as const;

// ---- server → client ----

export const ROOM_EVENT_KINDS = ['created', 'joined', 'left', 'added', 'removed'] as const;
export const MODERATION_EVENT_KINDS = ['muted', 'unmuted', 'read_only', 'banned', 'unbanned', 'undelivered'] as const;
export type EventKind = (typeof ROOM_EVENT_KINDS)[number] | (typeof MODERATION_EVENT_KINDS)[number];

/** What a `msg` carries instead of `text`/`box` when it records a change (20.2, 20.4, 20.7). */
export const eventSchema = z.object({
  kind: z.enum([...ROOM_EVENT_KINDS, ...MODERATION_EVENT_KINDS]),
  names: z.array(userName).max(LIMITS.maxRoomMembers),
  room: roomInfoSchema.optional(),
  /** muted: until when (ms since the epoch). */
  until: z.number().int().min(0).optional(),
  /** read_only: on or off. */
  on: z.boolean().optional(),
  /** undelivered: the held message. */
  seq: seq.optional(),
});
export type ChatEvent = z.infer<typeof eventSchema>;

const roomReplyFrame = z.object({ type: z.literal('room'), rid: clientId, room: roomInfoSchema });
const roomListReplyFrame = z.object({ type: z.literal('room_list'), rid: clientId, rooms: z.array(roomInfoSchema).max(LIMITS.maxRoomList) });
const roomMembersReplyFrame = z.object({
  type: z.literal('room_members'),
  rid: clientId,
  room: userName,
  members: z.array(userName).max(LIMITS.maxRoomMembers),
});
const doneFrame = z.object({ type: z.literal('done'), rid: clientId });

export const ROOM_SERVER_FRAME_SCHEMAS = {
  room: roomReplyFrame,
  room_list: roomListReplyFrame,
  room_members: roomMembersReplyFrame,
  done: doneFrame,
} as const;
