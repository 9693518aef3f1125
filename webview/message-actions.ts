/**
 * Per-message actions: Reply, React, Edit, Delete, Copy, in a toolbar that appears on the message
 * under the mouse or with focus. Messages are focusable (one tab stop for the list, arrow keys
 * move between them); on a message, Enter opens its toolbar, R replies, E edits, Delete deletes,
 * Escape goes to the composer. React offers six emoji and any other; Delete asks first.
 */
import { type ActionKind, actionsFor } from './message-permissions';
import type { MessageView, WebviewMessage } from './protocol';
import { reactionOf } from './reactions';
import { el } from './render-element';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '👀'] as const;

// Symbols that common UI fonts have (emoji like 🗑 show as boxes where no emoji font is installed).
const LABELS: Record<ActionKind, [icon: string, name: string]> = {
  reply: ['↩', 'Reply'],
  react: ['☺', 'React'],
  edit: ['✎', 'Edit'],
  delete: ['✕', 'Delete'],
  copy: ['❏', 'Copy text'],
};

export interface MessageActionsHost {
  rows: HTMLElement;
  messageOf(key: string): MessageView | undefined;
  /** This user may delete anyone's server-readable message in the open conversation. */
  moderate(): boolean;
  conversation(): string;
  reply(message: MessageView): void;
  edit(message: MessageView): void;
  post(message: WebviewMessage): void;
  focusComposer(): void;
}

export class MessageActions {
  private readonly toolbar = el('div', 'message-actions');
  /** The reaction picker or the delete confirmation, under the message. */
  private readonly panel = el('div', 'message-action-panel');
  /** The row holding the toolbar, and the row that is the list's tab stop. */
  private attachedKey: string | undefined;
  private tabStopKey: string | undefined;
  /** Where focus was in the rows, to put it back when a redraw replaces that row. */
  private focused: { key: string; action?: string } | undefined;

  constructor(private readonly host: MessageActionsHost) {
    this.toolbar.setAttribute('role', 'toolbar');
    this.toolbar.setAttribute('aria-label', 'Message actions');
    this.panel.hidden = true;
    const rows = host.rows;
    rows.addEventListener('mouseover', (event) => {
      const row = rowOf(event.target);
      // The toolbar stays where the keyboard is using it.
      if (row && row.dataset.key !== this.attachedKey && this.panel.hidden && !this.toolbar.contains(document.activeElement)) this.attach(row);
    });
    rows.addEventListener('focusin', (event) => this.onFocusIn(event));
    rows.addEventListener('focusout', (event) => {
      const left = event.target;
      // A row removed by a redraw loses focus too: only a move the user made forgets where it was.
      setTimeout(() => {
        if (left instanceof Element && left.isConnected && !rows.contains(document.activeElement)) this.focused = undefined;
      }, 0);
    });
    rows.addEventListener('keydown', (event) => this.onKeydown(event));
    rows.addEventListener('click', (event) => this.onClick(event));
  }

  /** After rows were drawn or redrawn: one tab stop, and the toolbar and focus back on a redrawn row. */
  rowsChanged(): void {
    const rows = Array.from(this.host.rows.querySelectorAll<HTMLElement>('.message'));
    const stop = (this.tabStopKey !== undefined && this.rowByKey(this.tabStopKey)) || rows[rows.length - 1];
    for (const row of rows) setTabbable(row, row === stop);
    if (this.attachedKey !== undefined && !this.toolbar.isConnected) {
      const row = this.rowByKey(this.attachedKey);
      if (row) this.attach(row, !this.panel.hidden);
      else this.detach();
    }
    const focused = this.focused;
    if (focused && !this.host.rows.contains(document.activeElement)) {
      const row = this.rowByKey(focused.key);
      const button = focused.action ? this.toolbar.querySelector<HTMLElement>(`[data-action="${focused.action}"]`) : null;
      if (button && row?.contains(button)) button.focus();
      else row?.focus();
    }
  }

  /** Focuses the row of `key`; false when it is not drawn. */
  focusMessage(key: string): boolean {
    const row = this.rowByKey(key);
    row?.focus();
    return row !== null;
  }

  private onFocusIn(event: FocusEvent): void {
    const row = rowOf(event.target);
    const key = row?.dataset.key;
    if (!row || key === undefined) return;
    const action = event.target instanceof HTMLElement ? event.target.dataset.action : undefined;
    this.focused = { key, ...(action !== undefined && { action }) };
    if (this.tabStopKey !== key || row.tabIndex !== 0) {
      this.tabStopKey = key;
      for (const other of Array.from(this.host.rows.querySelectorAll<HTMLElement>('.message[tabindex="0"]'))) setTabbable(other, false);
      setTabbable(row, true);
    }
    if (key !== this.attachedKey) this.attach(row);
  }

