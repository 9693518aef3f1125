/**
 * Scrolling the chat to one message, by seq, and highlighting it: for a search result, and for
 * anything else that points at a message (a reply's quote). When the message is in another
 * conversation it asks to open that one first; when it is older than what is loaded it asks for
 * earlier pages until it appears (or history ends), then scrolls. main.ts tells it when the view
 * was redrawn from a snapshot or an older page.
 */
import type { MessageView } from './protocol';
import { messageKey } from './render';

/** How long the highlight stays, in ms. */
export const HIGHLIGHT_MS = 2500;
/** Pages of older history to ask for before giving up (the host keeps 1,000 messages per conversation). */
const MAX_OLDER_PAGES = 25;

export interface RevealView {
  /** The conversation on screen, its messages (oldest first) and whether older ones exist. */
  state(): { active: string; messages: readonly MessageView[]; more: boolean };
  /** The element holding the message rows (each with data-key = messageKey). */
  readonly rows: HTMLElement;
  open(conversation: string): void;
  loadOlder(conversation: string): void;
  /** The message cannot be shown: say so in words. */
  missing(text: string): void;
}

interface Pending {
  conversation: string;
  seq: number;
  pages: number;
  openRequested: boolean;
}

/** Scrolls the row with `key` into the middle of its list, highlights it and moves focus to it. True when found. */
export function scrollToMessage(rows: HTMLElement, key: string): boolean {
  const row = Array.from(rows.children).find((child): child is HTMLElement => child instanceof HTMLElement && child.dataset.key === key);
  if (!row) return false;
  row.scrollIntoView({ block: 'center' });
  row.classList.remove('revealed');
  // Re-adding the class restarts the highlight when the same message is revealed twice.
  void row.offsetWidth;
  row.classList.add('revealed');
  const highlighted = row;
  setTimeout(() => highlighted.classList.remove('revealed'), HIGHLIGHT_MS);
  // Focus follows, so a keyboard or screen reader user lands on the message.
  if (!row.hasAttribute('tabindex')) row.tabIndex = -1;
  row.focus({ preventScroll: true });
  return true;
}

export class MessageRevealer {
  private pending: Pending | undefined;

  constructor(private readonly view: RevealView) {}

  /** Shows the message with `seq` in `conversation`, now or once it is loaded. */
  reveal(conversation: string, seq: number): void {
    this.pending = { conversation, seq, pages: 0, openRequested: false };
    this.attempt();
  }

  /** The view drew a snapshot ('all') or a page of older messages ('older'): try again. */
  redrawn(kind: 'all' | 'older'): void {
    const pending = this.pending;
    if (!pending) return;
    // Another conversation was opened meanwhile (the user chose it): the reveal is moot.
    if (kind === 'all' && this.view.state().active !== pending.conversation) {
      this.pending = undefined;
      return;
    }
    this.attempt();
  }

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  private attempt(): void {
    const pending = this.pending;
    if (!pending) return;
    const state = this.view.state();
    if (state.active !== pending.conversation) {
      if (!pending.openRequested) {
        pending.openRequested = true;
        this.view.open(pending.conversation);
      }
      return;
    }
    pending.openRequested = false;
    const message = state.messages.find((m) => m.seq === pending.seq);
    if (message && scrollToMessage(this.view.rows, messageKey(message))) {
      this.pending = undefined;
      return;
    }
    const oldest = state.messages.find((m) => m.seq !== undefined)?.seq;
    const older = oldest === undefined || pending.seq < oldest;
    if (!message && state.more && older && pending.pages < MAX_OLDER_PAGES) {
      pending.pages++;
      this.view.loadOlder(pending.conversation);
      return;
    }
    this.pending = undefined;
    this.view.missing('That message is not in this conversation any more (deleted, or older than the history kept).');
  }
}
