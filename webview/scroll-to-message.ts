/**
 * Bringing one message into view: scrolled to the middle of the list, highlighted briefly and
 * focused. When it is older than what is loaded, older pages are asked for until it shows up or
 * the history ends. Used by replies' quotes (and by anything else that opens a message).
 */
import type { MessageView } from './protocol';

/** How long a revealed message stays highlighted. */
export const HIGHLIGHT_MS = 2000;
/** Older pages asked for one reveal at most (50 messages each), so a lost message cannot load forever. */
const MAX_PAGES = 20;

/** Scrolls the row with `key` into view, highlights and focuses it; false when it is not drawn. */
export function scrollToMessage(rows: HTMLElement, key: string): boolean {
  const row = rows.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (!row) return false;
  row.scrollIntoView({ block: 'center' });
  row.classList.remove('highlighted');
  // Restart the highlight's animation when the same message is revealed twice in a row.
  void row.offsetWidth;
  row.classList.add('highlighted');
  setTimeout(() => row.classList.remove('highlighted'), HIGHLIGHT_MS);
  row.focus({ preventScroll: true });
  return true;
}

export interface RevealHost {
  rows: HTMLElement;
  /** The open conversation, its messages as loaded, and whether older ones exist. */
  conversation(): string;
  messages(): readonly MessageView[];
  more(): boolean;
  /** Asks the host for the next older page. */
  loadOlder(): void;
  /** The message is not to be found (deleted from history, or older than history keeps). */
  notFound(): void;
  /** Key of a message, as rows are keyed. */
  keyOf(message: MessageView): string;
}

/** Reveals a message of the open conversation, loading older pages as needed. */
export class MessageRevealer {
  private pending: { conversation: string; matches: (message: MessageView) => boolean; pages: number } | undefined;

  constructor(private readonly host: RevealHost) {}

  reveal(matches: (message: MessageView) => boolean): void {
    this.pending = { conversation: this.host.conversation(), matches, pages: 0 };
    this.step();
  }

  /** An older page was drawn: try again. */
  olderDrawn(): void {
    if (this.pending) this.step();
  }

  /** The conversation changed: a reveal for the old one is dropped. */
  cancel(): void {
    this.pending = undefined;
  }

  private step(): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.conversation !== this.host.conversation()) {
      this.pending = undefined;
      return;
    }
    const found = this.host.messages().find(pending.matches);
    if (found && scrollToMessage(this.host.rows, this.host.keyOf(found))) {
      this.pending = undefined;
      return;
    }
    if (!this.host.more() || pending.pages >= MAX_PAGES) {
      this.pending = undefined;
      this.host.notFound();
      return;
    }
    pending.pages++;
    this.host.loadOlder();
  }
}
