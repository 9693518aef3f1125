/**
 * Sending replies, edits, deletes and reactions (PROTOCOL.md 20.5). Everyone and rooms that are
 * not encrypted carry `ref` outside; in encrypted conversations replies and reactions travel
 * inside the box, and edits (a box naming its target) and deletes carry `ref` outside, because the
 * server acts on them. Each is checked against the message this client has seen before it is sent.
 */
import { ClassChatError } from '../../protocol/errors';
import type { Box } from '../../protocol/frames';
import { LIMITS } from '../../protocol/limits';
import { checkRoomName, ROOM_PREFIX } from '../../protocol/names';
import { EnvelopeContent, isReactionText, MessageRef } from '../../protocol/references';
import type { ClientLink, Emit } from '../client-services';
import { newMessageId, OutboxPayload, SentInfo } from '../outbox';
import { checkRecipient } from '../rules';
import type { QueuedMessage, ReceivedMessage, SendOptions } from '../types';
import type { Annotation } from './annotations';
import type { ReceivedReferences } from './received-references';

export interface ReferenceSendParts {
  readonly link: ClientLink;
  readonly received: ReceivedReferences;
  /** Seals content for one classmate (trust.ts) or for `#room` with this user's sender key (room-traffic.ts). */
  sealPrivate(to: string, id: string, content: EnvelopeContent): Box;
  sealRoom(room: string, id: string, content: EnvelopeContent): Box;
  /** conversations.ts: queue an ordinary text, or a payload as it is. */
  queueText(to: string, text: string, options: SendOptions): QueuedMessage;
  queue(to: string, payload: OutboxPayload, id?: string): QueuedMessage;
  readonly emit: Emit<'messageChanged' | 'error'>;
}

export class ReferenceSends {
  private served = false;

  constructor(private readonly parts: ReferenceSendParts) {}

  /** The server speaks v3 and lists "refs" (set at each login). */
  setServed(served: boolean): void {
    this.served = served;
  }

  /** An ordinary text, or a reply with `options.replyTo`; remembered once stored, so it can be edited and quoted. */
  queueText(to: string, text: string, options: SendOptions): QueuedMessage {
    const replyTo = options.replyTo;
    const queued = replyTo === undefined ? this.parts.queueText(to, text, options) : this.reply(to, text, replyTo);
    const replied = replyTo === undefined ? undefined : { seq: replyTo, id: this.parts.received.known.get(replyTo)?.id };
    queued.sent.then(
      (info) => this.parts.received.sent(ownView(this.parts.link.me, queued, info, text), replied),
      () => undefined,
    );
    return queued;
  }

  edit(conversation: string, seq: number, text: string): Promise<SentInfo> {
    const { to, target } = this.target(conversation, seq);
    if (target.from !== this.parts.link.me) throw new ClassChatError('bad_ref', `only its sender can edit a message, and message ${seq} is ${target.from}'s`);
    checkText(text);
    const ref: MessageRef = { seq, rel: 'edit' };
    // The edit's box replaces the reply's on the server, so it says again what the message replies to.
    const reply = this.parts.received.known.replyOf(seq);
    const sealedReply = reply?.id === undefined ? {} : { reply: { seq: reply.seq, id: reply.id } };
    const queued = target.encrypted ? this.sealed(to, { text, edit: { seq, id: target.id }, ...sealedReply }, ref) : this.parts.queue(to, { text, ref });
    return this.applied(queued, to, { kind: 'edit', target: seq, text });
  }

  remove(conversation: string, seq: number): Promise<SentInfo> {
    const { to, target } = this.target(conversation, seq);
    if (target.from !== this.parts.link.me && target.encrypted) throw new ClassChatError('forbidden', `only ${target.from} can delete message ${seq}: nobody else can delete a message in an encrypted conversation`);
    return this.applied(this.parts.queue(to, { ref: { seq, rel: 'delete' } }), to, { kind: 'delete', target: seq });
  }

