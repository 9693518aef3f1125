/**
 * highlight.js's result turned into elements without innerHTML: its output is only
 * `<span class="…">`, `</span>` and escaped text, so anything else means "not ours" and the code
 * stays plain text. Class names are kept only when they are plain words (hljs-keyword, …).
 */
import { el } from './render-element';

const TOKEN = /<span class="([A-Za-z0-9_ -]{1,80})">|<\/span>|[^<]+/gy;
const ENTITY = /&(amp|lt|gt|quot|#x27|#39);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" };

/** The nodes for `markup`, or undefined when it holds anything but spans and text. */
export function highlightedNodes(markup: string): DocumentFragment | undefined {
  const root = document.createDocumentFragment();
  const open: Array<DocumentFragment | HTMLElement> = [root];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < markup.length) {
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(markup);
    if (!match) return undefined;
    at = TOKEN.lastIndex;
    const [token, classes] = match;
    const parent = open[open.length - 1];
    if (classes !== undefined) {
      const span = el('span', classes);
      parent.append(span);
      open.push(span);
    } else if (token === '</span>') {
      if (open.length === 1) return undefined;
      open.pop();
    } else {
      if (/&(?!(amp|lt|gt|quot|#x27|#39);)/.test(token)) return undefined;
      parent.append(token.replace(ENTITY, (_, name: string) => ENTITIES[name]));
    }
  }
  return open.length === 1 ? root : undefined;
}
