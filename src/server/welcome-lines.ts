/**
 * The lines that log a JSON session in: `welcome` with the roster. Protocol v1 carries the whole
 * roster in `welcome.users`; v2 carries its first page there and the rest in `roster` frames, so
 * no line grows with the class (a roster of ~18,500 once pushed v1's welcome past the client's
 * line limit and locked every client out).
 */
import type { WelcomeFrame } from '../protocol/frames';
import { LIMITS, ROSTER_PAGES_VERSION } from '../protocol/limits';

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

/** The welcome and roster lines for `head.v`, as buffers to write in order (the pages are shared, never copied). */
export function welcomeParts(head: WelcomeHead, pages: readonly Buffer[]): Buffer[] {
  const start = JSON.stringify(head).slice(0, -1);
  if (head.v >= ROSTER_PAGES_VERSION) {
    const more = pages.length > 1;
    const parts: Buffer[] = [Buffer.from(`${start},"more":${more},"users":[`), pages[0] ?? Buffer.alloc(0), USERS_END];
    for (let index = 1; index < pages.length; index++) parts.push(ROSTER_HEAD, pages[index], index < pages.length - 1 ? MORE : LAST);
    return parts;
  }
  const parts: Buffer[] = [Buffer.from(`${start},"users":`), OPEN];
  for (const page of pages) {
    if (parts.length > 2) parts.push(COMMA);
    parts.push(page);
  }
  parts.push(USERS_END);
  return parts;
}
