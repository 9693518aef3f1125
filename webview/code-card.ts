/**
 * A shared snippet (PROTOCOL.md section 23) as a card: file name, workspace-relative path and
 * lines, language, the code highlighted, and Copy, Open as Untitled, Compare with My File and Go
 * to My Copy. Everything on it comes from another person, so it reaches the page as textContent
 * and data attributes only; the host checks each request again (code-protocol.ts).
 */
import type { CodeSnippet } from '../src/protocol/code-snippets';
import { copyButton } from './code-block';
import type { CodeWebviewMessage } from './code-protocol';
import { highlightLater } from './highlight-loader';
import { renderIsolated } from './isolated-text';
import { el } from './render-element';

export function renderCodeCard(snippet: CodeSnippet): HTMLElement {
  const card = el('div', 'code-card');
  card.dataset.path = snippet.path;
  card.dataset.startLine = String(snippet.startLine);
  card.dataset.endLine = String(snippet.endLine);
  card.dataset.language = snippet.language;

  const lines = snippet.startLine === snippet.endLine ? `line ${snippet.startLine}` : `lines ${snippet.startLine}-${snippet.endLine}`;
  const header = el('header', 'code-card-header');
  header.append(renderIsolated(snippet.path.split('/').pop() ?? snippet.path, 'code-card-file'));
  const where = el('span', 'code-card-where');
  where.append(renderIsolated(snippet.path), ` · ${lines}`);
  header.append(where, el('span', 'code-card-language', snippet.language));

  const pre = el('pre', 'code-block code-card-code');
  const code = el('code', undefined, snippet.code);
  code.dataset.lang = snippet.language;
  pre.append(code);

  const actions = el('div', 'code-card-actions');
  actions.append(copyButton(), action('Open as Untitled', 'openUntitled'), action('Compare with My File', 'compareWithMine'), action('Go to My Copy', 'openFileAt'));
  card.append(header, pre, actions);
  highlightLater(code, snippet.language);
  return card;
}

function action(label: string, type: CodeWebviewMessage['type']): HTMLButtonElement {
  const button = el('button', 'code-action', label);
  button.type = 'button';
  button.dataset.codeAction = type;
  return button;
}

/** The host message for a click on a code button or file link, or undefined when the click was elsewhere. */
export function codeActionOf(target: EventTarget | null): CodeWebviewMessage | undefined {
  if (!(target instanceof Element)) return undefined;
  const link = target.closest<HTMLElement>('.file-link');
  if (link) {
    const { path, line, column } = link.dataset;
    if (path === undefined || line === undefined) return undefined;
    return { type: 'openFileAt', path, line: Number(line), ...(column === undefined ? {} : { column: Number(column) }) };
  }
  const button = target.closest<HTMLButtonElement>('button[data-code-action]');
  if (!button) return undefined;
  const holder = button.closest<HTMLElement>('.code-card, .code-block-wrapper');
  const code = holder?.querySelector('code')?.textContent ?? '';
  const card = holder?.classList.contains('code-card') ? holder.dataset : undefined;
  switch (button.dataset.codeAction) {
    case 'copyCode':
      return { type: 'copyCode', code };
    case 'openUntitled':
      return { type: 'openUntitled', language: card?.language ?? 'plaintext', code };
    case 'compareWithMine':
      if (!card?.path) return undefined;
      return { type: 'compareWithMine', path: card.path, startLine: Number(card.startLine), endLine: Number(card.endLine), language: card.language ?? 'plaintext', code };
    case 'openFileAt':
      if (!card?.path) return undefined;
      return { type: 'openFileAt', path: card.path, line: Number(card.startLine) };
    default:
      return undefined;
  }
}
