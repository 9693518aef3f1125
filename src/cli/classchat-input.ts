/** What a line typed in the interactive client means. */
import { checkName, EVERYONE } from '../protocol/names';

export const DEFAULT_HISTORY = 20;

export type InputCommand =
  | { kind: 'empty' }
  | { kind: 'send'; to: string; text: string; unencrypted?: true }
  | { kind: 'verify'; name: string; confirm: boolean }
  | { kind: 'accept-key'; name: string }
  | { kind: 'who' }
  | { kind: 'history'; with: string; limit: number }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'invalid'; message: string };

export const HELP = `Type a message and press Enter to send it to everyone (the server can read those).
  @bob hi          send "hi" to bob only, end-to-end encrypted: only bob can read it
  /verify bob      show your safety number with bob, to compare with bob's;
                   /verify bob confirm  marks bob's key verified when the numbers match
  /accept-key bob  accept bob's new key after a key change (better: /verify)
  /unencrypted bob hi
                   send to a plain-text user, who has no key (the server can read it)
  /who             who is online and offline
  /history [name|all] [n]
                   the last n (default ${DEFAULT_HISTORY}) messages to everyone, or with one person
  //text           send a message that starts with "/"
  /help            this help
  /quit            leave (Ctrl+D works too)`;

export function parseInput(line: string): InputCommand {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (text.startsWith('//')) return { kind: 'send', to: EVERYONE, text: text.slice(1) };
  if (text.startsWith('/')) return command(text);
  if (text.startsWith('@')) {
    const match = /^@(\S*)\s*([\s\S]*)$/.exec(text);
    const who = match?.[1] ?? '';
    const body = match?.[2] ?? '';
    const to = target(who);
    if (to === undefined) return { kind: 'invalid', message: `"${who}" is not a user name; write @name and your message` };
    if (body === '') return { kind: 'invalid', message: `write the message after the name: @${who} hello` };
    return { kind: 'send', to, text: body };
  }
  return { kind: 'send', to: EVERYONE, text };
}

function command(text: string): InputCommand {
  const [name = '', ...args] = text.slice(1).split(/\s+/);
  switch (name.toLowerCase()) {
    case 'who':
      return args.length === 0 ? { kind: 'who' } : { kind: 'invalid', message: '/who takes no arguments' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'history':
      return history(args);
    case 'verify': {
      const to = args.length >= 1 && args.length <= 2 ? userName(args[0]) : undefined;
      if (to === undefined || (args.length === 2 && args[1].toLowerCase() !== 'confirm')) return { kind: 'invalid', message: 'usage: /verify NAME, then /verify NAME confirm' };
      return { kind: 'verify', name: to, confirm: args.length === 2 };
    }
    case 'accept-key': {
      const to = args.length === 1 ? userName(args[0]) : undefined;
      return to === undefined ? { kind: 'invalid', message: 'usage: /accept-key NAME' } : { kind: 'accept-key', name: to };
    }
    case 'unencrypted': {
      const match = /^\/\S+\s+(\S+)\s+([\s\S]+)$/.exec(text);
      const to = match ? userName(match[1]) : undefined;
      if (!match || to === undefined) return { kind: 'invalid', message: 'usage: /unencrypted NAME message' };
      return { kind: 'send', to, text: match[2], unencrypted: true };
    }
    default:
      return { kind: 'invalid', message: `unknown command /${name}; type /help for the list (// sends a message starting with /)` };
  }
}

function history(args: string[]): InputCommand {
  if (args.length > 2) return { kind: 'invalid', message: 'usage: /history [name|all] [n]' };
  let withWhom = EVERYONE;
  let limit = DEFAULT_HISTORY;
  for (const [index, arg] of args.entries()) {
    if (/^\d+$/.test(arg)) {
      limit = Number(arg);
      if (limit < 1 || limit > 200) return { kind: 'invalid', message: 'the number of messages must be 1-200' };
    } else if (index === 0) {
      const to = target(arg);
      if (to === undefined) return { kind: 'invalid', message: `"${arg}" is not a user name; usage: /history [name|all] [n]` };
      withWhom = to;
    } else return { kind: 'invalid', message: 'usage: /history [name|all] [n]' };
  }
  return { kind: 'history', with: withWhom, limit };
}

/** A normalised user name (not everyone), or undefined. */
function userName(raw: string | undefined): string | undefined {
  const to = raw === undefined ? undefined : target(raw);
  return to === EVERYONE ? undefined : to;
}

/** "*" for all/everyone/*, a normalised name, or undefined when invalid. */
function target(raw: string): string | undefined {
  const value = raw.toLowerCase();
  if (value === '*' || value === 'all' || value === 'everyone') return EVERYONE;
  const checked = checkName(value);
  return checked.ok ? checked.name : undefined;
}
