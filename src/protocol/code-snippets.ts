/**
 * Code shared from an editor (PROTOCOL.md section 23): an ordinary message whose text ends with one
 * fenced block whose info string names the language, the workspace-relative path and the lines,
 * e.g. "```typescript src/app.ts:12-20". Clients that know the format show a code card; every
 * other reader (older clients, `nc`, the CLI) sees a readable fenced block with the path.
 */

export const MAX_SNIPPET_LINES = 400;
const MAX_PATH_LENGTH = 256;
const MAX_LINE_NUMBER = 10_000_000;
const LANGUAGE = /^[A-Za-z0-9][A-Za-z0-9_+#.-]{0,31}$/u;
/** Controls, and the invisible or direction-changing characters a path could hide behind. */
const UNSAFE_PATH_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\\]/u;

export interface CodeSnippet {
  /** A VS Code language id ("typescript", "python", "cpp"), or "text". */
  language: string;
  /** Workspace-relative, "/"-separated, never absolute and never leaving the workspace. */
  path: string;
  startLine: number;
  endLine: number;
  code: string;
}

export interface SnippetMessage {
  /** What the sender wrote above the code (may be empty). */
  question: string;
  snippet: CodeSnippet;
}

/** Why a path may not be shown as a link or used to open a file, or undefined when it is fine. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) return `a path is 1-${MAX_PATH_LENGTH} characters`;
  if (UNSAFE_PATH_CHARACTER.test(path)) return 'the path holds control, invisible or backslash characters';
  if (path.startsWith('/') || /^[A-Za-z]:/u.test(path) || path.startsWith('~')) return 'the path is absolute; only paths inside the workspace are shared';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return 'the path leaves the workspace ("..")';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'the path has an empty or "." part';
  return undefined;
}

/** Why a snippet cannot be sent, or undefined. */
export function snippetProblem(snippet: CodeSnippet): string | undefined {
  if (!LANGUAGE.test(snippet.language)) return `"${snippet.language.slice(0, 40)}" is not a language id`;
  const path = pathProblem(snippet.path);
  if (path) return path;
  const { startLine, endLine } = snippet;
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine || endLine > MAX_LINE_NUMBER) return 'the lines must be 1 <= start <= end';
  const lines = snippet.code.split('\n').length;
  if (lines > MAX_SNIPPET_LINES) return `at most ${MAX_SNIPPET_LINES} lines are shared at once (this is ${lines})`;
  return undefined;
}

/** Spaces and "%" in a path are percent-encoded, so the info string stays "language path:lines". */
function encodePath(path: string): string {
  return path.replace(/[% ]/gu, (character) => (character === '%' ? '%25' : '%20'));
}

function decodePath(encoded: string): string | undefined {
  if (/%(?!25|20)/iu.test(encoded)) return undefined;
  return encoded.replace(/%20/giu, ' ').replace(/%25/gu, '%');
}

/** The message text for a snippet and an optional question; throws RangeError on a bad snippet. */
export function formatSnippetMessage(question: string, snippet: CodeSnippet): string {
  const problem = snippetProblem(snippet);
  if (problem) throw new RangeError(problem);
  // A fence longer than any run of backticks inside, as CommonMark requires.
  const longestRun = Math.max(0, ...(snippet.code.match(/`+/gu) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const lines = snippet.startLine === snippet.endLine ? `${snippet.startLine}` : `${snippet.startLine}-${snippet.endLine}`;
  const code = snippet.code.replace(/\r\n?/gu, '\n').replace(/\n$/u, '');
  const head = question.trim() === '' ? '' : `${question.trim()}\n`;
  return `${head}${fence}${snippet.language} ${encodePath(snippet.path)}:${lines}\n${code}\n${fence}`;
}

const SNIPPET_AT_END = /(?:^|\n)(`{3,})([^\s`]+) (\S+):(\d{1,8})(?:-(\d{1,8}))?\n([\s\S]*?)\n?\1$/u;

/** The snippet a message carries, or undefined (then it is ordinary text). Never throws. */
export function parseSnippetMessage(text: string): SnippetMessage | undefined {
  const match = SNIPPET_AT_END.exec(text);
  if (!match) return undefined;
  const [whole, , language, encodedPath, start, end, code] = match;
  const path = decodePath(encodedPath);
  if (path === undefined) return undefined;
  const snippet: CodeSnippet = { language, path, startLine: Number(start), endLine: Number(end ?? start), code };
  if (snippetProblem(snippet)) return undefined;
  const question = text.slice(0, text.length - whole.length).trim();
  return { question, snippet };
}
