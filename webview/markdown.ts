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

const FENCE = /^\s{0,3}```\s*([A-Za-z0-9_+.#-]*)\s*$/;
const FENCE_CLOSE = /^\s{0,3}```\s*$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', lines: paragraph.map(parseInline) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (open) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !FENCE_CLOSE.test(lines[i])) body.push(lines[i++]);
      // An unclosed fence runs to the end of the message, as in CommonMark.
      blocks.push({ type: 'codeblock', lang: open[1], text: body.join('\n') });
      continue;
    }
    if (lines[i].trim() === '') flush();
    else paragraph.push(lines[i]);
  }
  flush();
  return blocks;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/y;

/** Inline spans of one line. Delimiters without a partner stay literal. */
export function parseInline(line: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const pushText = () => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === '`') {
      const end = line.indexOf('`', i + 1);
      if (end > i + 1) {
        pushText();
        out.push({ type: 'code', text: line.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (line.startsWith('**', i)) {
      const end = line.indexOf('**', i + 2);
      if (end > i + 2) {
        pushText();
        out.push({ type: 'strong', children: parseInline(line.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && line[i + 1] !== ch && line[i + 1] !== ' ' && (ch === '*' || !isWordChar(line[i - 1]))) {
      const end = findClosing(line, ch, i + 1);
      if (end > i + 1) {
        pushText();
        out.push({ type: 'em', children: parseInline(line.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && !isWordChar(line[i - 1])) {
      URL_PATTERN.lastIndex = i;
      const match = URL_PATTERN.exec(line);
      if (match) {
        // Trailing punctuation belongs to the sentence, not the address.
        const href = match[0].replace(/[.,;:!?)\]]+$/, '');
        pushText();
        out.push({ type: 'link', href, text: href });
        i += href.length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  pushText();
  return out;
}

function findClosing(line: string, delimiter: string, from: number): number {
  for (let j = from; j < line.length; j++) {
    if (line[j] === delimiter && line[j - 1] !== ' ' && (delimiter === '*' || !isWordChar(line[j + 1]))) return j;
  }
  return -1;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9]/.test(ch);
}

/** Only absolute http(s) addresses become links; `javascript:`, `data:` and the rest never do. */
export function isSafeHref(href: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(href);
}
