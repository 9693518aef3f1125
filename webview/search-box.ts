/**
 * The panel's search box (issue 16, item 6): typing asks the host (which holds the index of
 * every message shown, decrypted ones included) and lists what it found: sender, conversation,
 * date and the words around the match, highlighted. Choosing a result (click, or arrows and
 * Enter) hands it to `choose`; Escape closes the list. Text from messages only ever goes in as
 * text nodes.
 */
import { renderIsolated } from './isolated-text';
import type { SearchHitView } from './protocol';
import { MAX_SEARCH_CHARS } from './protocol';
import { el } from './render-element';

/** Wait this long after the last key before asking (fast typists send one query, not five). */
export const SEARCH_DEBOUNCE_MS = 120;

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export interface SearchBoxActions {
  search(query: string): void;
  choose(hit: SearchHitView): void;
}

export class SearchBox {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly results: HTMLOListElement;
  private readonly summary: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The query whose answer is awaited (answers for others are stale). */
  private asked = '';

  constructor(private readonly actions: SearchBoxActions) {
    this.element = el('search', 'search');
    this.input = el('input', 'search-input');
    this.input.type = 'search';
    this.input.maxLength = MAX_SEARCH_CHARS;
    this.input.placeholder = 'Search messages (from:bob in:#lab-3)';
    this.input.setAttribute('aria-label', 'Search messages');
    this.input.setAttribute('aria-controls', 'search-results');
    this.summary = el('p', 'search-summary');
    this.summary.setAttribute('role', 'status');
    this.summary.hidden = true;
    this.results = el('ol', 'search-results');
    this.results.id = 'search-results';
    this.results.setAttribute('aria-label', 'Search results');
    this.results.hidden = true;
    this.element.append(this.input, this.summary, this.results);

    this.input.addEventListener('input', () => this.typed());
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        this.resultButtons()[0]?.focus();
      } else if (event.key === 'Escape') {
        this.clear();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        this.resultButtons()[0]?.click();
      }
    });
    this.results.addEventListener('keydown', (event) => this.moveFocus(event));
  }

  focus(): void {
    this.input.focus();
  }

  /** The host's answer: shown only if it is for what the box says now. */
  showResults(query: string, hits: readonly SearchHitView[]): void {
    if (query !== this.asked || query !== this.input.value.trim()) return;
    this.results.replaceChildren(...hits.map((hit) => this.renderHit(hit)));
    this.results.hidden = hits.length === 0;
    this.summary.hidden = false;
    this.summary.textContent = hits.length === 0 ? `No messages found for “${query}”.` : `${hits.length} message${hits.length === 1 ? '' : 's'} found`;
  }

  /** Empties the box and closes the list. */
  clear(): void {
    clearTimeout(this.timer);
    this.input.value = '';
    this.asked = '';
    this.close();
    this.input.focus();
  }

  private close(): void {
    this.results.replaceChildren();
    this.results.hidden = true;
    this.summary.hidden = true;
  }

  private typed(): void {
    clearTimeout(this.timer);
    const query = this.input.value.trim();
    if (query === '') {
      this.asked = '';
      this.close();
      return;
    }
    this.timer = setTimeout(() => {
      this.asked = query;
      this.actions.search(query);
    }, SEARCH_DEBOUNCE_MS);
  }

  private renderHit(hit: SearchHitView): HTMLLIElement {
    const item = el('li', 'search-result');
    const button = el('button', 'search-hit');
    button.type = 'button';
    button.dataset.conversation = hit.conversation;
    button.dataset.seq = String(hit.seq);
    const meta = el('span', 'search-meta');
    const sender = el('span', 'search-sender');
    sender.append(renderIsolated(hit.from));
    const where = el('span', 'search-where', hit.conversation === '*' ? 'in Everyone' : hit.conversation.startsWith('#') ? `in ${hit.title}` : `with ${hit.title}`);
    const time = el('time', 'search-time', DATE_TIME.format(hit.ts));
    time.dateTime = new Date(hit.ts).toISOString();
    meta.append(sender, ' ', where, ' · ', time);
    button.append(meta, renderSnippet(hit.snippet, hit.marks));
    button.addEventListener('click', () => {
      this.close();
      this.actions.choose(hit);
    });
    item.append(button);
    return item;
  }

  private resultButtons(): HTMLButtonElement[] {
    return Array.from(this.results.querySelectorAll<HTMLButtonElement>('.search-hit'));
  }

  private moveFocus(event: KeyboardEvent): void {
    const buttons = this.resultButtons();
    const at = buttons.findIndex((b) => b === document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
      this.input.focus();
    } else if (event.key === 'ArrowDown' && at >= 0) {
      event.preventDefault();
      buttons[Math.min(at + 1, buttons.length - 1)].focus();
    } else if (event.key === 'ArrowUp' && at >= 0) {
      event.preventDefault();
      if (at === 0) this.input.focus();
      else buttons[at - 1].focus();
    }
  }
}

/** The snippet as text with <mark> around the matching words; marks out of range are ignored. */
export function renderSnippet(text: string, marks: ReadonlyArray<readonly [number, number]>): HTMLElement {
  const line = el('span', 'search-snippet');
  let at = 0;
  for (const [start, end] of marks) {
    if (start < at || end <= start || end > text.length) continue;
    if (start > at) line.append(text.slice(at, start));
    line.append(el('mark', undefined, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) line.append(text.slice(at));
  return line;
}
