/**
 * What the Classmates tree's "Rooms" group shows, without vscode: the adapter in
 * classmates-view.ts turns these into TreeItems. Element ids cannot clash with classmates: user
 * names never start with "#", and the group and placeholder ids are not valid room names.
 */
import type { RoomView } from '../client/room-book';
import { MUTED_TEXT } from './classmate-items';

/** The "Rooms" group's element id. */
export const ROOMS_GROUP = '#';
/** The "no rooms yet" line's element id. */
export const NO_ROOMS = '#+';

export interface RoomItem {
  /** "#lab-3": the tree element and the conversation id. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** Codicon id. */
  icon: 'lock' | 'unlock' | 'add';
  /**
   * Drives the item's menus in package.json: `room.member.<group|class>` (Open, Leave, Add,
   * Remove, Members, Mute), then `.muted` when muted (Unmute), or `room.joinable` (Join).
   */
  contextValue: string;
}

/** The rooms this user is in, then the class rooms it may join; each by name. */
export function roomItems(mine: readonly RoomView[], joinable: readonly RoomView[], unread: (id: string) => number, muted: (id: string) => boolean = () => false): RoomItem[] {
  return [...mine.map((room) => memberItem(room, unread(`#${room.name}`), muted(`#${room.name}`))), ...joinable.map(joinableItem)];
}

export function noRoomsItem(): RoomItem {
  return {
    id: NO_ROOMS,
    label: 'No rooms yet',
    description: 'Create Room…',
    tooltip: 'Create a room for a lab team or study group: "ClassChat: Create Room".',
    icon: 'add',
    contextValue: 'room.none',
  };
}

function memberItem(room: RoomView, unread: number, muted: boolean): RoomItem {
  const parts = [
    ...(unread > 0 ? [`${unread} unread`] : []),
    room.encrypted ? 'encrypted' : 'not encrypted',
    ...(room.readOnly ? ['read-only'] : []),
    ...(room.members.length > 0 ? [members(room.members.length)] : []),
    ...(muted ? ['🔕 muted'] : []),
  ];
  const lines = [
    `#${room.name}: ${room.kind === 'class' ? 'a class room' : 'a group room'}${room.members.length > 0 ? ` with ${members(room.members.length)}` : ''}`,
    encryptionText(room.encrypted),
    room.readOnly ? 'Read-only: only teachers and TAs post here.' : undefined,
    unread > 0 ? `${unread} unread message${unread === 1 ? '' : 's'}` : undefined,
    muted ? MUTED_TEXT : undefined,
    'Click to open the conversation.',
  ];
  return {
    id: `#${room.name}`,
    label: `#${room.name}`,
    description: parts.join(' · '),
    tooltip: lines.filter((line) => line !== undefined).join('\n'),
    icon: room.encrypted ? 'lock' : 'unlock',
    contextValue: `room.member.${room.kind}${muted ? '.muted' : ''}`,
  };
}

function joinableItem(room: RoomView): RoomItem {
  const parts = ['class room', room.encrypted ? 'encrypted' : 'not encrypted', ...(room.readOnly ? ['read-only'] : []), 'not joined'];
  return {
    id: `#${room.name}`,
    label: `#${room.name}`,
    description: parts.join(' · '),
    tooltip: [`#${room.name}: a class room you can join.`, encryptionText(room.encrypted), ...(room.readOnly ? ['Read-only: only teachers and TAs post here.'] : []), 'Use Join to take part.'].join('\n'),
    icon: room.encrypted ? 'lock' : 'unlock',
    contextValue: 'room.joinable',
  };
}

function members(count: number): string {
  return `${count} member${count === 1 ? '' : 's'}`;
}

/** The header's and the tooltip's words for a room's encryption. */
export function encryptionText(encrypted: boolean): string {
  return encrypted ? 'End-to-end encrypted: only its members can read it.' : 'Not encrypted: the server can read it, like Everyone.';
}
