/**
 * How the terminal client shows a change to a message it printed earlier (an edit, a delete, a
 * reaction: the client library reports those as `messageChanged`, never as new messages), and
 * the hits of /search.
 */
import type { SearchHit } from '../client/search/message-search';
import type { MessageChange, Reaction, ReceivedMessage } from '../client/types';
import { EVERYONE, ROOM_PREFIX } from '../protocol/names';
import { printable, printableLines, timeLabel } from './classchat-format';
import { mentionMark, reactionSummary } from './classchat-message-marks';

/**
 * `* alice edited #41: new text`, `* alice deleted #41`, `* bob reacted 👍 to #41 (👍 2)`.
 * `before` is the message as this session last showed it: whose reaction changed is what differs.
 */
export function formatChange(change: MessageChange, before: ReceivedMessage | undefined, me: string): string {
  const message = change.message;
  const name = (who: string) => (who === me ? 'you' : printable(who));
  const number = `#${change.seq}`;
  switch (change.how) {
    case 'edited': {
      const text = printableLines(message.text ?? '').join('\n    ');
      return `* ${name(message.from)} edited ${number}${mentionMark(message)}: ${text}`;
    }
    case 'deleted': {
      const by = message.deleted?.by ?? message.from;
      if (by === message.from) return `* ${name(by)} deleted ${number}`;
      return `* ${name(by)} deleted ${number} (${message.from === me ? 'your' : `${printable(message.from)}'s`} message)`;
    }
    case 'reactions': {
      const summary = reactionSummary(message.reactions) || '(no reactions)';
      const moved = reactionDifference(before?.reactions, message.reactions);
      if (!moved) return `* reactions to ${number}: ${summary}`;
      const verb = moved.on ? `reacted ${printable(moved.emoji)} to` : `took back ${printable(moved.emoji)} on`;
      return `* ${name(moved.name)} ${verb} ${number} ${summary}`;
    }
  }
}

/** The first reaction given or taken back between two states of a message. */
function reactionDifference(before: readonly Reaction[] = [], after: readonly Reaction[] = []): { name: string; emoji: string; on: boolean } | undefined {
  const names = (list: readonly Reaction[], emoji: string) => list.find((reaction) => reaction.emoji === emoji)?.names ?? [];
  for (const emoji of new Set([...before, ...after].map((reaction) => reaction.emoji))) {
    const [was, is] = [names(before, emoji), names(after, emoji)];
    const added = is.find((name) => !was.includes(name));
    if (added !== undefined) return { name: added, emoji, on: true };
    const removed = was.find((name) => !is.includes(name));
    if (removed !== undefined) return { name: removed, emoji, on: false };
  }
  return undefined;
}

/** A hit as the message was shown: `  [12:03] (#41) alice → you: the text`, `  [12:03] [#lab-3] (#7) you: …`. */
export function formatHit(hit: SearchHit, me: string, now?: Date): string {
  const from = hit.from === me ? 'you' : printable(hit.from);
  const time = `[${timeLabel(hit.ts, now)}]`;
  const text = printableLines(hit.text).join('\n      ');
  if (hit.conversation.startsWith(ROOM_PREFIX)) return `  ${time} [${printable(hit.conversation)}] (#${hit.seq}) ${from}: ${text}`;
  const to = hit.conversation === EVERYONE ? 'everyone' : hit.from === me ? printable(hit.conversation) : 'you';
  return `  ${time} (#${hit.seq}) ${from} → ${to}: ${text}`;
}
