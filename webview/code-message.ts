/** A message that is a shared snippet: the sender's question (markdown), then the code card. */
import { parseSnippetMessage } from '../src/protocol/code-snippets';
import { renderCodeCard } from './code-card';

/** Longer text is never taken for a snippet (a message holds at most 16 KiB; this bounds the parse). */
export const MAX_SNIPPET_MESSAGE_CHARS = 64 * 1024;

/** The question and card, or undefined when `text` is no snippet (then it is ordinary markdown). */
export function renderSnippetText(text: string, renderMarkdown: (source: string) => DocumentFragment): DocumentFragment | undefined {
  if (text.length > MAX_SNIPPET_MESSAGE_CHARS) return undefined;
  const parsed = parseSnippetMessage(text);
  if (!parsed) return undefined;
  const fragment = parsed.question === '' ? document.createDocumentFragment() : renderMarkdown(parsed.question);
  fragment.append(renderCodeCard(parsed.snippet));
  return fragment;
}
