/** What the lazily loaded highlighter bundle offers the page (both bundles import this). */

/** The global the highlighter bundle sets when it has run. */
export const HIGHLIGHTER_GLOBAL = '__classchatHighlighter';

export interface Highlighter {
  /** highlight.js's markup for `code`, or undefined when the language is not one it knows. */
  highlight(code: string, language: string): string | undefined;
}
