/**
 * The lines that log a JSON session in: `welcome` with the roster. Protocol v1 carries the whole
 * roster in `welcome.users`; v2 carries its first page there and the rest in `roster` frames, so
 * no line grows with the class (a roster of ~18,500 once pushed v1's welcome past the client's
 * line limit and locked every client out).
 */
import type { WelcomeFrame } from '../protocol/frames';
import { LIMITS, ROSTER_PAGES_VERSION } from '../protocol/limits';
import type { RosterPageSource } from './roster-json';
import type { StreamSource } from './transport';

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const ROSTER_HEAD = Buffer.from('{"type":"roster","users":[');
const MORE = Buffer.from('],"more":true}\n');
const LAST = Buffer.from('],"more":false}\n');
const USERS_END = Buffer.from(']}\n');

export type WelcomeHead = Omit<WelcomeFrame, 'users' | 'more'>;

/** Room for the rest of a v1 welcome line around its roster. */
const WELCOME_HEAD_BUDGET = 1024;

/** Whether protocol `v` can carry these roster pages: v1 only while they fit in one server line. */
export function rosterFits(v: number, pages: readonly Buffer[]): boolean {
  if (v >= ROSTER_PAGES_VERSION) return true;
  let bytes = WELCOME_HEAD_BUDGET;
  for (const page of pages) bytes += page.length + 1;
  return bytes <= LIMITS.maxServerLineBytes;
}

/**
 * The welcome and roster lines as a stream, produced as the socket drains (Transport.writeStream):
 * v1 from the pages as they were at login (one line, at most a server line long); v2 reads each
 * page when it is written, so a slow login holds no copy of a roster that changed meanwhile.
 */
export function welcomeStream(head: WelcomeHead, pages: () => readonly Buffer[], sources: () => readonly RosterPageSource[]): StreamSource {
  const parts = head.v >= ROSTER_PAGES_VERSION ? pagedParts(head, sources()) : singleLineParts(head, pages());
  return () => {
    const next = parts.next();
    return next.done ? undefined : next.value;
  };
}

function* pagedParts(head: WelcomeHead, sources: readonly RosterPageSource[]): Generator<Buffer> {
  const start = JSON.stringify(head).slice(0, -1);
  yield Buffer.from(`${start},"more":${sources.length > 1},"users":[`);
  yield sources[0]?.json ?? Buffer.alloc(0);
  yield USERS_END;
  for (let index = 1; index < sources.length; index++) {
    yield ROSTER_HEAD;
    yield sources[index].json;
    yield index < sources.length - 1 ? MORE : LAST;
  }
}

/** v1: one welcome line with the whole roster (the pages are shared, never copied). */
function* singleLineParts(head: WelcomeHead, pages: readonly Buffer[]): Generator<Buffer> {
  yield Buffer.from(`${JSON.stringify(head).slice(0, -1)},"users":`);
  yield OPEN;
  for (let index = 0; index < pages.length; index++) {
    if (index > 0) yield COMMA;
    yield pages[index];
  }
  yield USERS_END;
}
