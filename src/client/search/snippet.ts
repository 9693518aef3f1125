/**
 * The part of a found message worth showing in a result list: a window of its text around the
 * first word that matched, with the matching words marked. Matching is as MessageSearch does it
 * (case and accents folded, a query word matches the start of a word), so the marks show why
 * the message was found.
 */
import { parseQuery } from './message-search';

export interface Snippet {
  /** Whitespace collapsed; "…" where text was cut. */
  text: string;
  /** [start, end) character ranges of `text` to highlight, in order, not overlapping. */
  marks: Array<[number, number]>;
}

export const DEFAULT_SNIPPET_CHARS = 100;
/** Characters kept before the first match, so it is read in context. */
const LEAD_CHARS = 30;
/** A word as MiniSearch's default tokenizer sees one: no spaces, no punctuation. */
const WORD = /[^\s\p{Z}\p{P}]+/gu;

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** A window of `text` around the words of `query` (its `from:` and `in:` filters left out). */
export function snippetOf(text: string, query: string, maxChars = DEFAULT_SNIPPET_CHARS): Snippet {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const words = parseQuery(query).words.map(fold).filter((word) => word !== '');
  const found: Array<[number, number]> = [];
  for (const match of flat.matchAll(WORD)) {
    const folded = fold(match[0]);
    if (words.some((word) => folded.startsWith(word))) found.push([match.index, match.index + match[0].length]);
  }
  let start = 0;
  if (found.length > 0 && found[0][0] > LEAD_CHARS && flat.length > maxChars) {
    start = Math.min(found[0][0] - LEAD_CHARS, flat.length - maxChars);
    // Start at a word, not in the middle of one.
    const space = flat.indexOf(' ', start);
    if (space >= 0 && space < found[0][0]) start = space + 1;
  }
  const end = Math.min(flat.length, start + maxChars);
  const prefix = start > 0 ? '…' : '';
  const shown = `${prefix}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
  const shift = prefix.length - start;
  const marks = found
    .filter(([from, to]) => from >= start && to <= end)
    .map(([from, to]): [number, number] => [from + shift, to + shift]);
  return { text: shown, marks };
}
