/**
 * The messages this client has seen lately (received, sent, or read in history), by seq, as they
 * are to be shown now: their newest edit, their deletion, their reactions. Replies quote them,
 * references are checked against them, and annotations of a message not seen yet wait for it.
 * Both are bounded: the oldest entries go first.
 */
import type { Reaction, ReceivedMessage } from '../types';
import type { Annotation } from './annotations';

/** Messages remembered (an Everyone conversation of a busy class over several days). */
export const KNOWN_MESSAGES_CAPACITY = 5000;
/** Annotations waiting for their target (one not seen yet), across all targets. */
export const WAITING_ANNOTATIONS_CAPACITY = 1000;
/** A reply's quote of its target. */
const SNIPPET_CHARS = 80;

export interface ReplyRef {
  seq: number;
  id?: string;
}

interface Known {
  view: ReceivedMessage;
  /** What it replies to; the id once known (an encrypted edit names it again, as its box replaces the reply's). */
  replyTo?: ReplyRef;
  /** Per emoji, per person: reacting or not, as of the newest react/unreact (its seq). */
  reactions: Map<string, Map<string, { on: boolean; seq: number }>>;
}

export class KnownMessages {
  private readonly bySeq = new Map<number, Known>();
  private readonly waiting = new Map<number, Annotation[]>();
  private waitingCount = 0;

  constructor(private readonly capacity = KNOWN_MESSAGES_CAPACITY) {}

  get(seq: number): ReceivedMessage | undefined {
    return this.bySeq.get(seq)?.view;
  }

  /**
   * Remembers a message (again: a history page repeats what was shown live), as `view` shows it
   * unless an edit or delete newer than that is known already; its reactions are kept.
   */
  remember(view: ReceivedMessage, replyTo?: ReplyRef): void {
    const known = this.bySeq.get(view.seq);
    if (!known) {
      this.bySeq.set(view.seq, { view, replyTo, reactions: new Map() });
      if (this.bySeq.size > this.capacity) this.bySeq.delete(this.bySeq.keys().next().value!);
      return;
    }
    if (replyTo && known.replyTo?.id === undefined) known.replyTo = replyTo;
    const older = (known.view.deleted && !view.deleted) || (!view.deleted && (known.view.edited?.seq ?? 0) > (view.edited?.seq ?? 0));
    if (!older) known.view = view;
  }

  /** What message `seq` replies to, with the id of that one when known. */
  replyOf(seq: number): ReplyRef | undefined {
    const replyTo = this.bySeq.get(seq)?.replyTo;
    if (!replyTo) return undefined;
    return { seq: replyTo.seq, id: replyTo.id ?? this.bySeq.get(replyTo.seq)?.view.id };
  }

  /** Replaces the view of a known message (an edit or delete applied). */
  update(seq: number, view: ReceivedMessage): void {
    const known = this.bySeq.get(seq);
    if (known) known.view = view;
  }

  /** Records a reaction; false when nothing changed (a repeat, or older than what is known). */
  react(target: number, emoji: string, name: string, on: boolean, seq: number): boolean {
    const known = this.bySeq.get(target);
    if (!known) return false;
    const people = known.reactions.get(emoji) ?? new Map<string, { on: boolean; seq: number }>();
    const before = people.get(name);
    if (before && before.seq >= seq) return false;
    people.set(name, { on, seq });
    known.reactions.set(emoji, people);
    return before?.on !== on;
  }

  /** The message as shown: with its reply's quote and its reactions. */
  render(seq: number): ReceivedMessage | undefined {
    const known = this.bySeq.get(seq);
    if (!known) return undefined;
    const shown: ReceivedMessage = { ...known.view };
    if (known.replyTo !== undefined) {
      const quoted = this.bySeq.get(known.replyTo.seq)?.view;
      shown.replyTo = { seq: known.replyTo.seq, ...(quoted && { from: quoted.from }), ...(quoted?.text !== undefined && { snippet: snippetOf(quoted.text) }) };
    }
    const reactions: Reaction[] = [];
    for (const [emoji, people] of known.reactions) {
      const names = [...people].filter(([, state]) => state.on).sort((a, b) => a[1].seq - b[1].seq).map(([name]) => name);
      if (names.length > 0) reactions.push({ emoji, names });
    }
    if (reactions.length > 0) shown.reactions = reactions;
    return shown;
  }

  /** Keeps an annotation of a message not seen yet, until it is. */
  wait(annotation: Annotation): void {
    const list = this.waiting.get(annotation.target) ?? [];
    list.push(annotation);
    this.waiting.set(annotation.target, list);
    if (++this.waitingCount > WAITING_ANNOTATIONS_CAPACITY) {
      const [oldest, dropped] = this.waiting.entries().next().value!;
      this.waiting.delete(oldest);
      this.waitingCount -= dropped.length;
    }
  }

  /** The annotations that waited for `seq`, now taken. */
  takeWaiting(seq: number): Annotation[] {
    const list = this.waiting.get(seq) ?? [];
    this.waiting.delete(seq);
    this.waitingCount -= list.length;
    return list;
  }
}

/** The first line, shortened. */
function snippetOf(text: string): string {
  const line = text.split('\n', 1)[0].trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS - 1)}…` : line;
}
