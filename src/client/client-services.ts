/**
 * What ChatClient's parts may use of it: narrow views, passed in. Trust, conversations and file
 * transfers each see the connection, keys or events they work with, never ChatClient itself or
 * one another's internals, so `src/client` has no import circle and a test can fake any one part.
 */
import type { Box, ChatMessage } from '../protocol/frames';
import type { ChatClientEvents, ReceivedMessage } from './types';

/** Emits the listed ChatClient events (and only those) to the application. */
export type Emit<K extends keyof ChatClientEvents> = <E extends K>(event: E, ...args: ChatClientEvents[E]) => void;

/** The end-to-end encryption a conversation uses (trust.ts). */
export interface MessageKeys {
  /** Encryption has started: the identity was loaded (the first connect got that far). */
  readonly canSeal: boolean;
  /** `name` has a pinned key, so a keyless report of them is a key change, not a plain-text user. */
  isPinned(name: string): boolean;
  /** Seals `text` for `to` under message id `id`; throws unknown_key / key_changed when the key cannot be trusted. */
  seal(to: string, id: string, text: string): Box;
  /** A message as shown: decrypted and checked when it is a box. */
  view(message: ChatMessage): ReceivedMessage;
}
