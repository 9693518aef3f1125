/**
 * What the Classmates tree shows for each classmate, without vscode: the adapter in
 * classmates-view.ts turns these into TreeItems.
 */
import type { Classmate } from './conversations';

export interface ClassmateItem {
  name: string;
  label: string;
  description: string;
  tooltip: string;
  /** Codicon id. */
  icon: 'circle-filled' | 'circle-outline';
  /** Theme colour id for the icon. */
  iconColor: 'charts.green' | 'disabledForeground';
  /** Drives the item's menus in package.json: `classmate.<online|offline>[_blocked].<key state>`, then `.muted` when muted. */
  contextValue: string;
}

/** `muted`: the conversation does not notify (its description and menus say so). */
export function classmateItem(classmate: Classmate, muted = false): ClassmateItem {
  const parts: string[] = [];
  if (classmate.role) parts.push(ROLE_TEXT[classmate.role]);
  if (classmate.blocked) parts.push('blocked');
  if (classmate.unread > 0) parts.push(`${classmate.unread} unread`);
  if (!classmate.online) parts.push('offline');
  if (classmate.key === 'verified') parts.push('✓ verified');
  if (classmate.key === 'key_changed') parts.push('⚠ key changed');
  if (!classmate.hasKey) parts.push('plain text');
  if (muted) parts.push('🔕 muted');
  const lines = [
    `${classmate.name}${classmate.role ? ` (${ROLE_TEXT[classmate.role]})` : ''}: ${classmate.online ? 'online' : 'offline (messages wait for them)'}`,
    classmate.blocked ? 'You blocked them: their messages are hidden and their private messages and files do not reach you.' : undefined,
    classmate.hasKey ? undefined : 'Uses a plain-text client: their messages are not authenticated and cannot be encrypted.',
    KEY_TEXT[classmate.key],
    classmate.unread > 0 ? `${classmate.unread} unread message${classmate.unread === 1 ? '' : 's'}` : undefined,
    muted ? MUTED_TEXT : undefined,
    'Click to open the conversation.',
  ];
  return {
    name: classmate.name,
    label: classmate.name,
    description: parts.join(' · '),
    tooltip: lines.filter((line) => line !== undefined).join('\n'),
    icon: classmate.online ? 'circle-filled' : 'circle-outline',
    iconColor: classmate.online ? 'charts.green' : 'disabledForeground',
    contextValue: `classmate.${classmate.online ? 'online' : 'offline'}${classmate.blocked ? '_blocked' : ''}.${classmate.key}${muted ? '.muted' : ''}`,
  };
}

/** The tooltip's line for a muted conversation (rooms too). */
export const MUTED_TEXT = 'Muted: no notifications, except messages that mention you. Unread messages are still counted.';

const ROLE_TEXT: Record<NonNullable<Classmate['role']>, string> = { teacher: 'teacher', ta: 'TA' };

const KEY_TEXT: Record<Classmate['key'], string | undefined> = {
  verified: 'Key verified: you compared safety numbers.',
  pinned: 'Key not verified yet: compare safety numbers ("Verify Classmate\'s Key") to be sure it is them.',
  key_changed: 'Their key CHANGED since you first saw it. Messages to them are held until you compare safety numbers or accept the new key.',
  unknown_key: undefined,
  no_key: undefined,
};

export interface ClassmatePick {
  label: string;
  description: string;
}

/**
 * The quick pick for sending a file: online classmates first, then offline (files wait for them),
 * each by name; plain-text users are left out (a file cannot be encrypted for them).
 */
export function fileRecipientPicks(classmates: readonly Classmate[]): ClassmatePick[] {
  return classmates
    .filter((c) => c.hasKey)
    .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name))
    .map((c) => ({ label: c.name, description: [c.online ? 'online' : 'offline', ...(c.key === 'verified' ? ['verified'] : [])].join(' · ') }));
}
