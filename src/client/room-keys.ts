/**
 * The room keys this user holds (PROTOCOL.md 20.3), beside Trust: it decides when to create,
 * rotate and hand over sender keys as membership changes (rooms.ts tells it), seals and opens
 * `#room` messages with them (crypto/sender-keys.ts), takes the keys members hand over in hidden
 * private messages (opened by Trust with the sender's pin), and keeps all of it in a RoomKeyStore.
 */
import { NoSenderKeyError, RoomKey, RoomKeys } from '../crypto/sender-keys';
import { sodiumReady } from '../crypto/sodium';
import { ClassChatError } from '../protocol/errors';
import type { Box, ChatMessage } from '../protocol/frames';
import type { EnvelopeContent } from '../protocol/references';
import type { Clock } from './clock';
import type { Emit } from './client-services';
import { ChatClientError } from './errors';
import { HeldRoomMessages } from './held-room-messages';
import { OpenedMessage, openedView, sealedId } from './references/opened-content';
import type { ClientRoomBook, RoomChange } from './room-book';
import type { RoomEvents } from './rooms';
import type { RoomKeyStore } from './room-key-store';
import { RoomKeyPersistence } from './room-key-persistence';
import { toError } from './rules';
import type { KeyTrust } from './trust-book';

export interface RoomKeyParts {
  readonly me: string;
  readonly clock: Clock;
  readonly store: RoomKeyStore;
  readonly book: ClientRoomBook;
  /** Seals content for one classmate (pinned, not changed) and queues it as a hidden private message; throws when their key cannot be trusted. */
  sendHidden(to: string, content: EnvelopeContent): void;
  /** A hidden private message's content, opened with the sender's pin; undefined otherwise. */
  openPinned(message: ChatMessage): { content: EnvelopeContent; trust: KeyTrust } | undefined;
  keyTrust(name: string): KeyTrust;
  /** A held room message, now opened or given up on: shown as any other. */
  showLate(message: OpenedMessage): void;
  readonly emit: Emit<'error'>;
}

/** Room keys waiting for a room's member list (a key can only be checked against it), at most. */
const MAX_WAITING_KEYS = 500;

export class RoomKeyring implements RoomEvents {
  private keys: RoomKeys | undefined;
  /** Rooms this user just entered: a new sender key is due once the members are known. */
  private readonly entering = new Set<string>();
  private readonly persistence: RoomKeyPersistence;
  private readonly held: HeldRoomMessages;
  private readonly waitingKeys: Array<{ from: string; roomKey: RoomKey }> = [];

  constructor(private readonly parts: RoomKeyParts) {
    this.persistence = new RoomKeyPersistence(parts.store, (error) => parts.emit('error', new ChatClientError('room_keys_failed', `could not save the room keys: ${error.message}`)));
    this.held = new HeldRoomMessages(parts.clock, (message) => parts.showLate(this.failed(message, 'unknown_key')));
  }

  /** Loads the saved keys once (before the first login); a damaged store is refused, not reset. */
  async load(): Promise<void> {
    if (this.keys) return;
    const [sodium, saved] = await Promise.all([sodiumReady(), this.persistence.load()]);
    const isMember = (room: string, name: string) => this.parts.book.isMember(room, name);
    try {
      this.keys = saved?.keys === undefined ? new RoomKeys(sodium, this.parts.me, isMember) : RoomKeys.fromJSON(sodium, this.parts.me, isMember, saved.keys);
    } catch (error) {
      throw new ChatClientError('room_keys_failed', `the saved room keys are damaged (${toError(error).message}); remove the room key file to start over`);
    }
    this.persistence.attach(this.keys, saved?.rotate ?? []);
  }

  // ---- membership (rooms.ts) ----

  changed(change: RoomChange): void {
    const { room, kind, names, mine } = change;
    if (this.parts.book.encrypted(room) === false) return;
    if (mine && (kind === 'left' || kind === 'removed')) return this.forget(room);
    if (mine) {
      // Already holding a key for it (the request's reply came first): the event changes nothing.
      if (this.keys?.distribution(room) !== undefined) return;
      this.entering.add(room);
      return this.enterIfReady(room);
    }
    if (kind === 'left' || kind === 'removed') {
      // Whoever left keeps what they had: the next message goes under a key they never get.
      this.persistence.markRotation(room);
    } else if (kind === 'joined' || kind === 'added') {
      const current = this.keys?.distribution(room);
      if (current) for (const name of names) this.handOver(room, name, current);
    }
  }

  membersKnown(room: string): void {
    this.enterIfReady(room);
    const waiting = this.waitingKeys.filter((key) => key.roomKey.room === room);
    for (const key of waiting) this.waitingKeys.splice(this.waitingKeys.indexOf(key), 1);
    for (const { from, roomKey } of waiting) this.accept(from, roomKey);
  }

