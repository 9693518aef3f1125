/**
 * A file offer as a card in the conversation: name, size, direction, where the transfer stands,
 * and the buttons that fit (Save…/Decline on an incoming offer, Cancel while moving). The name
 * comes from another person: it reaches the page only as textContent. Buttons carry
 * data-file-action; main.ts turns a click into the message for the host.
 */
import { isolateText } from './direction-controls';
import { renderIsolated } from './isolated-text';
import { cardStatus, formatBytes } from './file-format';
import type { FileCardView, WebviewMessage } from './protocol';
import { el } from './render-element';

export type FileAction = Extract<WebviewMessage, { type: 'acceptFile' | 'declineFile' | 'cancelFile' }>['type'];

export function renderFileCard(card: FileCardView): HTMLElement {
  const root = el('div', 'file-card');
  root.dataset.file = card.file;
  root.dataset.state = card.state;
  root.dataset.direction = card.direction;

  const icon = el('span', 'file-icon', card.direction === 'incoming' ? '⬇' : '⬆');
  icon.setAttribute('aria-hidden', 'true');
  const info = el('div', 'file-info');
  // Isolated, with direction controls shown and flagged: "\u202Efdp.exe" must not read "exe.pdf".
  const shownName = isolateText(card.name).shown;
  const name = renderIsolated(card.name, 'file-name');
  if (!name.title) name.title = shownName;
  const meta = el('span', 'file-meta', `${formatBytes(card.size)} · ${card.direction === 'incoming' ? 'from' : 'to'} `);
  meta.append(renderIsolated(card.peer));
  const status = el('span', 'file-status', cardStatus(card));
  status.setAttribute('role', 'status');
  info.append(name, meta, status);
  if (card.state === 'sending' || card.state === 'receiving') {
    const bar = el('progress', 'file-progress');
    bar.max = 100;
    bar.value = card.percent ?? 0;
    bar.setAttribute('aria-label', `${shownName}: ${card.percent ?? 0}%`);
    info.append(bar);
  }
  root.append(icon, info);
  const preview = previewImage(card, shownName);
  if (preview) root.append(preview);

  const actions = el('div', 'file-actions');
  if (card.direction === 'incoming' && card.state === 'offered') actions.append(button('Save…', 'acceptFile', card.file), button('Decline', 'declineFile', card.file));
  if (card.state === 'sending' || card.state === 'receiving') actions.append(button('Cancel', 'cancelFile', card.file));
  if (actions.childElementCount > 0) root.append(actions);
  return root;
}

/** The host makes previews from checked bytes; a URL of any other form is still never loaded. */
const PREVIEW_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

function previewImage(card: FileCardView, shownName: string): HTMLImageElement | undefined {
  if (card.preview === undefined || !PREVIEW_URL.test(card.preview)) return undefined;
  const image = el('img', 'file-preview');
  image.alt = `Preview of ${shownName}`;
  image.src = card.preview;
  return image;
}

function button(label: string, action: FileAction, file: string): HTMLButtonElement {
  const b = el('button', 'file-action', label);
  b.type = 'button';
  b.dataset.fileAction = action;
  b.dataset.file = file;
  return b;
}

/** The host message for a click on a card button, or undefined when the click was elsewhere. */
export function fileActionOf(target: EventTarget | null): WebviewMessage | undefined {
  if (!(target instanceof Element)) return undefined;
  const b = target.closest<HTMLButtonElement>('button[data-file-action]');
  const file = b?.dataset.file;
  const action = b?.dataset.fileAction;
  if (!b || b.disabled || file === undefined) return undefined;
  if (action === 'acceptFile' || action === 'declineFile' || action === 'cancelFile') return { type: action, file };
  return undefined;
}