  private onKeydown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (this.panel.contains(target)) return this.onPanelKey(event);
    if (this.toolbar.contains(target)) return this.onToolbarKey(event, target);
    const row = rowOf(target);
    if (!row || target !== row) return;
    const message = this.host.messageOf(row.dataset.key ?? '');
    const allowed = message ? actionsFor(message, this.host.moderate()) : [];
    const shortcut = (kind: ActionKind) => (allowed.includes(kind) && message ? (this.run(kind, message, row), true) : false);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
      case 'Home':
      case 'End':
        this.move(row, event.key);
        break;
      case 'Enter':
      case 'ContextMenu':
        this.attach(row);
        this.toolbar.querySelector<HTMLElement>('button')?.focus();
        break;
      case 'F10':
        if (!event.shiftKey) return;
        this.attach(row);
        this.toolbar.querySelector<HTMLElement>('button')?.focus();
        break;
      case 'Escape':
        this.host.focusComposer();
        break;
      case 'r':
      case 'R':
        handled = shortcut('reply');
        break;
      case 'e':
      case 'E':
        handled = shortcut('edit');
        break;
      case 'Delete':
        handled = shortcut('delete');
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  private onToolbarKey(event: KeyboardEvent, target: HTMLElement): void {
    const buttons = Array.from(this.toolbar.querySelectorAll<HTMLElement>('button'));
    const index = buttons.indexOf(target);
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      buttons[(index + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
    } else if (event.key === 'Escape') {
      this.rowByKey(this.attachedKey ?? '')?.focus();
    } else {
      return;
    }
    event.preventDefault();
  }

  private onPanelKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    this.backToToolbar();
  }

  /** Closes the panel, focus back on the action that opened it (focused first: a hidden toolbar takes no focus). */
  private backToToolbar(): void {
    this.toolbar.querySelector<HTMLElement>(`[data-action="${this.panel.dataset.for}"]`)?.focus();
    this.closePanel();
  }

  private onClick(event: MouseEvent): void {
    const reaction = reactionOf(event.target);
    const row = rowOf(event.target);
    const message = row ? this.host.messageOf(row.dataset.key ?? '') : undefined;
    if (reaction && message?.seq !== undefined && actionsFor(message, false).includes('react')) {
      this.host.post({ type: 'react', conversation: this.host.conversation(), seq: message.seq, ...reaction });
      return;
    }
    const button = event.target instanceof Element ? event.target.closest<HTMLElement>('.message-actions button') : null;
    const kind = button?.dataset.action as ActionKind | undefined;
    if (!kind || !row || !message) return;
    this.run(kind, message, row);
  }

  private run(kind: ActionKind, message: MessageView, row: HTMLElement): void {
    const seq = message.seq;
    switch (kind) {
      case 'reply':
        return this.host.reply(message);
      case 'edit':
        return this.host.edit(message);
      case 'copy': {
        if (message.text !== undefined) this.host.post({ type: 'copy', text: message.text });
        const button = this.toolbar.querySelector<HTMLElement>('[data-action="copy"]');
        if (button) button.title = 'Copied';
        return;
      }
      case 'react':
        if (seq !== undefined) this.openReactionPicker(message, seq, row);
        return;
      case 'delete':
        if (seq !== undefined) this.openDeleteConfirmation(message, seq, row);
        return;
    }
  }

