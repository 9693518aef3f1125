/**
 * Checks a v3 `send` that carries `ref` (PROTOCOL.md 20.5) against its target: a message of the
 * same conversation, and for edits and deletes one the sender may change. The store then applies
 * edits and deletes (store/message-revisions.ts).
 */
import { EVERYONE } from '../protocol/names';
import { roomOf } from './rooms/room-book';
import type { Refusal, Rooms } from './rooms/rooms';
import type { SubmitInput } from './server-services';
import type { Store, StoredMessage } from './store/store';

export interface ReferenceParts {
  store: Pick<Store, 'findBySeq'>;
  rooms: Pick<Rooms, 'isStaff' | 'book'>;
}

/** Relations that change or annotate their target rather than being messages of their own. */
const ANNOTATIONS = new Set(['edit', 'delete', 'react', 'unreact']);

/** The target when `from` may send `input` (which has a `ref`), else the refusal. */
export async function checkReference(parts: ReferenceParts, from: string, input: SubmitInput): Promise<{ target: StoredMessage } | Refusal> {
  const ref = input.ref!;
  const target = await parts.store.findBySeq(ref.seq);
  if (!target || !sameConversation(target, from, input.to)) return { code: 'bad_ref', detail: `no message ${ref.seq} in this conversation` };
  if (target.event || target.hidden || (target.ref && ANNOTATIONS.has(target.ref.rel))) return { code: 'bad_ref', detail: `message ${ref.seq} is not one you can refer to` };
  if (ref.rel === 'edit') {
    if (target.from !== from) return { code: 'bad_ref', detail: 'only its sender edits a message' };
    if (target.deleted) return { code: 'bad_ref', detail: `message ${ref.seq} was deleted` };
    if (target.file || (target.box === undefined) !== (input.box === undefined)) return { code: 'bad_ref', detail: 'an edit has the form of its message (text or box)' };
  }
  // Deleting twice is accepted (a resent delete must not fail); the store changes nothing then.
  if (ref.rel === 'delete' && target.from !== from) {
    if (!parts.rooms.isStaff(from)) return { code: 'forbidden', detail: "only a teacher or TA deletes someone else's message" };
    if (isEncrypted(parts, target)) return { code: 'forbidden', detail: 'nobody else can delete a message in an encrypted conversation' };
  }
  return { target };
}

/** Everyone and rooms: the same `to`; a private conversation: the same two people. */
function sameConversation(target: StoredMessage, from: string, to: string): boolean {
  if (to === EVERYONE || roomOf(to) !== undefined) return target.to === to;
  return (target.from === from && target.to === to) || (target.from === to && target.to === from);
}

/** A box, or a message in an encrypted room: the server cannot read it, so staff do not moderate it. */
function isEncrypted(parts: ReferenceParts, target: StoredMessage): boolean {
  if (target.box !== undefined || target.file !== undefined) return true;
  const room = roomOf(target.to);
  return room !== undefined && parts.rooms.book.get(room)?.encrypted !== false;
}
