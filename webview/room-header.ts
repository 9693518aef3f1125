/**
 * The header of a room's conversation: its name, member count, what its encryption means, and a
 * read-only or "not joined" notice, with Join and Members buttons. Text only through textContent.
 */
import type { ConversationSummary, WebviewMessage } from './protocol';
import { el } from './render-element';

export function renderRoomHeader(summary: ConversationSummary, post: (message: WebviewMessage) => void): HTMLElement[] {
  const room = summary.room;
  if (!room) return [el('span', undefined, `${summary.title}: this room is not known yet.`)];
  const button = (label: string, message: WebviewMessage) => {
    const b = el('button', 'key-action', label);
    b.type = 'button';
    b.addEventListener('click', () => post(message));
    return b;
  };
  const name = el('strong', 'room-name', summary.title);
  const parts: HTMLElement[] = [name];
  if (room.members > 0) parts.push(el('span', 'room-members', `${room.members} member${room.members === 1 ? '' : 's'}`));
  parts.push(
    room.encrypted
      ? el('span', 'room-encryption encrypted', '🔒 encrypted')
      : el('span', 'room-encryption not-encrypted', 'not encrypted: the server can read it'),
  );
  if (room.readOnly) parts.push(el('span', 'room-read-only', 'read-only: teachers and TAs post here'));
  if (!room.member && room.kind === 'class') parts.push(button('Join', { type: 'joinRoom', room: summary.id }));
  parts.push(button('Members…', { type: 'roomMembers', room: summary.id }));
  return parts;
}
