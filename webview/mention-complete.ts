/**
 * @mention completion in the composer: typing `@` and the start of a name offers matching
 * classmates in a list under the composer (ARIA combobox: the textarea owns a listbox and names
 * the highlighted option). Arrow keys move, Tab or Enter inserts "@name ", Escape closes.
 */
import { EVERYONE_ID } from './protocol';
import { el } from './render-element';
import type { ViewState } from './view-state';

/** Names offered at once. */
const MAX_OPTIONS = 8;
/** An `@` at the start or after a non-name character (so "bob@school" offers nothing), then a partial name, right before the caret. */
const MENTION_BEFORE_CARET = /(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,32})$/;

export class MentionComplete {
  readonly listbox = el('ul', 'mention-list');
  private options: string[] = [];
  private selected = 0;
  /** Where the `@` is, while the list is open. */
  private at = -1;

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly names: () => string[],
  ) {
    this.listbox.id = 'mention-list';
    this.listbox.setAttribute('role', 'listbox');
    this.listbox.setAttribute('aria-label', 'Classmates to mention');
    this.listbox.hidden = true;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', this.listbox.id);
    input.setAttribute('aria-expanded', 'false');
    // mousedown, not click: the textarea keeps focus and its caret.
    this.listbox.addEventListener('mousedown', (event) => {
      const option = (event.target as Element).closest<HTMLElement>('[role="option"]');
      if (!option) return;
      event.preventDefault();
      this.insert(Number(option.dataset.index));
    });
    input.addEventListener('blur', () => this.close());
  }

  /** The text or caret changed: open, narrow or close the list. */
  update(): void {
    const before = this.input.value.slice(0, this.input.selectionStart ?? this.input.value.length);
    const match = MENTION_BEFORE_CARET.exec(before);
    if (!match || this.input.selectionStart !== this.input.selectionEnd) return this.close();
    const prefix = match[1].toLowerCase();
    const options = this.names()
      .filter((name) => name.toLowerCase().startsWith(prefix))
      .sort((a, b) => a.localeCompare(b))
      .slice(0, MAX_OPTIONS);
    if (options.length === 0) return this.close();
    const previous = this.options[this.selected];
    this.options = options;
    this.selected = Math.max(0, options.indexOf(previous ?? ''));
    this.at = before.length - match[1].length - 1;
    this.draw();
  }

  /** Keys while the list is open; true when the key was for the list. */
  onKeydown(event: KeyboardEvent): boolean {
    if (this.listbox.hidden || event.isComposing) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.selected = (this.selected + step + this.options.length) % this.options.length;
        this.draw();
        break;
      }
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        this.insert(this.selected);
        break;
      case 'Escape':
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  close(): void {
    this.options = [];
    this.at = -1;
    this.listbox.hidden = true;
    this.listbox.replaceChildren();
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private insert(index: number): void {
    const name = this.options[index];
    if (name === undefined || this.at < 0) return;
    const caret = this.input.selectionStart ?? this.input.value.length;
    const value = this.input.value;
    const inserted = `@${name} `;
    this.input.value = value.slice(0, this.at) + inserted + value.slice(caret);
    const end = this.at + inserted.length;
    this.input.setSelectionRange(end, end);
    this.close();
    // Drafts listen for input.
    this.input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  private draw(): void {
    this.listbox.replaceChildren(
      ...this.options.map((name, index) => {
        const option = el('li', 'mention-option', `@${name}`);
        option.id = `mention-option-${index}`;
        option.dataset.index = String(index);
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', String(index === this.selected));
        return option;
      }),
    );
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.setAttribute('aria-activedescendant', `mention-option-${this.selected}`);
  }
}

/** Classmates to @mention: those in the conversation list and whoever wrote in the open conversation, not this user. */
export function mentionCandidates(state: Pick<ViewState, 'conversations' | 'messages' | 'connection'>): string[] {
  const names = new Set(state.conversations.filter((c) => c.id !== EVERYONE_ID && !c.id.startsWith('#')).map((c) => c.id));
  for (const m of state.messages) if (!m.system && !m.plain) names.add(m.from);
  if (state.connection.me) names.delete(state.connection.me);
  return [...names];
}
