/**
 * The row of conversation chips (presence dot, title, unread badge) and the bar under it saying
 * what the open conversation's encryption is worth, with the actions for a key that changed.
 */
import type { ConversationSummary, WebviewMessage } from './protocol';
import { EVERYONE_ID } from './protocol';
import { el } from './render-element';
import { renderRoomHeader } from './room-header';

export function renderChips(conversations: readonly ConversationSummary[], active: string, open: (id: string) => void): HTMLElement[] {
  return conversations.map((conversation) => {
    const chip = el('button', 'chip');
    chip.type = 'button';
    chip.dataset.id = conversation.id;
    chip.classList.toggle('active', conversation.id === active);
    chip.setAttribute('aria-pressed', String(conversation.id === active));
    if (conversation.online !== undefined) {
      const dot = el('span', conversation.online ? 'presence online' : 'presence offline');
      dot.title = conversation.online ? 'online' : 'offline';
      chip.append(dot);
    }
    chip.append(el('span', 'chip-title', conversation.title));
    if (conversation.unread > 0) {
      const badge = el('span', 'badge', String(conversation.unread));
      badge.setAttribute('aria-label', `${conversation.unread} unread`);
      chip.append(badge);
    }
    chip.addEventListener('click', () => open(conversation.id));
    return chip;
  });
}

export function renderKeyBar(summary: ConversationSummary | undefined, post: (message: WebviewMessage) => void): Node[] {
  const button = (label: string, message: WebviewMessage) => {
    const b = el('button', 'key-action', label);
    b.type = 'button';
    b.addEventListener('click', () => post(message));
    return b;
  };
  if (summary?.id.startsWith('#')) return renderRoomHeader(summary, post);
  if (!summary || summary.id === EVERYONE_ID) return [el('span', undefined, 'Messages to everyone are not end-to-end encrypted: the server can read them.')];
  const name = summary.title;
  switch (summary.key) {
    case 'key_changed':
      return [
        el('span', undefined, `⚠ ${name}'s key changed. It may be a new setup, or someone pretending to be ${name}. Compare safety numbers before you accept it.`),
        button('Compare safety numbers…', { type: 'verify', conversation: summary.id }),
        button('Accept new key', { type: 'acceptKey', conversation: summary.id }),
      ];
    case 'verified':
      return [el('span', undefined, `🔒 End-to-end encrypted · ${name}'s key verified`)];
    case 'pinned':
      return [el('span', undefined, `🔒 End-to-end encrypted · key not verified`), button('Verify…', { type: 'verify', conversation: summary.id })];
    case 'no_key':
      return [el('span', undefined, `${name} uses a plain-text client: private messages to them cannot be encrypted.`)];
    default:
      return [el('span', undefined, `🔒 Private messages are end-to-end encrypted.`)];
  }
}
