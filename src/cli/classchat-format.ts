/** How the terminal client shows messages, presence, connection state and errors. */
import type { ClientState, ReceivedMessage, RosterEntry } from '../client/types';
import { ChatClientError } from '../client/errors';
import type { KeyTrust } from '../client/trust-book';
import { ClassChatError } from '../protocol/errors';
import type { UserInfo } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';
import { visibleControls } from '../protocol/visible-text';
import { bodyLines, decorate, mentionMark, numberLabel } from './classchat-message-marks';

/**
 * The one way a field from outside (a name, file name, file id, error text) is printed: every
 * control character, newline and CR included, is shown visibly (ESC → ␛, LF → ␊), so a field
 * can neither forge a line nor send the terminal an escape sequence.
 */
export function printable(field: string): string {
  return visibleControls(field);
}

/** A message body: its own line breaks stay lines; every other control is shown as in `printable`. */
export function printableLines(text: string): string[] {
  return text.split(/\r?\n/).map(printable);
}

/** What the printer writes, as a last guard: whole lines, with no control character left in any of them. */
export function terminalText(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12:03" for today, "2024-05-01 12:03" otherwise (local time). */
export function timeLabel(ts: number, now: Date = new Date()): string {
  const date = new Date(ts);
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? hm : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

/**
 * `[12:03] alice → you [e2e]: hi`; continuation lines of a multi-line message are indented.
 * Private messages say whether they were end-to-end encrypted and how far the key is trusted;
 * messages to everyone are readable by the server (said once at connect and in /help).
 */
export function formatMessage(message: ReceivedMessage, me: string, now?: Date): string {
  const time = `[${timeLabel(message.ts, now)}] `;
  // Moderation notices (mutes, exam mode) carry text the client worded.
  if (message.event) return `${time}* ${printableLines(message.text ?? message.event.kind).join('\n    ')}`;
  const from = message.from === me ? 'you' : printable(message.from);
  const to = message.to === EVERYONE ? 'everyone' : message.to === me ? 'you' : printable(message.to);
  const plain = message.plain ? ' (unauthenticated plain-text user)' : '';
  const mark = message.to === EVERYONE ? '' : ` ${privacyMark(message)}`;
  const body = bodyLines(message, () => undecryptable(message, me));
  const head = `${time}${numberLabel(message)}${from}${plain} → ${to}${mark}${mentionMark(message)}: `;
  return decorate(message, head + body.join('\n    '), me);
}

function privacyMark(message: ReceivedMessage): string {
  if (!message.encrypted) return '[not encrypted]';
  switch (message.trust) {
    case 'verified':
      return '[e2e, verified]';
    case 'key_changed':
      return '[e2e, KEY CHANGED]';
    case 'unknown_key':
      return '[e2e, unknown key]';
    default:
      return '[e2e]';
  }
}

function undecryptable(message: ReceivedMessage, me: string): string {
  const peer = printable(message.from === me ? message.to : message.from);
  const who = message.from === me ? `your message to ${peer}` : `this message from ${peer}`;
  switch (message.decryptError) {
    case 'misaddressed':
      return `!! could not decrypt ${who}: it was sealed for another conversation or message (replayed?)`;
    case 'unknown_key':
      return `!! could not decrypt ${who}: ${peer}'s key is not known`;
    default:
      return `!! could not decrypt ${who}: it was changed in transit, or sealed with another key`;
  }
}

/** The 60 digits as three rows of four groups, easy to read aloud. */
export function formatSafetyNumber(number: string): string[] {
  const groups = number.split(' ');
  const rows: string[] = [];
  for (let i = 0; i < groups.length; i += 4) rows.push('    ' + groups.slice(i, i + 4).join(' '));
  return rows;
}

/** What `/verify NAME` prints before the user confirms. */
export function formatVerify(name: string, number: string, trust: KeyTrust | 'no_key'): string[] {
  const who = printable(name);
  const state =
    trust === 'verified' ? `You already verified ${who}'s key.` : trust === 'key_changed' ? `!! ${who}'s key CHANGED since you first saw it; this number is for the new key.` : `${who}'s key is not verified yet.`;
  return [
    `* safety number for you and ${who}:`,
    ...formatSafetyNumber(number),
    `* ${state} Ask ${who} to run /verify on their side and compare the numbers in person or by phone.`,
    `* If they are the same, type: /verify ${who} confirm`,
  ];
}

/** A presence line, or undefined when nothing a person cares about changed. */
export function formatPresence(user: UserInfo, previous: RosterEntry | undefined): string | undefined {
  const name = printable(user.name);
  if (!previous) return user.online ? `* ${name} joined the class and is online` : `* ${name} joined the class`;
  if (previous.online === user.online) return undefined;
  return user.online ? `* ${name} is online` : `* ${name} went offline`;
}

/** "0.3s", "2s", "1m 5s". */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** A line for a connection state change, or undefined for states not worth a line. */
export function formatState(state: ClientState, where: string, name: string, wasConnected: boolean): string | undefined {
  switch (state.state) {
    case 'connected':
      if (wasConnected) return '* reconnected';
      return `* connected to ${where} as ${name}${state.welcome.registered ? ` (the name "${name}" is now bound to your key)` : ''}; type /help for commands`;
    case 'reconnecting': {
      const why = printable(state.reason.message.replace(/\.$/, ''));
      const lead = state.attempt === 1 ? `* connection lost (${why})` : `* still offline (${why})`;
      return `${lead}; reconnecting in ${formatDelay(state.delayMs)}… (attempt ${state.attempt})`;
    }
    case 'closed':
      // The reason itself was already shown (the client emits it as an `error`).
      return state.error && wasConnected ? '* disconnected; restart classchat to connect again' : undefined;
    default:
      return undefined;
  }
}

/** Online first, then offline, each sorted by name. */
export function formatRoster(roster: ReadonlyMap<string, RosterEntry>, me: string, keyTrust: (name: string) => KeyTrust | 'no_key' = () => 'pinned'): string[] {
  const trustLabel = (name: string) => {
    const trust = keyTrust(name);
    return trust === 'verified' ? ' (verified)' : trust === 'key_changed' ? ' (KEY CHANGED)' : '';
  };
  const role = (entry: RosterEntry) => (entry.role === 'teacher' ? ' [teacher]' : entry.role === 'ta' ? ' [TA]' : '');
  const label = (name: string, entry: RosterEntry) =>
    printable(name) + role(entry) + (name === me ? ' (you)' : entry.publicKey === null ? ' (plain text)' : trustLabel(name));
  const sorted = [...roster.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const online = sorted.filter(([, entry]) => entry.online).map(([name, entry]) => label(name, entry));
  const offline = sorted.filter(([, entry]) => !entry.online).map(([name, entry]) => label(name, entry));
  return [`Online (${online.length}): ${online.join(', ') || '-'}`, `Offline (${offline.length}): ${offline.join(', ') || '-'}`];
}

/** An error in plain words (the code is shown only where it helps searching the docs). */
export function describeError(error: unknown): string {
  return printable(errorText(error));
}

function errorText(error: unknown): string {
  if (error instanceof ClassChatError) {
    const hints: Partial<Record<ClassChatError['code'], string>> = {
      name_taken: ' Choose another --name, or use the key file this name was registered with (--key-file).',
      join_code_required: ' Ask your teacher for the class join code and pass --join-code CODE.',
      bad_join_code: ' Check the join code with your teacher.',
      bad_signature: ' Your key file does not match this name; use the right --key-file.',
    };
    return `${error.message}${hints[error.code] ?? ''}`;
  }
  if (error instanceof ChatClientError && error.code === 'key_changed') return `${error.message}: /verify NAME, or /accept-key NAME.`;
  if (error instanceof ChatClientError || error instanceof Error) return error.message;
  return String(error);
}
