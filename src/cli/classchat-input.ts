/** What a line typed in the interactive client means. */
import { checkName, checkRoomName, EVERYONE, ROOM_PREFIX } from '../protocol/names';
import { MESSAGE_HELP, MessageCommand, ModerationCommand, parseMessageCommand } from './classchat-refs-input';
import { parseRoomCommand, parseRoomSend, ROOM_HELP, RoomCommand } from './classchat-room-input';
import { BLOCK_HELP, BlockCommand, parseBlockCommand } from './classchat-blocks';
import { DEVICES_HELP, DevicesCommand, parseDevicesCommand } from './classchat-devices';

export const DEFAULT_HISTORY = 20;

export type InputCommand =
  | { kind: 'empty' }
  | { kind: 'send'; to: string; text: string; unencrypted?: true }
  | { kind: 'verify'; name: string; confirm: boolean }
  | { kind: 'accept-key'; name: string }
  | { kind: 'who' }
  | { kind: 'history'; with: string; limit: number }
  | { kind: 'send-file'; to: string; path: string }
  | { kind: 'accept-file'; ref: TransferRef; dir?: string }
  | { kind: 'decline-file'; ref: TransferRef }
  | { kind: 'cancel-file'; ref: TransferRef }
  | { kind: 'files' }
  | { kind: 'room'; command: RoomCommand }
  | { kind: 'message-command'; command: MessageCommand }
  | { kind: 'moderate'; command: ModerationCommand }
  | { kind: 'block'; command: BlockCommand }
  | { kind: 'devices'; command: DevicesCommand }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'invalid'; message: string };

/** A transfer as typed: its short number in this session, or the server's full file id. */
export type TransferRef = number | string;

export const HELP = `Type a message and press Enter to send it to everyone (the server can read those).
  @bob hi          send "hi" to bob only, end-to-end encrypted: only bob can read it
  /verify bob      show your safety number with bob, to compare with bob's;
                   /verify bob confirm  marks bob's key verified when the numbers match
  /accept-key bob  accept bob's new key after a key change (better: /verify)
  /unencrypted bob hi
                   send to a plain-text user, who has no key (the server can read it)
  /send bob PATH   send a file to bob, end-to-end encrypted ("quote" a path or give the rest
                   of the line); bob gets it even when offline
  /accept 3 [DIR]  receive offered file 3 into DIR (default: the download directory);
                   an existing file is never overwritten
  /decline 3       refuse offered file 3
  /cancel 3        stop sending or receiving file 3
  /files           your transfers and their state
  /who             who is online and offline
  /history [name|all|#room] [n]
                   the last n (default ${DEFAULT_HISTORY}) messages to everyone, with one person, or in a room
  //text           send a message that starts with "/"
  /help            this help
  /quit            leave (Ctrl+D works too)
${ROOM_HELP}
${MESSAGE_HELP}
${BLOCK_HELP}
${DEVICES_HELP}`;

export function parseInput(line: string): InputCommand {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (text.startsWith('//')) return { kind: 'send', to: EVERYONE, text: text.slice(1) };
  if (text.startsWith('/')) return command(text);
  if (text.startsWith(ROOM_PREFIX)) {
    const send = parseRoomSend(text);
    return 'to' in send ? { kind: 'send', ...send } : send;
  }
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
    case 'send':
      return sendFile(text);
    case 'accept':
      return acceptFile(text);
    case 'decline':
    case 'cancel': {
      const ref = args.length === 1 ? transferRef(args[0]) : undefined;
      if (ref === undefined) return { kind: 'invalid', message: `usage: /${name.toLowerCase()} N (the number shown with the file, or its full id)` };
      return name.toLowerCase() === 'decline' ? { kind: 'decline-file', ref } : { kind: 'cancel-file', ref };
    }
    case 'files':
      return args.length === 0 ? { kind: 'files' } : { kind: 'invalid', message: '/files takes no arguments' };
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
    default: {
      const unknown: InputCommand = { kind: 'invalid', message: `unknown command /${name}; type /help for the list (// sends a message starting with /)` };
      const lower = name.toLowerCase();
      return parseRoomCommand(lower, args) ?? parseMessageCommand(lower, text.slice(1 + name.length)) ?? parseBlockCommand(lower, args) ?? parseDevicesCommand(lower, args) ?? unknown;
    }
  }
}

