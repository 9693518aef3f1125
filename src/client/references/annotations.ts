/**
 * What a received message is, by its references (PROTOCOL.md 20.5): an ordinary message (maybe a
 * reply), or an annotation of an earlier one (an edit, a delete, a reaction) that changes how
 * that one is shown instead of being shown itself. Encrypted conversations carry replies and
 * reactions inside the box, and an edit names its target inside the box too.
 */
import { isReactionText } from '../../protocol/references';
import type { OpenedMessage } from './opened-content';

export type AnnotationKind = 'edit' | 'delete' | 'react' | 'unreact';

/** A change to the message with seq `target`, made by the message `seq` from `from`. */
export interface Annotation {
  kind: AnnotationKind;
  seq: number;
  id: string;
  from: string;
  ts: number;
  conversation: string;
  target: number;
  /** The target's id as the sender named it inside a box: it must be the id of the message at `target`. */
  targetId?: string;
  /** An edit's new text. */
  text?: string;
  /** A reaction's emoji or word. */
  emoji?: string;
}

export type Classified =
  | { kind: 'message'; replyTo?: { seq: number; id?: string } }
  | { kind: 'annotation'; annotation: Annotation }
  /** Unreadable or inconsistent (e.g. a box that names another target than `ref`): shown nowhere. */
  | { kind: 'dropped' };

const DROPPED: Classified = { kind: 'dropped' };

export function classify(message: OpenedMessage): Classified {
  const { ref, sealed } = message;
  const base = { seq: message.seq, id: message.id, from: message.from, ts: message.ts, conversation: message.conversation ?? message.to };
  if (message.event) return { kind: 'message' };
  if (ref && ref.rel !== 'reply') {
    if (ref.rel === 'delete') return { kind: 'annotation', annotation: { ...base, kind: 'delete', target: ref.seq } };
    if (ref.rel === 'edit') {
      if (message.text === undefined) return DROPPED;
      if (!message.encrypted) return { kind: 'annotation', annotation: { ...base, kind: 'edit', target: ref.seq, text: message.text } };
      const inner = sealed?.edit;
      if (!inner || inner.seq !== ref.seq) return DROPPED;
      return { kind: 'annotation', annotation: { ...base, kind: 'edit', target: ref.seq, targetId: inner.id, text: message.text } };
    }
    if (message.encrypted || message.text === undefined || !isReactionText(message.text)) return DROPPED;
    return { kind: 'annotation', annotation: { ...base, kind: ref.rel, target: ref.seq, emoji: message.text } };
  }
  if (sealed?.react) {
    if (ref) return DROPPED;
    const { seq, id, emoji, remove } = sealed.react;
    return { kind: 'annotation', annotation: { ...base, kind: remove ? 'unreact' : 'react', target: seq, targetId: id, emoji } };
  }
  if (ref?.rel === 'reply') return { kind: 'message', replyTo: { seq: ref.seq } };
  if (sealed?.reply) return { kind: 'message', replyTo: { seq: sealed.reply.seq, id: sealed.reply.id } };
  return { kind: 'message' };
}
