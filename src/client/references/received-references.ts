/**
 * Received messages with their references applied (PROTOCOL.md 20.5): a reply quotes what it
 * answers, while edits, deletes and reactions change the message they name (a `messageChanged`)
 * instead of being shown as messages. A reference sealed in a box names its target's id too:
 * one that names another id than the message at that seq is dropped (a server pointing it elsewhere).
 */
import type { MessageChange, ReceivedMessage } from '../types';
import { Annotation, classify } from './annotations';
import { KnownMessages, ReplyRef } from './known-messages';
import { mentionsIn } from './mentions';
import type { OpenedMessage } from './opened-content';

export class ReceivedReferences {
  readonly known = new KnownMessages();

  constructor(private readonly me: string) {}

  /** A message from the mailbox: shown (`message`), or the change it makes to an earlier one (`change`), or neither. */
  live(opened: OpenedMessage): { message?: ReceivedMessage; change?: MessageChange } {
    const classified = classify(opened);
    if (classified.kind === 'dropped') return {};
    if (classified.kind === 'annotation') {
      const change = this.annotate(classified.annotation);
      return change ? { change } : {};
    }
    if (!this.replyMatches(opened, classified.replyTo)) return {};
    this.admit(this.finish(opened), classified.replyTo);
    return { message: this.known.render(opened.seq) };
  }

  /**
   * A history page, oldest first: its messages as shown, with the reactions found on the page
   * applied; edits and deletes are already applied by the server (20.5), so none of the
   * annotations is listed.
   */
  page(messages: OpenedMessage[]): ReceivedMessage[] {
    const listed: ReceivedMessage[] = [];
    const reactions: Annotation[] = [];
    for (const opened of messages) {
      const classified = classify(opened);
      if (classified.kind === 'dropped') continue;
      if (classified.kind === 'annotation') {
        if (classified.annotation.kind === 'react' || classified.annotation.kind === 'unreact') reactions.push(classified.annotation);
        continue;
      }
      if (!this.replyMatches(opened, classified.replyTo)) continue;
      const view = this.finish(opened);
      this.admit(view, classified.replyTo);
      listed.push(view);
    }
    for (const reaction of reactions) this.annotate(reaction);
    return listed.map((view) => this.known.render(view.seq) ?? view);
  }

  /** This user's own message, stored by the server: remembered so it can be quoted, edited and reacted to. */
  sent(view: ReceivedMessage, replyTo?: ReplyRef): void {
    this.admit(this.finish(view), replyTo);
  }

  /** Applies an edit, delete or reaction to its target; the change, or undefined when it changes nothing (or waits for its target). */
  annotate(annotation: Annotation): MessageChange | undefined {
    const target = this.known.get(annotation.target);
    if (!target) {
      this.known.wait(annotation);
      return undefined;
    }
    if (target.conversation !== annotation.conversation || target.event) return undefined;
    if (annotation.targetId !== undefined && annotation.targetId !== target.id) return undefined;
    const how = this.apply(annotation, target);
    if (!how) return undefined;
    return { conversation: annotation.conversation, seq: annotation.target, how, message: this.known.render(annotation.target)! };
  }

  private apply(annotation: Annotation, target: ReceivedMessage): MessageChange['how'] | undefined {
    if (target.deleted) return undefined;
    switch (annotation.kind) {
      case 'edit': {
        if (annotation.from !== target.from || (target.edited?.seq ?? 0) >= annotation.seq) return undefined;
        const edited = { seq: annotation.seq, id: annotation.id, ts: annotation.ts };
        this.known.update(target.seq, this.finish({ ...target, text: annotation.text, edited }));
        return 'edited';
      }
      case 'delete': {
        const { text: _text, attachment: _attachment, edited: _edited, ...rest } = target;
        this.known.update(target.seq, { ...rest, deleted: { by: annotation.from, ts: annotation.ts }, mentions: [], mentionsMe: false });
        return 'deleted';
      }
      default:
        return this.known.react(target.seq, annotation.emoji!, annotation.from, annotation.kind === 'react', annotation.seq) ? 'reactions' : undefined;
    }
  }

  /** A reply sealed in a box must name the id of the message at its seq, when that one is known. */
  private replyMatches(opened: OpenedMessage, replyTo: { seq: number; id?: string } | undefined): boolean {
    if (replyTo?.id === undefined) return true;
    const target = this.known.get(replyTo.seq);
    return target === undefined || (target.id === replyTo.id && target.conversation === opened.conversation);
  }

  /** Remembered, and the annotations that waited for it applied. */
  private admit(view: ReceivedMessage, replyTo: ReplyRef | undefined): void {
    this.known.remember(view, replyTo);
    for (const annotation of this.known.takeWaiting(view.seq)) this.annotate(annotation);
  }

  /** Without the box's references; with its mentions. */
  private finish(opened: OpenedMessage): ReceivedMessage {
    const { sealed: _sealed, ...view } = opened;
    const mentions = mentionsIn(view.text);
    return { ...view, mentions, mentionsMe: mentions.includes(this.me) };
  }
}