  react(conversation: string, seq: number, emoji: string, remove: boolean): Promise<SentInfo> {
    if (typeof emoji !== 'string' || !isReactionText(emoji)) throw new ClassChatError('invalid_frame', `a reaction is one emoji or a short word: 1-${LIMITS.maxReactionBytes} bytes without spaces`);
    const { to, target } = this.target(conversation, seq);
    const kind = remove ? 'unreact' : 'react';
    const queued = target.encrypted
      ? this.sealed(to, { react: { seq, id: target.id, emoji, ...(remove && { remove: true }) } })
      : this.parts.queue(to, { text: emoji, ref: { seq, rel: kind } });
    return this.applied(queued, to, { kind, target: seq, emoji });
  }

  private reply(to: string, text: string, seq: number): QueuedMessage {
    const { to: conversation, target } = this.target(to, seq);
    checkText(text);
    return target.encrypted ? this.sealed(conversation, { text, reply: { seq, id: target.id } }) : this.parts.queue(conversation, { text, ref: { seq, rel: 'reply' } });
  }

  /** The conversation (normalised) and the message `seq` of it, checked: one this client has seen, not an event, not deleted. */
  private target(raw: string, seq: number): { to: string; target: ReceivedMessage } {
    this.parts.link.checkOpen();
    if (!this.served) throw new ClassChatError('unsupported_version', 'this server does not support replies, edits, deletes or reactions (it lacks protocol v3 "refs"): ask for the server to be updated');
    if (!Number.isSafeInteger(seq) || seq < 1) throw new ClassChatError('invalid_frame', `a message is named by its seq (an integer ≥ 1), not ${String(seq)}`);
    const to = conversationName(raw);
    const target = this.parts.received.known.get(seq);
    if (!target || target.conversation !== to) throw new ClassChatError('bad_ref', `message ${seq} is not one this client has seen in ${to} (load that conversation's history first)`);
    if (target.event) throw new ClassChatError('bad_ref', `message ${seq} is an event, not a message to reply or react to`);
    if (target.deleted) throw new ClassChatError('bad_ref', `message ${seq} was deleted`);
    return { to, target };
  }

  private sealed(to: string, content: EnvelopeContent, ref?: MessageRef): QueuedMessage {
    const id = newMessageId();
    const box = to.startsWith(ROOM_PREFIX) ? this.parts.sealRoom(to.slice(ROOM_PREFIX.length), id, content) : this.parts.sealPrivate(to, id, content);
    return this.parts.queue(to, ref ? { box, ref } : { box }, id);
  }

  /** Once stored, the change is applied here too (the server does not echo it to its sender): a `messageChanged`. */
  private async applied(queued: QueuedMessage, conversation: string, change: Pick<Annotation, 'kind' | 'target' | 'text' | 'emoji'>): Promise<SentInfo> {
    const info = await queued.sent;
    const made = this.parts.received.annotate({ ...change, seq: info.seq, id: info.id, ts: info.ts, from: this.parts.link.me, conversation });
    if (made) this.parts.emit('messageChanged', made);
    return info;
  }
}

/** "*", a user name or "#room", normalised. */
function conversationName(raw: string): string {
  if (!raw.trimStart().startsWith(ROOM_PREFIX)) return checkRecipient(raw);
  const checked = checkRoomName(raw);
  if (!checked.ok) throw new ClassChatError('unknown_room', `"${raw}" is not a valid room name`);
  return ROOM_PREFIX + checked.room;
}

function checkText(text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes === 0) throw new ClassChatError('invalid_frame', 'the text is empty (delete the message instead)');
  if (bytes > LIMITS.maxTextBytes) throw new ClassChatError('text_too_long', `the message is ${bytes} bytes; the limit is ${LIMITS.maxTextBytes} bytes`);
}

/** This user's message as stored, for quoting and editing it later. */
function ownView(me: string, queued: QueuedMessage, info: SentInfo, text: string): ReceivedMessage {
  const conversation = queued.to;
  return { type: 'msg', seq: info.seq, id: info.id, from: me, to: conversation, ts: info.ts, text, encrypted: queued.encrypted, trust: queued.encrypted ? 'verified' : 'not_encrypted', conversation };
}
