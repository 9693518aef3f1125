/**
 * Which mailboxes a v4 private message goes to besides its recipient's (PROTOCOL.md 22.6): when
 * its key boxes name the sender's own devices, the sender's mailbox too, so the sender's other
 * devices get what it sent from one of them. Every store files mailboxes by this rule.
 */
import type { DeviceRecord, NewMessage } from './store';

/** True when the message must also be in its sender's mailbox. */
export function copiesToSender(message: Pick<NewMessage, 'from' | 'keys'>): boolean {
  return message.keys?.some((key) => key.user === message.from) === true;
}

/** A deep copy (stores hand out copies, never their own state). */
export function copyDeviceRecord(record: DeviceRecord): DeviceRecord {
  return {
    name: record.name,
    list: copyList(record.list),
    removed: [...record.removed],
    cursors: { ...record.cursors },
    ...(record.recovery ? { recovery: { ...record.recovery } } : {}),
    ...(record.past?.length ? { past: record.past.map(copyList) } : {}),
  };
}

function copyList(list: DeviceRecord['list']): DeviceRecord['list'] {
  return { ...list, devices: list.devices.map((device) => ({ ...device })) };
}

/** `incoming`'s cursors over `existing`'s, none moving backwards. */
export function mergeCursors(existing: Record<string, number> | undefined, incoming: Record<string, number>): Record<string, number> {
  const cursors = { ...existing };
  for (const [device, seq] of Object.entries(incoming)) cursors[device] = Math.max(cursors[device] ?? 0, seq);
  return cursors;
}
