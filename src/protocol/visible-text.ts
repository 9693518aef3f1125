/**
 * Text from other people, made safe to write to a terminal or a line-oriented peer: every
 * character that could move the cursor, end a line, start an escape sequence or reorder what
 * is read (C0 and C1 controls, DEL, line separators, bidi marks and overrides) is replaced by
 * a visible stand-in, so nothing can forge a line or hide what it is. Tab stays.
 */

/** Bidi controls: embeddings and overrides (U+202A-202E), isolates (U+2066-2069), marks. */
const BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
const INVISIBLE_CONTROLS = new RegExp(`[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u2028\\u2029${BIDI}]`, 'g');

/** The text with every control except tab shown as a visible stand-in (ESC → ␛, CR → ␍, U+202E → <U+202E>). */
export function visibleControls(text: string): string {
  return text.replace(INVISIBLE_CONTROLS, standIn);
}

function standIn(ch: string): string {
  const code = ch.charCodeAt(0);
  // C0 controls have Unicode control pictures (U+2400-241F); DEL has U+2421.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}
