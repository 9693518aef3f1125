/**
 * What a conversation does with `#room` (rooms.ts for membership, room-keys.ts for encryption):
 * a room's events are applied as they arrive and shown as a sentence; its messages are opened
 * with the sender keys (encrypted rooms) or shown as sent (class rooms that are not encrypted).
 */
import type { Box, ChatMessage } from '../protocol/frames';
import type { ChatEvent } from '../protocol/room-frames';
import type { RoomTraffic } from './client-services';
import type { RoomKeyring } from './room-keys';
import type { Rooms } from './rooms';
import type { ReceivedMessage } from './types';

export class RoomConversations implements RoomTraffic {
  constructor(
    private readonly rooms: Rooms,
    private readonly keyring: RoomKeyring,
  ) {}

  encrypted(room: string): boolean | undefined {
    return this.rooms.book.encrypted(room);
  }

  seal(room: string, id: string, text: string): Box {
    return this.keyring.seal(room, id, text);
  }

  view(message: ChatMessage, live: boolean): ReceivedMessage | undefined {
    if (message.event) {
      if (live) this.rooms.onEvent(message);
      return { ...message, conversation: message.to, text: describeEvent(message.from, message.to, message.event), encrypted: false, trust: 'not_encrypted' };
    }
    if (message.box) return this.keyring.view(message, live);
    return { ...message, conversation: message.to, encrypted: false, trust: 'not_encrypted' };
  }

  onHidden(message: ChatMessage): void {
    this.keyring.onHidden(message);
  }
}

/** An event as one sentence, e.g. "alice added bob, carol" (the server's own words for older clients are alike). */
export function describeEvent(actor: string, to: string, event: ChatEvent): string {
  const names = event.names.join(', ');
  switch (event.kind) {
    case 'created':
      return `${actor} created ${to}${names ? ` with ${names}` : ''}`;
    case 'joined':
      return `${actor} joined`;
    case 'left':
      return `${actor} left`;
    case 'added':
      return `${actor} added ${names}`;
    case 'removed':
      return `${actor} removed ${names}`;
    default:
      return `${actor}: ${event.kind.replace('_', ' ')}${names ? ` ${names}` : ''}`;
  }
}
