/**
 * What code cards, code blocks and file links in the chat view ask of the host (issue 17), and
 * the host's check of each. Kept apart from protocol.ts so the code features stay in their own
 * modules; the host validates every field: a path must pass PROTOCOL.md section 23's rules (never
 * absolute, never leaving the workspace), a language must be a language id.
 */
import { MAX_SNIPPET_LINES, pathProblem } from '../src/protocol/code-snippets';

export type CodeWebviewMessage =
  /** Copy a code card's or code block's text. */
  | { type: 'copyCode'; code: string }
  /** A new untitled editor with the code, in its language. */
  | { type: 'openUntitled'; language: string; code: string }
  /** VS Code's diff: the shared lines put into my copy of `path`, against my copy. */
  | { type: 'compareWithMine'; path: string; startLine: number; endLine: number; language: string; code: string }
  /** Open `path` of my workspace at `line` (Go to My Copy, a `path:line` link). */
  | { type: 'openFileAt'; path: string; line: number; column?: number };

export type CodeMessageType = CodeWebviewMessage['type'];

/** Generous bound for code the view hands back: a message holds at most 16 KiB (protocol limits). */
export const MAX_CODE_CHARS = 64 * 1024;
const LANGUAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_+#.-]{0,31}$/u;
const MAX_LINE = 10_000_000;
const MAX_COLUMN = 100_000;

const CODE_TYPES: ReadonlySet<string> = new Set<CodeMessageType>(['copyCode', 'openUntitled', 'compareWithMine', 'openFileAt']);

/** True for a message of one of the types above, valid or not (the host then owns the answer). */
export function isCodeMessageType(value: unknown): boolean {
  return typeof value === 'object' && value !== null && CODE_TYPES.has(String((value as { type?: unknown }).type));
}

export type CodeMessageCheck = { ok: true; message: CodeWebviewMessage } | { ok: false; problem: string };

/** Checks a code message field by field; a bad one gets the reason, to show and to log. */
export function checkCodeMessage(value: unknown): CodeMessageCheck {
  if (!isCodeMessageType(value)) return { ok: false, problem: 'not a code message' };
  const m = value as Record<string, unknown>;
  const code = (): string | undefined => (typeof m.code === 'string' && m.code.length <= MAX_CODE_CHARS ? m.code : undefined);
  const language = typeof m.language === 'string' && LANGUAGE_ID.test(m.language) ? m.language : undefined;
  const line = (field: unknown, max: number): number | undefined => (typeof field === 'number' && Number.isInteger(field) && field >= 1 && field <= max ? field : undefined);
  const path = (): { path: string } | { problem: string } => {
    if (typeof m.path !== 'string') return { problem: 'no path' };
    const problem = pathProblem(m.path);
    return problem === undefined ? { path: m.path } : { problem };
  };
  switch (m.type) {
    case 'copyCode': {
      const text = code();
      return text === undefined ? { ok: false, problem: 'the code is missing or too long' } : { ok: true, message: { type: 'copyCode', code: text } };
    }
    case 'openUntitled': {
      const text = code();
      if (text === undefined) return { ok: false, problem: 'the code is missing or too long' };
      return { ok: true, message: { type: 'openUntitled', language: language ?? 'plaintext', code: text } };
    }
    case 'compareWithMine': {
      const where = path();
      if ('problem' in where) return { ok: false, problem: where.problem };
      const text = code();
      const startLine = line(m.startLine, MAX_LINE);
      const endLine = line(m.endLine, MAX_LINE);
      if (text === undefined || startLine === undefined || endLine === undefined || endLine < startLine || endLine - startLine >= MAX_SNIPPET_LINES) {
        return { ok: false, problem: 'the shared lines are not valid' };
      }
      return { ok: true, message: { type: 'compareWithMine', path: where.path, startLine, endLine, language: language ?? 'plaintext', code: text } };
    }
    case 'openFileAt': {
      const where = path();
      if ('problem' in where) return { ok: false, problem: where.problem };
      const at = line(m.line, MAX_LINE);
      if (at === undefined) return { ok: false, problem: 'the line is not valid' };
      const column = m.column === undefined ? undefined : line(m.column, MAX_COLUMN);
      if (m.column !== undefined && column === undefined) return { ok: false, problem: 'the column is not valid' };
      return { ok: true, message: { type: 'openFileAt', path: where.path, line: at, ...(column === undefined ? {} : { column }) } };
    }
    default:
      return { ok: false, problem: 'not a code message' };
  }
}