  private openReactionPicker(message: MessageView, seq: number, row: HTMLElement): void {
    const react = (emoji: string) => {
      this.host.post({ type: 'react', conversation: this.host.conversation(), seq, emoji, remove: false });
      row.focus();
      this.closePanel();
    };
    const quick = QUICK_REACTIONS.map((emoji) => {
      const b = button('reaction-choice', emoji, `React with ${emoji}`);
      b.addEventListener('click', () => react(emoji));
      return b;
    });
    const other = el('input', 'reaction-other');
    other.type = 'text';
    other.maxLength = 32;
    other.placeholder = 'other emoji';
    other.setAttribute('aria-label', 'Other emoji');
    const add = button('reaction-add', 'Add', 'Add this reaction');
    const addOther = () => {
      const emoji = other.value.trim();
      // The host and the protocol accept one emoji or short word: no spaces, at most 32 bytes.
      if (emoji === '' || /\s/.test(emoji) || new TextEncoder().encode(emoji).length > 32) {
        other.setAttribute('aria-invalid', 'true');
        other.title = 'One emoji or a short word, without spaces';
        return;
      }
      react(emoji);
    };
    add.addEventListener('click', addOther);
    other.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.isComposing) {
        event.preventDefault();
        addOther();
      }
    });
    this.openPanel('react', row, `React to ${message.from}'s message`, [...quick, other, add]);
    quick[0]?.focus();
  }

  private openDeleteConfirmation(message: MessageView, seq: number, row: HTMLElement): void {
    const confirm = button('confirm-delete', 'Delete', 'Delete the message for everyone');
    const cancel = button('cancel-delete', 'Cancel', 'Keep the message');
    confirm.addEventListener('click', () => {
      this.host.post({ type: 'delete', conversation: this.host.conversation(), seq });
      // The deleted message keeps no actions: focus goes on to its neighbour.
      const next = neighbour(row, 1) ?? neighbour(row, -1);
      if (next) next.focus();
      else this.host.focusComposer();
      this.closePanel();
    });
    cancel.addEventListener('click', () => this.backToToolbar());
    const question = message.mine ? 'Delete this message for everyone?' : `Delete ${message.from}'s message for everyone? They see it was removed by you.`;
    this.openPanel('delete', row, 'Confirm delete', [el('span', 'confirm-text', question), confirm, cancel]);
    cancel.focus();
  }

  private openPanel(kind: ActionKind, row: HTMLElement, label: string, children: HTMLElement[]): void {
    this.panel.replaceChildren(...children);
    this.panel.dataset.for = kind;
    this.panel.setAttribute('role', 'group');
    this.panel.setAttribute('aria-label', label);
    this.panel.hidden = false;
    this.toolbar.classList.add('open');
    row.append(this.panel);
    setTabbable(row, true);
  }

  private closePanel(): void {
    this.panel.hidden = true;
    this.panel.replaceChildren();
    this.panel.remove();
    this.toolbar.classList.remove('open');
  }

  /** Puts the toolbar on `row` with the actions its message allows (none: no toolbar). */
  private attach(row: HTMLElement, keepPanel = false): void {
    const key = row.dataset.key;
    const message = key === undefined ? undefined : this.host.messageOf(key);
    const kinds = message ? actionsFor(message, this.host.moderate()) : [];
    if (!keepPanel) this.closePanel();
    if (kinds.length === 0 || key === undefined) return this.detach();
    this.toolbar.replaceChildren(
      ...kinds.map((kind) => {
        const [icon, name] = LABELS[kind];
        const b = button('action', icon, name);
        b.dataset.action = kind;
        return b;
      }),
    );
    this.host.rows.querySelector('.has-actions')?.classList.remove('has-actions');
    row.classList.add('has-actions');
    row.append(this.toolbar);
    if (keepPanel && !this.panel.hidden) row.append(this.panel);
    this.attachedKey = key;
    setTabbable(row, row.tabIndex === 0);
  }

  private detach(): void {
    this.toolbar.remove();
    this.closePanel();
    this.host.rows.querySelector('.has-actions')?.classList.remove('has-actions');
    this.attachedKey = undefined;
  }

  private move(row: HTMLElement, key: string): void {
    const rows = Array.from(this.host.rows.querySelectorAll<HTMLElement>('.message'));
    const index = rows.indexOf(row);
    const to = key === 'Home' ? 0 : key === 'End' ? rows.length - 1 : index + (key === 'ArrowDown' ? 1 : -1);
    const next = rows[Math.max(0, Math.min(rows.length - 1, to))];
    next?.focus();
    next?.scrollIntoView({ block: 'nearest' });
  }

  private rowByKey(key: string): HTMLElement | null {
    return this.host.rows.querySelector<HTMLElement>(`.message[data-key="${CSS.escape(key)}"]`);
  }
}

/**
 * One message is the list's tab stop; Tab from it goes through its own controls (quote, links,
 * reactions, actions) and then out of the list, not through every message's controls.
 */
function setTabbable(row: HTMLElement, tabbable: boolean): void {
  row.tabIndex = tabbable ? 0 : -1;
  for (const control of Array.from(row.querySelectorAll<HTMLElement>('button, a[href], input'))) control.tabIndex = tabbable ? 0 : -1;
}

function rowOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>('.message') : null;
}

function neighbour(row: HTMLElement, direction: 1 | -1): HTMLElement | undefined {
  let at: Element | null = direction === 1 ? row.nextElementSibling : row.previousElementSibling;
  while (at && !at.classList.contains('message')) at = direction === 1 ? at.nextElementSibling : at.previousElementSibling;
  return at instanceof HTMLElement ? at : undefined;
}

function button(className: string, text: string, label: string): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  b.title = label;
  b.setAttribute('aria-label', label);
  return b;
}
