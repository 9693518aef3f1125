/** Which actions a message offers. No DOM, so plain-Node tests check it too. */
import type { MessageView } from './protocol';

export type ActionKind = 'reply' | 'react' | 'edit' | 'delete' | 'copy';

/** What can be done with `message`: only stored messages can be referred to; `moderate`: staff here. */
export function actionsFor(message: MessageView, moderate: boolean): ActionKind[] {
  if (message.system || message.deleted) return [];
  const stored = message.seq !== undefined && message.delivery === 'sent';
  const kinds: ActionKind[] = [];
  if (stored) kinds.push('reply', 'react');
  if (stored && message.mine && message.text !== undefined && !message.file) kinds.push('edit');
  // Staff delete others' messages only where the server can read them (not sealed, not a file).
  if (stored && (message.mine || (moderate && !message.encrypted && !message.file))) kinds.push('delete');
  if (message.text !== undefined && !message.file) kinds.push('copy');
  return kinds;
}
