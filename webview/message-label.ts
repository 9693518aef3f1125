/** A message's accessible name: what a screen reader says when the message gets focus. */
import { deletedTextOf } from './deleted-text';
import type { MessageView } from './protocol';

/** Characters of the text in the name (the body is read in full when the user reads on). */
const LABEL_TEXT_CHARS = 160;

/** "bob, 09:01: who has the sheet? · reply to carol · edited · reactions 👍 2" */
export function messageLabel(message: MessageView, time: string): string {
  const what = message.deleted
    ? deletedTextOf(message.deleted, message.from)
    : message.file
      ? `file ${message.file.name}`
      : (message.text ?? message.problem ?? 'cannot be shown');
  const parts = [`${message.from}${message.mine ? ' (you)' : ''}, ${time}: ${what.length > LABEL_TEXT_CHARS ? `${what.slice(0, LABEL_TEXT_CHARS)}…` : what}`];
  if (message.replyTo) parts.push(`reply to ${message.replyTo.from ?? 'an earlier message'}`);
  if (message.edited && !message.deleted) parts.push('edited');
  if (message.mentionsMe) parts.push('mentions you');
  if (message.reactions?.length && !message.deleted) parts.push(`reactions ${message.reactions.map((r) => `${r.emoji} ${r.names.length}`).join(', ')}`);
  if (message.delivery === 'pending') parts.push('sending');
  if (message.delivery === 'failed') parts.push('not sent');
  return parts.join(' · ');
}
