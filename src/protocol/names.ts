/** User names: case-insensitive, stored lower-case, 1-32 of [a-z0-9_.-]. */
const NAME_PATTERN = /^[a-z0-9_.-]{1,32}$/;

/** Names with a meaning in the seed's plain-text protocol (`all:`) or in server notices. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['all', 'everyone', 'server', 'classchat']);

/** The recipient value meaning "everyone". */
export const EVERYONE = '*';

export type NameCheck = { ok: true; name: string } | { ok: false; code: 'invalid_name' | 'name_reserved' };

/** Normalises a user name (trim, lower-case) and checks it. */
export function checkName(raw: string): NameCheck {
  const name = raw.trim().toLowerCase();
  if (!NAME_PATTERN.test(name)) return { ok: false, code: 'invalid_name' };
  if (RESERVED_NAMES.has(name)) return { ok: false, code: 'name_reserved' };
  return { ok: true, name };
}

/** Room names are written `#name` wherever a conversation is named (PROTOCOL.md section 20.1). */
export const ROOM_PREFIX = '#';

export type RoomNameCheck = { ok: true; room: string } | { ok: false; code: 'invalid_room_name' | 'name_reserved' };

/** Normalises a room name, with or without its `#`, and checks it by the user-name rules. */
export function checkRoomName(raw: string): RoomNameCheck {
  const trimmed = raw.trim();
  const bare = trimmed.startsWith(ROOM_PREFIX) ? trimmed.slice(ROOM_PREFIX.length) : trimmed;
  const check = checkName(bare);
  if (!check.ok) return { ok: false, code: check.code === 'invalid_name' ? 'invalid_room_name' : check.code };
  return { ok: true, room: check.name };
}

/** What a `send.to`, `msg.to` or `history.with` names (v3). */
export type Conversation = { kind: 'everyone' } | { kind: 'user'; name: string } | { kind: 'room'; room: string };

export type ConversationCheck = { ok: true; conversation: Conversation } | { ok: false; code: 'invalid_name' | 'invalid_room_name' | 'name_reserved' };

/** Parses `"*"`, a user name or `"#room"`, normalised. */
export function parseConversation(raw: string): ConversationCheck {
  if (raw === EVERYONE) return { ok: true, conversation: { kind: 'everyone' } };
  if (raw.trimStart().startsWith(ROOM_PREFIX)) {
    const room = checkRoomName(raw);
    return room.ok ? { ok: true, conversation: { kind: 'room', room: room.room } } : room;
  }
  const user = checkName(raw);
  return user.ok ? { ok: true, conversation: { kind: 'user', name: user.name } } : user;
}

/** The wire form of a conversation. */
export function conversationKey(conversation: Conversation): string {
  switch (conversation.kind) {
    case 'everyone':
      return EVERYONE;
    case 'user':
      return conversation.name;
    case 'room':
      return ROOM_PREFIX + conversation.room;
  }
}
