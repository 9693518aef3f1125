/** Date separators' words, in local time (no DOM). */
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const DATE_YEAR = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric' });

/** "Today", "Yesterday", or the date (with the year when it is not this year), in local time. */
export function dayLabel(ts: number, now: number): string {
  const day = startOfDay(ts);
  const today = startOfDay(now);
  if (day === today) return 'Today';
  if (day === startOfDay(today - DAY_MS / 2)) return 'Yesterday';
  return new Date(ts).getFullYear() === new Date(now).getFullYear() ? DATE.format(ts) : DATE_YEAR.format(ts);
}

function startOfDay(ts: number): number {
  const date = new Date(ts);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}