const SEND_USAGE = 'usage: /send NAME PATH (quote a path with "…", or give it as the rest of the line)';

function sendFile(text: string): InputCommand {
  const match = /^\/\S+\s+(\S+)\s+([\s\S]+)$/.exec(text);
  const to = match ? userName(match[1]) : undefined;
  if (!match || to === undefined) return { kind: 'invalid', message: SEND_USAGE };
  const path = pathArgument(match[2]);
  if (typeof path !== 'string') return { kind: 'invalid', message: `${path.error}; ${SEND_USAGE}` };
  return { kind: 'send-file', to, path };
}

function acceptFile(text: string): InputCommand {
  const usage = 'usage: /accept N [DIR] (N is the number shown with the offer)';
  const match = /^\/\S+\s+(\S+)(?:\s+([\s\S]+))?$/.exec(text);
  const ref = match ? transferRef(match[1]) : undefined;
  if (!match || ref === undefined) return { kind: 'invalid', message: usage };
  if (match[2] === undefined) return { kind: 'accept-file', ref };
  const dir = pathArgument(match[2]);
  if (typeof dir !== 'string') return { kind: 'invalid', message: `${dir.error}; ${usage}` };
  return { kind: 'accept-file', ref, dir };
}

/**
 * A path typed after a command: "quoted" (\" and \\ escape a quote and a backslash inside) or,
 * unquoted, the rest of the line as it is, so names with spaces work either way.
 */
export function pathArgument(raw: string): string | { error: string } {
  const text = raw.trim();
  if (!text.startsWith('"')) return text === '' ? { error: 'the path is missing' } : text;
  let path = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      path += text[++i];
    } else if (char === '"') {
      if (text.slice(i + 1).trim() !== '') return { error: 'nothing may follow the closing quote' };
      return path === '' ? { error: 'the path is empty' } : path;
    } else path += char;
  }
  return { error: 'the quote around the path is not closed' };
}

/** A session number ("3", "#3") or a full file id; undefined when neither. */
export function transferRef(raw: string): TransferRef | undefined {
  const number = /^#?(\d{1,9})$/.exec(raw);
  if (number) {
    const value = Number(number[1]);
    return value >= 1 ? value : undefined;
  }
  return /^[\x21-\x7e]{1,64}$/.test(raw) ? raw : undefined;
}

function history(args: string[]): InputCommand {
  if (args.length > 2) return { kind: 'invalid', message: HISTORY_USAGE };
  let withWhom = EVERYONE;
  let limit = DEFAULT_HISTORY;
  for (const [index, arg] of args.entries()) {
    if (/^\d+$/.test(arg)) {
      limit = Number(arg);
      if (limit < 1 || limit > 200) return { kind: 'invalid', message: 'the number of messages must be 1-200' };
    } else if (index === 0) {
      const to = conversation(arg);
      if (to === undefined) return { kind: 'invalid', message: `"${arg}" is not a user or room name; ${HISTORY_USAGE}` };
      withWhom = to;
    } else return { kind: 'invalid', message: HISTORY_USAGE };
  }
  return { kind: 'history', with: withWhom, limit };
}

const HISTORY_USAGE = 'usage: /history [name|all|#room] [n]';

/** Like target, and "#room" for a room. */
function conversation(raw: string): string | undefined {
  if (!raw.startsWith(ROOM_PREFIX)) return target(raw);
  const room = checkRoomName(raw);
  return room.ok ? ROOM_PREFIX + room.room : undefined;
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
