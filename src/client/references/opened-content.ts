/**
 * A box's content as the client shows it (PROTOCOL.md 20.5): the text, plus the reference a
 * version-2 envelope carries, kept as `sealed` until references are applied.
 */
import type { ChatMessage } from '../../protocol/frames';
import type { EnvelopeContent } from '../../protocol/references';
import type { KeyTrust } from '../trust-book';
import type { ReceivedMessage } from '../types';

/**
 * A message decrypted and checked, before references are applied (message-references.ts): `sealed`
 * is what its box held beyond the text (a reply, edit or reaction reference), taken off before it is shown.
 */
export type OpenedMessage = ReceivedMessage & { sealed?: EnvelopeContent };

/** The id a box was sealed under: a message replaced by its newest edit carries the edit's box (20.5). */
export function sealedId(message: ChatMessage): string {
  return message.edited?.id ?? message.id;
}

/** An opened box's view; a box that says nothing, or an edit's box that names another message, is not shown as text. */
export function openedView(message: ChatMessage, content: EnvelopeContent, trust: KeyTrust): OpenedMessage {
  const { text, roomKey: _roomKey, ...references } = content;
  const failed = (decryptError: 'could_not_decrypt' | 'misaddressed'): OpenedMessage => ({ ...message, text: undefined, encrypted: true, trust, decryptError });
  // History gives an edited message with its newest edit's box: that box must name this message.
  if (message.edited && (references.edit?.seq !== message.seq || references.edit.id !== message.id)) return failed('misaddressed');
  if (text === undefined && references.react === undefined) return failed('could_not_decrypt');
  const shown: OpenedMessage = { ...message, text, encrypted: true, trust };
  if (Object.keys(references).length > 0) shown.sealed = references;
  return shown;
}