  // ---- sending and receiving ----

  /** Seals content (text, a reply, an edit, a reaction) for `#room` under `id`, first rotating the key when a member left. Throws ChatClientError. */
  seal(room: string, id: string, content: EnvelopeContent): Box {
    const keys = this.keys;
    if (!keys) throw new ChatClientError('unknown_key', `connect first, so the message to #${room} can be encrypted`);
    if (!this.parts.book.isMember(room, this.parts.me)) throw new ClassChatError('not_member', `you are not a member of #${room}`);
    if (this.persistence.rotationDue(room) || keys.distribution(room) === undefined) {
      if (!this.parts.book.membersKnown(room)) throw new ChatClientError('not_connected', `the members of #${room} are not known yet; try again once connected`);
      this.newSenderKey(room);
    }
    try {
      return keys.seal(room, id, content);
    } catch (error) {
      if (error instanceof NoSenderKeyError) throw new ChatClientError('unknown_key', error.message);
      throw error;
    } finally {
      this.persistence.changed();
    }
  }

  /** A room message as shown; undefined when it is held until its sender's key arrives (`live` only). */
  view(message: ChatMessage, live: boolean): OpenedMessage | undefined {
    if (!message.box || !this.keys) return this.failed(message, 'unknown_key');
    const opened = this.keys.open({ from: message.from, to: message.to, id: sealedId(message), box: message.box });
    if (opened.ok) {
      this.persistence.changed();
      return { ...openedView(message, opened.content, this.trustOf(message.from)), conversation: message.to };
    }
    if (opened.error === 'unknown_key' && live) {
      this.held.hold(message);
      return undefined;
    }
    return this.failed(message, opened.error);
  }

  /** A hidden private message: a room key handed over by its sender (never shown). */
  onHidden(message: ChatMessage): void {
    const opened = this.parts.openPinned(message);
    const roomKey = opened?.content.roomKey;
    if (roomKey) this.accept(message.from, roomKey);
  }

  /** Closed: the keys are saved as they are, then wiped from memory; resolves once saved. */
  close(): Promise<void> {
    this.held.dispose();
    const saved = this.persistence.close();
    this.keys?.dispose();
    this.keys = undefined;
    return saved;
  }

  private accept(from: string, roomKey: RoomKey): void {
    const keys = this.keys;
    if (!keys) return;
    const result = keys.acceptRoomKey(from, roomKey);
    if (!result.ok && result.error === 'not_member' && !this.parts.book.membersKnown(roomKey.room)) {
      // The member list is on its way (after a login, or just added): check the key against it then.
      if (this.waitingKeys.length >= MAX_WAITING_KEYS) this.waitingKeys.shift();
      this.waitingKeys.push({ from, roomKey });
      return;
    }
    if (!result.ok || result.status !== 'added') return;
    this.persistence.changed();
    for (const message of this.held.take(roomKey.room, from)) {
      const shown = this.view(message, false);
      if (shown) this.parts.showLate(shown);
    }
  }

  private enterIfReady(room: string): void {
    if (!this.entering.has(room) || !this.parts.book.membersKnown(room) || !this.parts.book.isMember(room, this.parts.me)) return;
    if (this.parts.book.encrypted(room) === false) return void this.entering.delete(room);
    this.newSenderKey(room);
  }

  /** A new sender key for `room`, handed to every other member now in it. */
  private newSenderKey(room: string): void {
    const keys = this.keys;
    if (!keys) return;
    const handed = keys.createSenderKey(room);
    this.entering.delete(room);
    this.persistence.rotated(room);
    for (const name of this.parts.book.othersIn(room)) this.handOver(room, name, handed);
  }

  private handOver(room: string, to: string, roomKey: RoomKey): void {
    if (to === this.parts.me) return;
    try {
      this.parts.sendHidden(to, { roomKey });
    } catch (error) {
      this.parts.emit('error', new ChatClientError('key_changed', `${to} cannot read your messages in #${room}: ${toError(error).message}`));
    }
  }

  private forget(room: string): void {
    this.entering.delete(room);
    this.held.releaseRoom(room);
    this.keys?.forgetRoom(room);
    this.persistence.rotated(room);
  }

  private trustOf(from: string): KeyTrust {
    return from === this.parts.me ? 'verified' : this.parts.keyTrust(from);
  }

  private failed(message: ChatMessage, error: 'unknown_key' | 'could_not_decrypt' | 'misaddressed'): OpenedMessage {
    return { ...message, conversation: message.to, text: undefined, encrypted: true, trust: this.trustOf(message.from), decryptError: error };
  }
}
