/**
 * Text for VS Code's notifications, modals, quick picks, input boxes and progress that cannot
 * form a link, whatever a classmate or the server put in it (issue 14, item 1).
 *
 * VS Code turns `[label](https://…)`, `[label](command:…)` and `[label](file:…)` in a
 * notification into a clickable link (`parseLinkedText` in vs/base/common/linkedText.ts, case
 * insensitive). It honours no backslash escapes, so markdown escaping does not help: a link
 * needs `]` directly followed by `(`, and a scheme directly followed by its colon. An invisible
 * WORD JOINER (U+2060) between each such pair breaks both, and the text reads the same.
 */

/** Invisible, and unlike a zero-width space it adds no line-break opportunity. */
export const WORD_JOINER = '\u2060';

/** Schemes VS Code links (https?, command, file) and those it hands to handlers (vscode*). */
const SCHEME_COLON = /(https?|command|file|vscode[a-z-]*)(?=:)/gi;

/** `text` with no `](` and no link scheme left intact: nothing in it can become a link. */
export function unlinked(text: string): string {
  return text.replaceAll('](', `]${WORD_JOINER}(`).replace(SCHEME_COLON, `$1${WORD_JOINER}`);
}
