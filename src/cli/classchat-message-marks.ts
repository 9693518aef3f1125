/**
 * The parts of a message line that come from references (PROTOCOL.md 20.5): its number, the
 * quote of what it replies to, "(edited)", "(message deleted)", its reactions, and the mark of
 * a message that mentions you. Shared by private, Everyone and room lines.
 */
import type { Reaction, ReceivedMessage } from '../client/types';
import { visibleControls as printable } from '../protocol/visible-text';

/** `(#41) `: the server's seq, the same for everyone, so "see #41" means one message to the whole class. Events have none. */
export function numberLabel(message: ReceivedMessage): string {
  return message.event ? '' : `(#${message.seq}) `;
}

export function mentionMark(message: ReceivedMessage): string {
  return message.mentionsMe ? ' [mentions you]' : '';
}

/** The body's lines: deleted, the text's own lines, or why it cannot be read. */
export function bodyLines(message: ReceivedMessage, unreadable: () => string): string[] {
  if (message.deleted) return ['(message deleted)'];
  return message.text !== undefined ? message.text.split(/\r?\n/).map(printable) : [unreadable()];
}

/** `  (👍 2, 🎉 1)`, or nothing. */
export function reactionSummary(reactions: readonly Reaction[] | undefined): string {
  if (!reactions || reactions.length === 0) return '';
  return `(${reactions.map((reaction) => `${printable(reaction.emoji)} ${reaction.names.length}`).join(', ')})`;
}

/** The line as shown: the quote of what it answers above it, "(edited)" and the reactions after it. */
export function decorate(message: ReceivedMessage, line: string, me: string): string {
  const edited = message.edited && !message.deleted ? ' (edited)' : '';
  const reactions = reactionSummary(message.reactions);
  const shown = `${line}${edited}${reactions === '' ? '' : `  ${reactions}`}`;
  return message.replyTo ? `${quoteLine(message.replyTo, me)}\n${shown}` : shown;
}

/** `  ↪ (#41) bob: the first line of bob's message`. */
export function quoteLine(replyTo: NonNullable<ReceivedMessage['replyTo']>, me: string): string {
  const who = replyTo.from === undefined ? '' : ` ${replyTo.from === me ? 'you' : printable(replyTo.from)}`;
  const what = replyTo.snippet !== undefined ? `: ${printable(replyTo.snippet)}` : replyTo.from === undefined ? ' (a message this session has not shown)' : ' (its text is not shown: deleted, or unreadable)';
  return `  ↪ (#${replyTo.seq})${who}${what}`;
}
