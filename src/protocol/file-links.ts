/**
 * `path:line` and `path:line:col` in message text (PROTOCOL.md section 23): where a client may
 * offer to open a file of the reader's own workspace. Only relative paths with a file extension
 * count, and never one that leaves the workspace; the rest stays text.
 */
import { pathProblem } from './code-snippets';

export interface FileLink {
  /** Where the link is in the text: [start, end). */
  start: number;
  end: number;
  path: string;
  line: number;
  column?: number;
}

const MAX_LINKS = 50;
// A path: segments of word characters, dots and dashes, the last with an extension; then :line[:col].
const FILE_LINK = /(?<![\w./\\:-])((?:[\w.-]+\/)*[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9]{0,9}):(\d{1,7})(?::(\d{1,5}))?(?![\w:])/gu;

/** The file links in `text`, in order, at most 50. */
export function findFileLinks(text: string): FileLink[] {
  const links: FileLink[] = [];
  for (const match of text.matchAll(FILE_LINK)) {
    const [whole, path, line, column] = match;
    if (pathProblem(path) !== undefined || Number(line) < 1) continue;
    const start = match.index ?? 0;
    links.push({ start, end: start + whole.length, path, line: Number(line), ...(column !== undefined && Number(column) >= 1 ? { column: Number(column) } : {}) });
    if (links.length === MAX_LINKS) break;
  }
  return links;
}
