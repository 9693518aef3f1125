/**
 * Aids for reading a conversation: date separators (Today / Yesterday / a date), a "New messages"
 * line where the unread messages start with a button that jumps to it, the scroll position kept
 * per conversation while switching chips, and a polite live region that announces new messages
 * only (not history pages, redraws or the user's own).
 */
import { dayLabel } from './day-label';
import type { MessageView } from './protocol';
import { el } from './render-element';

/** Announcements kept in the live region (older ones were read or skipped already). */
const ANNOUNCED_KEPT = 5;
/** Characters of a message read out. */
const ANNOUNCE_CHARS = 200;

export interface ReadingAidsHost {
  list: HTMLElement;
  rows: HTMLElement;
  keyOf(message: MessageView): string;
  /** Focuses the row of `key` (the jump lands there for keyboard users). */
  focusMessage(key: string): void;
  now(): number;
}

export class ReadingAids {
  /** The jump button, drawn at the bottom of the list while the new line is out of view. */
  readonly jumpButton = el('button', 'jump-new', '↓ New messages');
  /** The live region: one line per new message. */
  readonly announcer = el('div', 'announcer');
  private newLineKey: string | undefined;
  private readonly positions = new Map<string, number | 'bottom'>();

  constructor(private readonly host: ReadingAidsHost) {
    this.jumpButton.type = 'button';
    this.jumpButton.setAttribute('aria-label', 'Jump to new messages');
    this.jumpButton.hidden = true;
    this.jumpButton.addEventListener('click', () => this.jump());
    this.announcer.setAttribute('role', 'log');
    this.announcer.setAttribute('aria-live', 'polite');
    this.announcer.setAttribute('aria-label', 'New messages');
    host.list.addEventListener('scroll', () => this.drawJumpButton(), { passive: true });
  }

  /** Leaving `conversation`: remember where the user was. */
  leaving(conversation: string, atBottom: boolean): void {
    this.positions.set(conversation, atBottom ? 'bottom' : this.host.list.scrollTop);
  }

  /**
   * `conversation` was opened with `messages` drawn; `unread` messages had not been read. The new
   * line goes above the first of them; the list goes back where it was, else to the new line, else to the end.
   */
  opened(conversation: string, messages: readonly MessageView[], unread: number): void {
    this.newLineKey = unread > 0 ? firstUnreadKey(messages, unread, this.host.keyOf) : undefined;
    this.draw(messages);
    const list = this.host.list;
    const saved = this.positions.get(conversation);
    const line = this.host.rows.querySelector<HTMLElement>('.new-line');
    if (typeof saved === 'number') list.scrollTop = saved;
    else if (saved === undefined && line) list.scrollTop = line.offsetTop - list.offsetTop - 8;
    else list.scrollTop = list.scrollHeight;
    this.drawJumpButton();
  }

  /**
   * A message just arrived in the open conversation (not a redraw). When the user is reading
   * further up, it starts the new line; either way it is announced unless it is theirs.
   */
  arrived(message: MessageView, atBottom: boolean): void {
    if (message.mine) {
      // Writing means the user has read up to here.
      this.newLineKey = undefined;
      return;
    }
    if (!atBottom && this.newLineKey === undefined) this.newLineKey = this.host.keyOf(message);
    this.announce(message);
  }

  /** Redraws the separators and the new line among the rows (after any change to them). */
  draw(messages: readonly MessageView[]): void {
    const rows = this.host.rows;
    for (const old of Array.from(rows.querySelectorAll('.date-separator, .new-line'))) old.remove();
    const byKey = new Map(messages.map((m) => [this.host.keyOf(m), m]));
    const now = this.host.now();
    let previousDay: string | undefined;
    for (const row of Array.from(rows.children)) {
      if (!(row instanceof HTMLElement)) continue;
      const message = byKey.get(row.dataset.key ?? '');
      if (!message) continue;
      const day = dayLabel(message.ts, now);
      if (day !== previousDay) row.before(el('h3', 'date-separator', day));
      previousDay = day;
      if (row.dataset.key === this.newLineKey) {
        const line = el('div', 'new-line', 'New messages');
        line.setAttribute('role', 'separator');
        line.setAttribute('aria-label', 'New messages');
        row.before(line);
      }
    }
    this.drawJumpButton();
  }

  private jump(): void {
    const line = this.host.rows.querySelector<HTMLElement>('.new-line');
    const key = this.newLineKey;
    if (!line || key === undefined) return;
    line.scrollIntoView({ block: 'start' });
    this.host.focusMessage(key);
    this.drawJumpButton();
  }

  /** Shown while there is a new line and it is above or below what the list shows. */
  private drawJumpButton(): void {
    const line = this.host.rows.querySelector<HTMLElement>('.new-line');
    if (!line) {
      this.jumpButton.hidden = true;
      return;
    }
    const view = this.host.list.getBoundingClientRect();
    const at = line.getBoundingClientRect();
    this.jumpButton.hidden = at.bottom > view.top && at.top < view.bottom;
  }

  private announce(message: MessageView): void {
    const what = message.deleted ? 'deleted a message' : message.file ? `sent a file: ${message.file.name}` : (message.text ?? message.problem ?? 'sent a message');
    const text = message.system ? what : `${message.from}: ${what}`;
    this.announcer.append(el('p', undefined, text.length > ANNOUNCE_CHARS ? `${text.slice(0, ANNOUNCE_CHARS)}…` : text));
    while (this.announcer.childElementCount > ANNOUNCED_KEPT) this.announcer.firstElementChild?.remove();
  }
}

/** The key of the first of the last `unread` messages from others (system lines are not counted, as the host does not count them). */
function firstUnreadKey(messages: readonly MessageView[], unread: number, keyOf: (message: MessageView) => string): string | undefined {
  let left = unread;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.mine || message.system) continue;
    left--;
    if (left === 0) return keyOf(message);
  }
  // More unread than loaded: the line goes above the oldest loaded message from others.
  const oldest = messages.find((m) => !m.mine && !m.system);
  return oldest ? keyOf(oldest) : undefined;
}
