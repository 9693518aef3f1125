/**
 * The small markdown subset chat messages use, parsed into plain data (no DOM, no HTML): fenced
 * code blocks, `inline code`, **bold**, *italic* / _italic_, and bare http(s) links. Anything
 * else, including HTML tags, stays literal text; render.ts builds nodes with textContent only.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'link'; href: string; text: string };

export type Block = { type: 'paragraph'; lines: Inline[][] } | { type: 'codeblock'; lang: string; text: string };

/** A fence line: up to three spaces, three backticks, then (after trimming) a language or nothing. */
const FENCE_PREFIX = /^\s{0,3}```/;
const FENCE_LANG = /^[A-Za-z0-9_+.#-]*$/;

/** What follows a fence's backticks, trimmed; undefined when the line is no fence. Linear: no backtracking regex on the rest. */
function fenceRest(line: string): string | undefined {
  const prefix = FENCE_PREFIX.exec(line);
  return prefix ? line.slice(prefix[0].length).trim() : undefined;
}

/**
 * Counts the work a parse does, one step per character examined or copied; tests use it to prove
 * the parse is linear, which timing cannot show reliably.
 */
export interface StepMeter {
  steps: number;
}

export function parseMarkdown(source: string, meter: StepMeter = { steps: 0 }): Block[] {
  meter.steps += source.length;
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', lines: paragraph.map((line) => parseInline(line, meter)) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    meter.steps += 2 * lines[i].length; // the fence test and the blank-line test
    // The info string's first word is the language; the rest (a snippet's path:lines) is not shown.
    const lang = fenceRest(lines[i])?.split(/\s/u, 1)[0];
    if (lang !== undefined && FENCE_LANG.test(lang)) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && fenceRest(lines[i]) !== '') {
        meter.steps += lines[i].length;
        body.push(lines[i++]);
      }
      if (i < lines.length) meter.steps += lines[i].length; // the closing fence
      // An unclosed fence runs to the end of the message, as in CommonMark.
      blocks.push({ type: 'codeblock', lang, text: body.join('\n') });
      continue;
    }
    if (lines[i].trim() === '') flush();
    else paragraph.push(lines[i]);
  }
  flush();
  return blocks;
}

/** Inline spans of one line. Delimiters without a partner stay literal. Linear in the line's length. */
export function parseInline(line: string, meter: StepMeter = { steps: 0 }): Inline[] {
  return new InlineScanner(line, meter).parse(0, line.length);
}

/**
 * Each delimiter closes at its first valid partner. Looking partners up by scanning ahead made a
 * line of unpartnered openers (" _a" repeated) quadratic; instead, one right-to-left pass per
 * delimiter kind records where the next partner is, so each lookup is constant time. A span's
 * content is parsed within [start, end) as if it were the whole line; a span can never contain
 * another of its own kind (its first partner would have closed it), so nesting is at most three
 * deep (strong, *em*, _em_) and the whole parse stays linear.
 */
class InlineScanner {
  private readonly nextBacktick: Int32Array;
  private readonly nextDoubleStar: Int32Array;
  private readonly nextStarCloser: Int32Array;
  private readonly nextUnderscoreCloser: Int32Array;

  constructor(
    private readonly line: string,
    private readonly meter: StepMeter,
  ) {
    const n = line.length;
    meter.steps += n;
    this.nextBacktick = new Int32Array(n + 2).fill(n);
    this.nextDoubleStar = new Int32Array(n + 2).fill(n);
    this.nextStarCloser = new Int32Array(n + 2).fill(n);
    this.nextUnderscoreCloser = new Int32Array(n + 2).fill(n);
    for (let j = n - 1; j >= 0; j--) {
      const ch = line[j];
      this.nextBacktick[j] = ch === '`' ? j : this.nextBacktick[j + 1];
      this.nextDoubleStar[j] = ch === '*' && line[j + 1] === '*' ? j : this.nextDoubleStar[j + 1];
      // A closer is not preceded by a space; `_` also not followed by a letter or digit (snake_case).
      this.nextStarCloser[j] = ch === '*' && line[j - 1] !== ' ' ? j : this.nextStarCloser[j + 1];
      this.nextUnderscoreCloser[j] = ch === '_' && line[j - 1] !== ' ' && !isWordChar(line[j + 1]) ? j : this.nextUnderscoreCloser[j + 1];
    }
  }

  parse(start: number, end: number): Inline[] {
    const line = this.line;
    // Characters outside [start, end) do not exist for this span, as if it were its own line.
    const at = (k: number): string | undefined => (k >= start && k < end ? line[k] : undefined);
    const out: Inline[] = [];
    let textStart = start;
    const pushText = (upTo: number) => {
      this.meter.steps += upTo - textStart;
      if (upTo > textStart) out.push({ type: 'text', text: line.slice(textStart, upTo) });
    };
    let i = start;
    while (i < end) {
      this.meter.steps++;
      const ch = line[i];
      if (ch === '`') {
        const close = this.nextBacktick[i + 1];
        if (close > i + 1 && close < end) {
          pushText(i);
          this.meter.steps += close - i;
          out.push({ type: 'code', text: line.slice(i + 1, close) });
          i = textStart = close + 1;
          continue;
        }
      }
      if (ch === '*' && at(i + 1) === '*') {
        const close = this.nextDoubleStar[i + 2];
        if (close > i + 2 && close + 1 < end) {
          pushText(i);
          out.push({ type: 'strong', children: this.parse(i + 2, close) });
          i = textStart = close + 2;
          continue;
        }
      }
      if ((ch === '*' || ch === '_') && at(i + 1) !== ch && at(i + 1) !== ' ' && (ch === '*' || !isWordChar(at(i - 1)))) {
        const close = (ch === '*' ? this.nextStarCloser : this.nextUnderscoreCloser)[i + 1];
        if (close > i + 1 && close < end) {
          pushText(i);
          out.push({ type: 'em', children: this.parse(i + 1, close) });
          i = textStart = close + 1;
          continue;
        }
      }
      if (ch === 'h' && !/\w/.test(at(i - 1) ?? ' ')) {
        const href = this.urlAt(i, end);
        if (href !== undefined) {
          pushText(i);
          out.push({ type: 'link', href, text: href });
          i = textStart = i + href.length;
          continue;
        }
      }
      i++;
    }
    pushText(end);
    return out;
  }

  /** The http(s) address starting at `from`, without trailing punctuation (it belongs to the sentence). */
  private urlAt(from: number, end: number): string | undefined {
    const line = this.line;
    const scheme = line.startsWith('https://', from) ? 8 : line.startsWith('http://', from) ? 7 : 0;
    if (scheme === 0 || from + scheme > end) return undefined;
    let stop = from + scheme;
    while (stop < end && !URL_STOP.test(line[stop])) stop++;
    this.meter.steps += 2 * (stop - from); // scanned, then scanned back or copied
    if (stop === from + scheme) return undefined;
    while (TRAILING_PUNCTUATION.has(line[stop - 1])) stop--;
    return line.slice(from, stop);
  }
}

/** Characters that end a bare address. */
const URL_STOP = /[\s<>"'`]/;
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', ')', ']']);

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9]/.test(ch);
}

/** Only absolute http(s) addresses become links; `javascript:`, `data:` and the rest never do. */
export function isSafeHref(href: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(href);
}
