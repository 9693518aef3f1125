/**
 * What ChatClient's parts may use of it: narrow views, passed in. Conversations, trust, file
 * transfers and the roster each see the connection, keys or events they work with, never
 * ChatClient itself or one another's internals, so `src/client` has no import circle and a test
 * can fake any one part.
 */
import type { DeviceKeyBoxWire } from '../protocol/device-frames';
import type { Box, ChatMessage, FileOffer } from '../protocol/frames';
import type { EnvelopeContent } from '../protocol/references';
import type { OpenedMessage } from './references/opened-content';
import type { Clock } from './clock';
import type { FileLink, FileOfferView } from './file-transfer-types';
import type { SentInfo } from './outbox';
import type { ChatClientEvents } from './types';

/** Emits the listed ChatClient events (and only those) to the application. */
export type Emit<K extends keyof ChatClientEvents> = <E extends K>(event: E, ...args: ChatClientEvents[E]) => void;

/** The connection as the parts use it: frames go to the logged-in server, in order. */
export interface ClientLink extends FileLink {
  /** This user's name. */
  readonly me: string;
  readonly clock: Clock;
  /** How long a request (a history page, a file status) waits for its answer. */
  readonly requestTimeoutMs: number;
  /** The client state is 'connected' (listeners were told of the login). */
  readonly connected: boolean;
  /** Throws ChatClientError closed once the client is closed. */
  checkOpen(): void;
}

/** A private text sealed: a box, and in device mode its key for every device (PROTOCOL.md 22.6). */
export interface SealedText {
  box: Box;
  keys?: DeviceKeyBoxWire[];
}

/** The end-to-end encryption a conversation uses (trust.ts; devices/device-message-keys.ts in device mode). */
export interface MessageKeys {
  /** Encryption has started: the identity was loaded (the first connect got that far). */
  readonly canSeal: boolean;
  /** `name` has a pinned key, so a keyless report of them is a key change, not a plain-text user. */
  isPinned(name: string): boolean;
  /** Seals `text` for `to` under message id `id`; throws unknown_key / key_changed when the key cannot be trusted. */
  seal(to: string, id: string, text: string): Box;
  /** Seals content (a reply, an edit, a reaction) like `seal`. */
  sealContent(to: string, id: string, content: EnvelopeContent): Box;
  /** Seals a private text: like `seal`, or to every device of both people in device mode. */
  sealText(to: string, id: string, text: string): SealedText;
  /** A message as shown: decrypted and checked when it is a box. */
  view(message: ChatMessage): OpenedMessage;
}

/** What a conversation uses of rooms (room-traffic.ts): every `#room` conversation goes there. */
export interface RoomTraffic {
  /** Encrypted or not; undefined for a room this client does not know. */
  encrypted(room: string): boolean | undefined;
  /** Seals `text` for `#room` under `id` with this user's sender key (rotated or handed over first when due). */
  seal(room: string, id: string, text: string): Box;
  /** Seals content (a reply, an edit, a reaction) like `seal`. */
  sealContent(room: string, id: string, content: EnvelopeContent): Box;
  /**
   * A message of a room's stream as shown: `live` ones (from the mailbox, in seq order) also
   * change membership. Undefined: held until its sender's key arrives (shown later, once).
   */
  view(message: ChatMessage, live: boolean): OpenedMessage | undefined;
  /** A hidden private message (a room key): taken, never shown. */
  onHidden(message: ChatMessage): void;
}

/** Reads the file offer a message carries, once its box opened (file-transfers.ts). */
export interface AttachmentReader {
  describe(message: ChatMessage, text: string): FileOfferView | undefined;
}

/** What the file transfers use of the rest of the client (file-transfers.ts). */
export interface FileServices {
  readonly link: ClientLink;
  /** Seals `text` for `to` under a new message id and queues it as a file offer. */
  queueOffer(to: string, text: string, offer: FileOffer): Promise<SentInfo>;
  /** Opens a box exchanged with the other party (trust.ts); undefined when it does not open. */
  openBox(message: { from: string; to: string; id: string; box: Box }): string | undefined;
  readonly emit: Emit<'fileState'>;
}
