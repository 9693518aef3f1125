/**
 * The events that are not about a room's membership (PROTOCOL.md 20.4, 20.7): mutes, exam mode,
 * bans, and held messages that were never delivered, as sentences a person reads. The server
 * sends them without text; the client words them, so no app shows an empty message.
 */
import type { ChatMessage } from '../../protocol/frames';
import { EVERYONE } from '../../protocol/names';
import type { ChatEvent } from '../../protocol/room-frames';
import type { OpenedMessage } from './opened-content';

/** Held messages are dropped after this long (20.7). */
const HELD_DAYS = 7;

/** "you" when the event is about this user, else the names. */
function who(names: readonly string[], me: string): string {
  return names.map((name) => (name === me ? 'you' : name)).join(', ') || 'someone';
}

/** Local time "14:05", with the date when it is not within the next day ("2025-03-04 14:05"). */
export function clockTime(ms: number, now: number): string {
  const at = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(at.getHours())}:${two(at.getMinutes())}`;
  return ms - now < 20 * 3_600_000 ? time : `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time}`;
}

/** A moderation or delivery event as one sentence; undefined for room membership events (room-traffic.ts words those). */
export function noticeText(actor: string, event: ChatEvent, me: string, now: number): string | undefined {
  const names = who(event.names, me);
  switch (event.kind) {
    case 'muted':
      return `${actor} muted ${names}${event.until === undefined ? '' : ` until ${clockTime(event.until, now)}`}`;
    case 'unmuted':
      return `${actor} unmuted ${names}`;
    case 'banned':
      return `${actor} banned ${names}`;
    case 'unbanned':
      return `${actor} lifted the ban on ${names}`;
    case 'read_only':
      return event.on === false ? 'Exam mode is off: everyone can write to Everyone again' : 'Exam mode is on: only teachers and TAs can write to Everyone';
    case 'undelivered':
      return `Not delivered to ${event.names.join(', ')}: nobody registered that name within ${HELD_DAYS} days`;
    default:
      return undefined;
  }
}

/**
 * A moderation or delivery event as shown: in Everyone (exam mode), in the conversation with the
 * name that was never delivered to, or else with whoever did it.
 */
export function noticeView(message: ChatMessage, me: string, now: number): OpenedMessage {
  const event = message.event!;
  const conversation = message.to === EVERYONE ? EVERYONE : event.kind === 'undelivered' && event.names[0] ? event.names[0] : message.from === me ? message.to : message.from;
  const text = noticeText(message.from, event, me, now) ?? `${message.from}: ${event.kind.replace('_', ' ')}`;
  return { ...message, conversation, text, encrypted: false, trust: 'not_encrypted' };
}
