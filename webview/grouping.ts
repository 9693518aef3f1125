/** Which messages share a header (sender and time): same sender, within a few minutes, same day. */

/** Messages further apart than this start a new group. */
export const GROUP_GAP_MS = 5 * 60 * 1000;

export interface Groupable {
  from: string;
  ts: number;
  /** A system line ("bob joined") stands alone: it neither continues nor is continued. */
  system?: true;
}

export function continuesGroup(previous: Groupable | undefined, message: Groupable): boolean {
  if (!previous || previous.from !== message.from || previous.system || message.system) return false;
  if (message.ts - previous.ts > GROUP_GAP_MS || message.ts < previous.ts) return false;
  return new Date(previous.ts).toDateString() === new Date(message.ts).toDateString();
}
