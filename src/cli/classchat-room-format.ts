/** How the terminal client shows rooms: their messages and events, /rooms and /members. */
import type { RoomView } from '../client/room-book';
import type { ReceivedMessage } from '../client/types';
import { ROOM_PREFIX } from '../protocol/names';
import { formatMessage, printable, printableLines, timeLabel } from './classchat-format';
import { bodyLines, decorate, mentionMark, numberLabel } from './classchat-message-marks';

/** Any message as the chat shows it: a room's as a room line, every other as formatMessage. */
export function formatIncoming(message: ReceivedMessage, me: string, now?: Date): string {
  return message.to.startsWith(ROOM_PREFIX) ? formatRoomMessage(message, me, now) : formatMessage(message, me, now);
}

/**
 * `[12:03] [#lab-3] alice: hello`; an event `[12:03] [#lab-3] * alice added bob`. Encrypted
 * rooms carry no mark (as /rooms says, only members read them); a room the server can read,
 * and a sender whose key is not trusted, are marked.
 */
export function formatRoomMessage(message: ReceivedMessage, me: string, now?: Date): string {
  const head = `[${timeLabel(message.ts, now)}] [${printable(message.to)}] `;
  if (message.event) return head + '* ' + printableLines(message.text ?? message.event.kind).join('\n    ');
  const from = message.from === me ? 'you' : printable(message.from);
  const plain = message.plain ? ' (unauthenticated plain-text user)' : '';
  const body = bodyLines(message, () => undecryptable(message, me));
  return decorate(message, `${head}${numberLabel(message)}${from}${plain}${roomMark(message)}${mentionMark(message)}: ${body.join('\n    ')}`, me);
}

function roomMark(message: ReceivedMessage): string {
  if (!message.encrypted) return ' [not encrypted]';
  if (message.trust === 'key_changed') return ' [KEY CHANGED]';
  if (message.trust === 'unknown_key') return ' [unknown key]';
  return '';
}

function undecryptable(message: ReceivedMessage, me: string): string {
  const mine = message.from === me;
  const which = mine ? 'your message' : `this message from ${printable(message.from)}`;
  switch (message.decryptError) {
    case 'misaddressed':
      return `!! could not decrypt ${which}: it was sealed for another room or message (replayed?)`;
    case 'unknown_key':
      return `!! could not decrypt ${which}: ${mine ? 'its room key is not on this computer' : 'their room key did not reach this client'} (sent before you joined, or before this client kept room keys)`;
    default:
      return `!! could not decrypt ${which}: it was changed in transit, or sealed with another key`;
  }
}

/** "end-to-end encrypted" or the warning that the server reads it, plus read-only. */
export function roomSettings(room: Pick<RoomView, 'encrypted' | 'readOnly'>): string {
  const privacy = room.encrypted ? 'end-to-end encrypted' : 'not encrypted: the server can read it';
  return room.readOnly ? `${privacy}; read-only: only teachers and TAs write in it` : privacy;
}

/** One room for /rooms: `#lab-3  group  end-to-end encrypted  3 members  yours`. */
export function formatRoomLine(room: RoomView, size: number | undefined, me: string): string {
  const count = size === undefined ? 'members unknown' : `${size} member${size === 1 ? '' : 's'}`;
  const whose = room.owner === me ? 'yours' : `owner ${printable(room.owner)}`;
  return `  #${printable(room.name)}  ${room.kind}  ${roomSettings(room)}  ${count}  ${whose}`;
}

/** What /rooms prints: the rooms this user is in, then the class rooms they may join. */
export function formatRoomList(rooms: readonly RoomView[], sizes: ReadonlyMap<string, number>, me: string): string[] {
  const mine = rooms.filter((room) => room.member);
  const joinable = rooms.filter((room) => !room.member && room.kind === 'class');
  const lines = [`Your rooms (${mine.length}):${mine.length === 0 ? ' none yet (/create ROOM NAME...)' : ''}`];
  for (const room of mine) lines.push(formatRoomLine(room, sizes.get(room.name), me));
  lines.push(`Class rooms you can join (${joinable.length}):${joinable.length === 0 ? ' none' : ' (/join ROOM)'}`);
  for (const room of joinable) lines.push(formatRoomLine(room, sizes.get(room.name), me));
  return lines;
}

/** What /members prints: `* #lab-3 (3): alice (you), bob, carol`. */
export function formatMembers(room: string, members: readonly string[], me: string): string {
  const names = [...members].sort().map((name) => (name === me ? `${printable(name)} (you)` : printable(name)));
  return `* #${printable(room)} (${names.length}): ${names.join(', ') || '-'}`;
}
