/** The quick picks of the room commands: rooms, classmates to add, and a teacher's room settings. */
import * as vscode from 'vscode';
import type { ChatSession } from './chat-session';
import * as notices from './notices';
import type { RoomView } from './session-rooms';

/** Rooms to choose from, the open one first. */
export function roomPicks(rooms: readonly RoomView[], active: string): notices.PickItem<string>[] {
  return [...rooms]
    .sort((a, b) => Number(`#${b.name}` === active) - Number(`#${a.name}` === active) || a.name.localeCompare(b.name))
    .map((room) => ({
      label: `#${room.name}`,
      description: [room.kind === 'class' ? 'class room' : 'group room', room.encrypted ? 'encrypted' : 'not encrypted', ...(room.readOnly ? ['read-only'] : [])].join(' · '),
      iconPath: new vscode.ThemeIcon(room.encrypted ? 'lock' : 'unlock'),
      value: room.name,
    }));
}

/**
 * Classmates who can be put in a room, online first: plain-text users are left out of encrypted
 * rooms (no key to hand the room key to), and so are `except` (already members).
 */
export function memberPicks(session: ChatSession, options: { encryptedOnly: boolean; except?: readonly string[] }): notices.PickItem<string>[] {
  const except = new Set(options.except ?? []);
  return session.conversations
    .classmates()
    .filter((c) => !except.has(c.name) && (c.hasKey || !options.encryptedOnly))
    .map((c) => ({
      label: c.name,
      description: [c.online ? 'online' : 'offline', ...(session.rooms.roleOf(c.name) ? [session.rooms.roleOf(c.name)!] : []), ...(c.hasKey ? [] : ['plain text'])].join(' · '),
      value: c.name,
    }));
}

export interface CreationChoices {
  kind: 'group' | 'class';
  encrypted: boolean;
  readOnly: boolean;
}

/** A teacher's or TA's choices for a new room; undefined when one is dismissed. */
export async function creationChoices(name: string): Promise<CreationChoices | undefined> {
  const kind = await notices.pick<'group' | 'class'>(
    [
      { label: 'Group room', description: 'only the members you pick see it', value: 'group' },
      { label: 'Class room', description: 'every student sees it and can join', value: 'class' },
    ],
    { title: `ClassChat: what kind of room is #${name}?` },
  );
  if (kind === undefined) return undefined;
  const encrypted = await notices.pick<boolean>(
    [
      { label: 'Encrypted', description: 'end-to-end: only members can read it', iconPath: new vscode.ThemeIcon('lock'), value: true },
      { label: 'Not encrypted', description: 'the server can read it, like Everyone', iconPath: new vscode.ThemeIcon('unlock'), value: false },
    ],
    { title: `ClassChat: encrypt #${name}?` },
  );
  if (encrypted === undefined) return undefined;
  const readOnly = await notices.pick<boolean>(
    [
      { label: 'Everyone in it can post', value: false },
      { label: 'Read-only', description: 'only teachers and TAs post (announcements)', value: true },
    ],
    { title: `ClassChat: who posts in #${name}?` },
  );
  if (readOnly === undefined) return undefined;
  return { kind, encrypted, readOnly };
}
