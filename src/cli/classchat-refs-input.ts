/**
 * What the message commands typed in the interactive client mean: /reply, /edit, /delete, /react,
 * /unreact and /search (PROTOCOL.md 20.5), and the moderation commands of teachers and TAs (20.4).
 * Messages are named by the number printed with them: the server's seq, the same for everyone.
 */
import { LIMITS } from '../protocol/limits';
import { checkName } from '../protocol/names';
import { isReactionText } from '../protocol/references';

export type MessageCommand =
  | { kind: 'reply'; seq: number; text: string }
  /** `seq` undefined: your last message, in the last conversation you wrote in. */
  | { kind: 'edit'; seq?: number; text: string }
  | { kind: 'delete'; seq: number }
  | { kind: 'react' | 'unreact'; seq: number; emoji: string }
  | { kind: 'search'; query: string };

export type ModerationCommand =
  | { kind: 'mute'; name: string; minutes: number }
  | { kind: 'unmute' | 'ban' | 'unban'; name: string }
  | { kind: 'exam'; on: boolean };

export type ParsedMessageCommand =
  | { kind: 'message-command'; command: MessageCommand }
  | { kind: 'moderate'; command: ModerationCommand }
  | { kind: 'invalid'; message: string };

export const MESSAGE_HELP = `Messages (each is shown with its number, like (#41): the same number for everyone):
  /reply 41 text   answer message 41; the answer quotes it
  /edit 41 text    change your message 41       /edit text   change your last message
  /delete 41       delete your message 41 (teachers and TAs: any message everyone can read)
  /react 41 👍     react to message 41          /unreact 41 👍  take the reaction back
  /search words [from:bob] [in:#lab-3|in:bob|in:everyone]
                   find messages this session has shown (encrypted ones included)
Teachers and TAs:
  /mute bob 10     bob cannot send for 10 minutes (1-${LIMITS.maxMuteMinutes})    /unmute bob
  /exam on|off     exam mode: only teachers and TAs write to everyone
  /ban bob         close bob's sessions and refuse his logins          /unban bob`;

const USAGE = {
  reply: 'usage: /reply N text (N is the number shown with the message)',
  edit: 'usage: /edit N text, or /edit text for your last message',
  delete: 'usage: /delete N (N is the number shown with the message)',
  react: `usage: /react N EMOJI (one emoji or a word of at most ${LIMITS.maxReactionBytes} bytes)`,
  unreact: 'usage: /unreact N EMOJI',
  search: 'usage: /search words [from:NAME] [in:#room|in:NAME|in:everyone]',
  mute: `usage: /mute NAME MINUTES (1-${LIMITS.maxMuteMinutes})`,
  unmute: 'usage: /unmute NAME',
  ban: 'usage: /ban NAME',
  unban: 'usage: /unban NAME',
  exam: 'usage: /exam on|off',
} as const;

/**
 * The message or moderation command `/name rest`, or undefined when `name` is not one.
 * `rest` is the line after the command name, as typed (a text keeps its spaces).
 */
export function parseMessageCommand(name: string, rest: string): ParsedMessageCommand | undefined {
  const args = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
  switch (name) {
    case 'reply': {
      const [seq, text] = numberAndText(rest);
      if (seq === undefined) return invalid(USAGE.reply);
      if (text === '') return invalid(`write your answer after the number: /reply ${seq} text`);
      return message({ kind: 'reply', seq, text });
    }
    case 'edit': {
      const [seq, text] = numberAndText(rest);
      if (seq === undefined) return rest.trim() === '' ? invalid(USAGE.edit) : message({ kind: 'edit', text: rest.trim() });
      if (text === '') return invalid(`write the new text after the number: /edit ${seq} text (to delete it: /delete ${seq})`);
      return message({ kind: 'edit', seq, text });
    }
    case 'delete': {
      const seq = args.length === 1 ? messageNumber(args[0]) : undefined;
      return seq === undefined ? invalid(USAGE.delete) : message({ kind: 'delete', seq });
    }
    case 'react':
    case 'unreact': {
      const seq = args.length >= 1 ? messageNumber(args[0]) : undefined;
      if (seq === undefined || args.length > 2) return invalid(USAGE[name]);
      if (args.length === 1) return invalid(`say which reaction: /${name} ${seq} 👍`);
      if (!isReactionText(args[1])) return invalid(`a reaction is one emoji or a word of at most ${LIMITS.maxReactionBytes} bytes; ${USAGE[name]}`);
      return message({ kind: name, seq, emoji: args[1] });
    }
    case 'search':
      return args.some((arg) => !/^(from|in):/i.test(arg)) ? message({ kind: 'search', query: args.join(' ') }) : invalid(`say which words to find; ${USAGE.search}`);
    case 'mute': {
      const who = args.length === 2 ? userName(args[0]) : undefined;
      const minutes = args.length === 2 && /^\d{1,6}$/.test(args[1]) ? Number(args[1]) : undefined;
      if (who === undefined || minutes === undefined) return invalid(USAGE.mute);
      if (minutes < 1 || minutes > LIMITS.maxMuteMinutes) return invalid(`a mute lasts 1-${LIMITS.maxMuteMinutes} minutes (a week), not ${minutes}`);
      return moderate({ kind: 'mute', name: who, minutes });
    }
    case 'unmute':
    case 'ban':
    case 'unban': {
      const who = args.length === 1 ? userName(args[0]) : undefined;
      return who === undefined ? invalid(USAGE[name]) : moderate({ kind: name, name: who });
    }
    case 'exam': {
      const on = args.length === 1 ? { on: true, off: false }[args[0].toLowerCase()] : undefined;
      return on === undefined ? invalid(USAGE.exam) : moderate({ kind: 'exam', on });
    }
    default:
      return undefined;
  }
}

/** `41 text` or `#41 text`: the number and the rest (its spaces kept); no number: undefined. */
function numberAndText(rest: string): [number | undefined, string] {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(rest);
  const seq = match ? messageNumber(match[1]) : undefined;
  return [seq, seq === undefined ? '' : match![2].trim()];
}

/** "41" or "#41" (as printed: "(#41)"); undefined for anything else. */
export function messageNumber(raw: string): number | undefined {
  const match = /^\(?#?(\d{1,15})\)?$/.exec(raw);
  const value = match ? Number(match[1]) : 0;
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function userName(raw: string): string | undefined {
  const checked = checkName(raw.replace(/^@/, '').toLowerCase());
  return checked.ok ? checked.name : undefined;
}

const message = (command: MessageCommand): ParsedMessageCommand => ({ kind: 'message-command', command });
const moderate = (command: ModerationCommand): ParsedMessageCommand => ({ kind: 'moderate', command });
const invalid = (text: string): ParsedMessageCommand => ({ kind: 'invalid', message: text });
