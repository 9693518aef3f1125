/** How the terminal client shows messages, presence, connection state and errors. */
import type { ClientState, RosterEntry } from '../client/types';
import { ChatClientError } from '../client/errors';
import { ClassChatError } from '../protocol/errors';
import type { ChatMessage, UserInfo } from '../protocol/frames';
import { EVERYONE } from '../protocol/names';

/**
 * Makes text from other people safe to print: control characters (escape sequences could
 * move the cursor, recolour or retitle the terminal) become U+FFFD; newlines and tabs stay.
 */
export function sanitize(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "12:03" for today, "2024-05-01 12:03" otherwise (local time). */
export function timeLabel(ts: number, now: Date = new Date()): string {
  const date = new Date(ts);
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? hm : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

/** `[12:03] alice → you: hi`; continuation lines of a multi-line message are indented. */
export function formatMessage(message: ChatMessage, me: string, now?: Date): string {
  const from = message.from === me ? 'you' : sanitize(message.from);
  const to = message.to === EVERYONE ? 'everyone' : message.to === me ? 'you' : sanitize(message.to);
  const plain = message.plain ? ' (unauthenticated plain-text user)' : '';
  const body = message.text !== undefined ? sanitize(message.text) : '[encrypted message: this client cannot decrypt it yet]';
  const head = `[${timeLabel(message.ts, now)}] ${from}${plain} → ${to}: `;
  return head + body.split('\n').join('\n    ');
}

/** A presence line, or undefined when nothing a person cares about changed. */
export function formatPresence(user: UserInfo, previous: RosterEntry | undefined): string | undefined {
  const name = sanitize(user.name);
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
      const why = state.reason.message.replace(/\.$/, '');
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
export function formatRoster(roster: ReadonlyMap<string, RosterEntry>, me: string): string[] {
  const label = (name: string, entry: RosterEntry) => sanitize(name) + (name === me ? ' (you)' : '') + (entry.publicKey === null ? ' (plain text)' : '');
  const sorted = [...roster.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const online = sorted.filter(([, entry]) => entry.online).map(([name, entry]) => label(name, entry));
  const offline = sorted.filter(([, entry]) => !entry.online).map(([name, entry]) => label(name, entry));
  return [`Online (${online.length}): ${online.join(', ') || '-'}`, `Offline (${offline.length}): ${offline.join(', ') || '-'}`];
}

/** An error in plain words (the code is shown only where it helps searching the docs). */
export function describeError(error: unknown): string {
  if (error instanceof ClassChatError) {
    const hints: Partial<Record<ClassChatError['code'], string>> = {
      name_taken: ' Choose another --name, or use the key file this name was registered with (--key-file).',
      join_code_required: ' Ask your teacher for the class join code and pass --join-code CODE.',
      bad_join_code: ' Check the join code with your teacher.',
      bad_signature: ' Your key file does not match this name; use the right --key-file.',
    };
    return `${error.message}${hints[error.code] ?? ''}`;
  }
  if (error instanceof ChatClientError || error instanceof Error) return error.message;
  return String(error);
}
