/**
 * Highlights code elements once the highlighter bundle (dist/webview/highlight.js, next to
 * main.js) has loaded. It is fetched only when the first code block is drawn, by a script element
 * carrying this page's nonce, so the CSP still allows nothing but our own nonce'd scripts.
 */
import { HIGHLIGHTER_GLOBAL, type Highlighter } from './highlight-api';
import { highlightedNodes } from './highlight-dom';

/** Bigger code stays plain text: highlighting it would hold up the panel. */
export const MAX_HIGHLIGHT_CHARS = 20_000;

// Read while main.js runs: currentScript is only set during its first, synchronous run.
const mainScript = typeof document !== 'undefined' && document.currentScript instanceof HTMLScriptElement ? document.currentScript : undefined;

let loading: Promise<Highlighter | undefined> | undefined;

function loadHighlighter(): Promise<Highlighter | undefined> {
  loading ??= new Promise((resolve) => {
    const existing = (globalThis as Record<string, unknown>)[HIGHLIGHTER_GLOBAL] as Highlighter | undefined;
    if (existing || !mainScript?.src) {
      resolve(existing);
      return;
    }
    const script = document.createElement('script');
    script.nonce = mainScript.nonce ?? '';
    script.src = new URL('highlight.js', mainScript.src).href;
    script.addEventListener('load', () => resolve((globalThis as Record<string, unknown>)[HIGHLIGHTER_GLOBAL] as Highlighter | undefined));
    // Without the highlighter code stays readable plain text.
    script.addEventListener('error', () => resolve(undefined));
    document.head.append(script);
  });
  return loading;
}

/** Colours `code` (an element holding only the code as text) in `language`, when it can. */
export function highlightLater(code: HTMLElement, language: string): void {
  const text = code.textContent ?? '';
  if (language === '' || text.length === 0 || text.length > MAX_HIGHLIGHT_CHARS) return;
  void loadHighlighter().then((highlighter) => {
    let markup: string | undefined;
    try {
      markup = highlighter?.highlight(text, language);
    } catch {
      markup = undefined;
    }
    const nodes = markup === undefined ? undefined : highlightedNodes(markup);
    // Redrawn meanwhile, or not what we asked for: leave the text as it is.
    if (!nodes || code.textContent !== text || nodes.textContent !== text) return;
    code.replaceChildren(nodes);
    code.classList.add('hljs');
  });
}
