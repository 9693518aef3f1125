/**
 * What a stored edit or delete does to the messages before it (PROTOCOL.md 20.5), the same for
 * every Store: the target takes the newest edit's content (older edits lose theirs), or loses its
 * content and its edits' to a delete. Pure: the store replaces the messages it is given back.
 */
import type { StoredMessage } from './store';

/**
 * The new versions of earlier messages once `message` is stored (none for other messages).
 * Applying a message twice changes nothing, so a log replayed over its compacted form agrees.
 */
export function revisionsFor(message: StoredMessage, find: (seq: number) => StoredMessage | undefined): StoredMessage[] {
  const rel = message.ref?.rel;
  if (rel !== 'edit' && rel !== 'delete') return [];
  const target = find(message.ref!.seq);
  if (!target || target.deleted || target.event || target.seq >= message.seq) return [];
  const revisions: StoredMessage[] = [];
  if (rel === 'edit') {
    // An edit older than the one applied already (a compacted log read back) changes nothing.
    if ((target.edited && target.edited.seq >= message.seq) || !hasContent(message)) return [];
    revisions.push({ ...withoutContent(target), ...contentOf(message), edited: { seq: message.seq, id: message.id, ts: message.ts } });
  } else {
    revisions.push({ ...withoutContent(target), deleted: { by: message.from, ts: message.ts } });
  }
  // Only the newest edit still has content (each edit erased the one before it).
  const previous = target.edited && find(target.edited.seq);
  if (previous && hasContent(previous)) revisions.push(withoutContent(previous));
  return revisions;
}

export function hasContent(message: StoredMessage): boolean {
  return message.text !== undefined || message.box !== undefined;
}

/** The message without its text, box or edit mark (everything that said what it said). */
function withoutContent(message: StoredMessage): StoredMessage {
  const { text: _text, box: _box, edited: _edited, ...rest } = message;
  return rest;
}

function contentOf(message: StoredMessage): Pick<StoredMessage, 'text' | 'box'> {
  return message.text !== undefined ? { text: message.text } : { box: message.box };
}

/** Replaces the message with `revised.seq` in a seq-ordered list, if it is there (binary search). */
export function replaceIn(list: StoredMessage[], revised: StoredMessage): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle].seq < revised.seq) low = middle + 1;
    else high = middle;
  }
  if (list[low]?.seq === revised.seq) list[low] = revised;
}
