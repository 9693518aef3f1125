/**
 * What v1/v2 app clients and plain-text users are shown of v3 messages (PROTOCOL.md 20.6): a room
 * message becomes a private one marked with its room, an event a sentence, a room key nothing.
 */
import { roomOf } from './rooms/room-book';
import type { StoredMessage } from './store/store';

/** The message as a v1/v2 client can show it; undefined when it must not be delivered at all. */
export function legacyMessage(message: StoredMessage, recipient: string): StoredMessage | undefined {
  if (message.hidden || isErasedEdit(message)) return undefined;
  const room = roomOf(message.to);
  const referring = message.deleted !== undefined || (message.ref !== undefined && message.box === undefined);
  if (room === undefined && message.event === undefined && !referring) return message;
  const body = referring ? referenceText(message, 'app') : message.text;
  const text = message.event
    ? describeEvent(message)
    : room === undefined
      ? body!
      : `[#${room}] ${body ?? '(encrypted room message: update ClassChat to read it)'}`;
  return { seq: message.seq, id: message.id, from: message.from, to: room === undefined ? message.to : recipient, ts: message.ts, text };
}

/** An event as one sentence, e.g. `[#lab-3] alice added bob, carol`. */
export function describeEvent(message: StoredMessage): string {
  const event = message.event!;
  const room = roomOf(message.to);
  const names = event.names.join(', ');
  const where = room !== undefined ? `[#${room}] ` : '';
  switch (event.kind) {
    case 'created':
      return `${where}${message.from} created #${room}${names ? ` with ${names}` : ''}`;
    case 'joined':
      return `${where}${message.from} joined`;
    case 'left':
      return `${where}${message.from} left`;
    case 'added':
      return `${where}${message.from} added ${names}`;
    case 'removed':
      return `${where}${message.from} removed ${names}`;
    case 'muted':
      return `${message.from} muted ${names}${event.until !== undefined ? ` until ${new Date(event.until).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`;
    case 'unmuted':
      return `${message.from} unmuted ${names}`;
    case 'banned':
      return `${message.from} banned ${names}`;
    case 'unbanned':
      return `${message.from} lifted the ban on ${names}`;
    case 'read_only':
      return event.on ? `${message.from} made Everyone read-only (only teachers and TAs can write)` : `${message.from} opened Everyone again`;
    default:
      return `${where}${message.from}: ${event.kind} ${names}`.trim();
  }
}

/** An older edit whose content the newest one replaced: nothing to show (its target shows it). */
export function isErasedEdit(message: StoredMessage): boolean {
  return message.ref?.rel === 'edit' && message.text === undefined && message.box === undefined;
}

/**
 * A reference or deleted message as older clients (`app`) and plain-text users (`plain`, after
 * `[alice] `) read it, PROTOCOL.md 20.6. Undefined for a box, which only the app can open.
 */
export function referenceText(message: StoredMessage, reader: 'app' | 'plain'): string | undefined {
  if (message.deleted || message.ref?.rel === 'delete') return reader === 'app' ? '[message deleted]' : 'deleted a message';
  const text = message.text;
  if (text === undefined) return undefined;
  switch (message.ref?.rel) {
    case 'reply':
      return `[reply to ${message.ref.author ?? 'a message'}] ${text}`;
    case 'edit':
      return `(edited) ${text}`;
    case 'react':
      return reader === 'app' ? `[reacted ${text}]` : `reacted ${text}`;
    case 'unreact':
      return reader === 'app' ? `[took back ${text}]` : `took back ${text}`;
    default:
      return text;
  }
}
