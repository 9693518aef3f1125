/**
 * What a conversation does with `#room` (rooms.ts for membership, room-keys.ts for encryption):
 * a room's events are applied as they arrive and shown as a sentence; its messages are opened
 * with the sender keys (encrypted rooms) or shown as sent (class rooms that are not encrypted).
 */
import type { Box, ChatMessage } from '../protocol/frames';
import type { ChatEvent } from '../protocol/room-frames';
import type { EnvelopeContent } from '../protocol/references';
import type { ClientLink, Emit, RoomTraffic } from './client-services';
import { RoomKeyring } from './room-keys';
import type { RoomKeyStore } from './room-key-store';
import type { OpenedMessage } from './references/opened-content';
import { Rooms } from './rooms';
import type { KeyTrust } from './trust-book';

/** What rooms use of the rest of ChatClient. */
export interface RoomWiring {
  readonly link: ClientLink;
  readonly emit: Emit<'room' | 'error'>;
  readonly store: RoomKeyStore;
  /** Seals and opens the hidden private messages that carry room keys (trust.ts). */
  readonly trust: {
    sealContent(to: string, id: string, content: EnvelopeContent): Box;
    openPinned(message: ChatMessage): { content: EnvelopeContent; trust: KeyTrust } | undefined;
    keyTrust(name: string): KeyTrust | 'no_key';
  };
  /** Queues hidden messages and shows held ones (conversations.ts, made after this). */
  conversations(): { queueHidden(to: string, seal: (id: string) => Box): void; showLate(message: OpenedMessage): void };
}

export class RoomConversations implements RoomTraffic {
  readonly rooms: Rooms;
  readonly keyring: RoomKeyring;

  constructor(wiring: RoomWiring) {
    const { link, emit, trust, conversations } = wiring;
    this.rooms = new Rooms({ link, emit });
    this.keyring = new RoomKeyring({
      me: link.me,
      clock: link.clock,
      store: wiring.store,
      book: this.rooms.book,
      sendHidden: (to, content) => conversations().queueHidden(to, (id) => trust.sealContent(to, id, content)),
      openPinned: (message) => trust.openPinned(message),
      keyTrust: (name) => {
        const known = trust.keyTrust(name);
        return known === 'no_key' ? 'unknown_key' : known;
      },
      showLate: (message) => conversations().showLate(message),
      emit,
    });
    this.rooms.listen(this.keyring);
  }

  encrypted(room: string): boolean | undefined {
    return this.rooms.book.encrypted(room);
  }

  seal(room: string, id: string, text: string): Box {
    return this.keyring.seal(room, id, { text });
  }

  sealContent(room: string, id: string, content: EnvelopeContent): Box {
    return this.keyring.seal(room, id, content);
  }

  view(message: ChatMessage, live: boolean): OpenedMessage | undefined {
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
