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
  /** Drives the item's menus in package.json (`viewItem =~ /^classmate/`). */
  contextValue: 'classmate.online' | 'classmate.offline';
}

export function classmateItem(classmate: Classmate): ClassmateItem {
  const parts: string[] = [];
  if (classmate.unread > 0) parts.push(`${classmate.unread} unread`);
  if (!classmate.online) parts.push('offline');
  if (!classmate.hasKey) parts.push('plain text');
  const lines = [
    `${classmate.name}: ${classmate.online ? 'online' : 'offline (messages wait for them)'}`,
    classmate.hasKey ? undefined : 'Uses a plain-text client: their messages are not authenticated and cannot be encrypted.',
    classmate.unread > 0 ? `${classmate.unread} unread message${classmate.unread === 1 ? '' : 's'}` : undefined,
    'Click to open the conversation.',
  ];
  return {
    name: classmate.name,
    label: classmate.name,
    description: parts.join(' · '),
    tooltip: lines.filter((line) => line !== undefined).join('\n'),
    icon: classmate.online ? 'circle-filled' : 'circle-outline',
    iconColor: classmate.online ? 'charts.green' : 'disabledForeground',
    contextValue: classmate.online ? 'classmate.online' : 'classmate.offline',
  };
}
