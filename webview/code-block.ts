/**
 * A fenced code block in a message: the code as text, a Copy button, and colours once the
 * highlighter has loaded. The language after the fence is only ever a data attribute and a
 * class-free label, so markup in it stays characters.
 */
import { highlightLater } from './highlight-loader';
import { el } from './render-element';

export function renderCodeBlock(language: string, text: string): HTMLElement {
  const wrapper = el('div', 'code-block-wrapper');
  const pre = el('pre', 'code-block');
  const code = el('code', undefined, text);
  if (language) code.dataset.lang = language;
  pre.append(code);
  wrapper.append(copyButton(), pre);
  highlightLater(code, language);
  return wrapper;
}

/** The Copy button of a block or card: main.ts turns its click into a copyCode message. */
export function copyButton(): HTMLButtonElement {
  const button = el('button', 'code-action code-copy', 'Copy');
  button.type = 'button';
  button.dataset.codeAction = 'copyCode';
  button.title = 'Copy the code';
  return button;
}
