/**
 * Messages in the interactive client, by their numbers: what this session has shown (live,
 * in history, its own sends) is remembered by seq, so /reply, /edit, /delete, /react and
 * /unreact can name a message by the number printed with it, and /search finds it (encrypted
 * ones too: the index holds what was decrypted here, in memory only). Edits, deletes and
 * reactions arrive as `messageChanged` and are printed as a `* ...` line each.
 */
import type { ChatClient } from '../client/chat-client';
import { KNOWN_MESSAGES_CAPACITY } from '../client/references/known-messages';
import { MessageSearch } from '../client/search/message-search';
import type { MessageChange, QueuedMessage, ReceivedMessage } from '../client/types';
import type { SentInfo } from '../client/outbox';
import { EVERYONE } from '../protocol/names';
import { describeError, printable } from './classchat-format';
import type { MessageCommand } from './classchat-refs-input';
import { formatChange, formatHit } from './classchat-refs-format';
import { formatIncoming } from './classchat-room-format';

/** Prints one line (or a few); `alert`: it mentions this user (bold and a bell on a terminal). */
export type Print = (line: string, alert?: boolean) => void;

/** A message as shown, always with its conversation ("*", a name, "#room"). */
type Shown = ReceivedMessage & { conversation: string };

export interface SendRequest {
  to: string;
  text: string;
  unencrypted?: boolean;
  replyTo?: number;
}

export class MessageDesk {
  /** Newest last; the client library forgets older ones too, so they could not be referred to anyway. */
  private readonly shown = new Map<number, Shown>();
  private readonly index = new MessageSearch();
  private readonly unsent = new Set<Promise<void>>();
  private lastOwn: { conversation: string; seq: number } | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly print: Print,
  ) {}

  /** Messages sent but not yet stored by the server. */
  get pendingCount(): number {
    return this.unsent.size;
  }

  allSettled(): Promise<unknown> {
    return Promise.allSettled(this.unsent);
  }

  /** A message from the mailbox. An offer of a file to this user is shown by the file desk's line instead. */
  received(message: ReceivedMessage): void {
    this.remember(message);
    if (message.attachment && message.to === this.client.name) return;
    this.print(formatIncoming(message, this.client.name), message.mentionsMe === true);
  }

  changed(change: MessageChange): void {
    const before = this.shown.get(change.seq);
    this.remember(change.message);
    const newMention = change.how === 'edited' && change.message.mentionsMe === true && before?.mentionsMe !== true;
    this.print(formatChange(change, before, this.client.name), newMention);
  }

  /** Prints a page of history; `quietWhenEmpty`: nothing at all when there is none (the first login's page). */
  history(withWhom: string, limit: number, quietWhenEmpty = false): void {
    const label = withWhom === EVERYONE ? 'to everyone' : `${withWhom.startsWith('#') ? 'in' : 'with'} ${withWhom}`;
    this.client.history(withWhom, { limit }).then(
      (page) => {
        if (quietWhenEmpty && page.messages.length === 0) return;
        this.print(`--- ${page.messages.length === 0 ? 'no messages' : `last ${page.messages.length} message(s)`} ${label}${page.more ? ' (older ones exist)' : ''} ---`);
        for (const message of page.messages) {
          this.remember(message);
          this.print(formatIncoming(message, this.client.name));
        }
      },
      (error: unknown) => this.print(`! history ${label}: ${describeError(error)}`),
    );
  }

  /** Queues a message (a reply with `replyTo`); once stored, prints its number: `* sent #42 to bob`. */
  send(request: SendRequest): void {
    const to = request.to === EVERYONE ? 'everyone' : request.to;
    let queued: QueuedMessage;
    try {
      // A name nobody has yet waits for its owner to join (PROTOCOL.md 20.7), as in the original ClassChat.
      queued = this.client.queueText(request.to, request.text, { allowUnencrypted: request.unencrypted === true, replyTo: request.replyTo, waitForJoin: true });
    } catch (error) {
      this.print(`! not sent to ${printable(to)}: ${describeError(error)}`);
      return;
    }
    if (queued.waiting) this.print(`* waiting for ${printable(to)} to join: nobody has that name yet; the message is encrypted and sent when they first log in (dropped after 7 days)`);
    else if (this.client.state !== 'connected') this.print('* offline: the message will be sent when the connection is back');
    const done = queued.sent.then(
      (info) => this.sent(queued, info, request),
      (error: unknown) => this.print(`! not delivered to ${printable(to)}: ${describeError(error)}`),
    );
    this.unsent.add(done);
    void done.finally(() => this.unsent.delete(done));
  }

  /** Runs a message command; its outcome (or why not) is printed when the server has answered. */
  run(command: MessageCommand): void {
    const label = command.kind === 'search' ? '/search' : command.kind === 'edit' && command.seq === undefined ? '/edit' : `/${command.kind} #${command.seq}`;
    try {
      this.perform(command)?.catch((error: unknown) => this.print(`! ${label}: ${describeError(error)}`));
    } catch (error) {
      this.print(`! ${label}: ${describeError(error)}`);
    }
  }

  private perform(command: MessageCommand): Promise<unknown> | void {
    const client = this.client;
    if (command.kind === 'search') return this.search(command.query);
    if (command.kind === 'edit' && command.seq === undefined) {
      if (!this.lastOwn) throw new Error('you have not sent a message in this session yet; name one: /edit N text');
      return client.editMessage(this.lastOwn.conversation, this.lastOwn.seq, command.text);
    }
    const target = this.target(command.seq!);
    switch (command.kind) {
      case 'reply':
        return this.send({ to: target.conversation, text: command.text, replyTo: command.seq });
      case 'edit':
        return client.editMessage(target.conversation, command.seq!, command.text);
      case 'delete':
        return client.deleteMessage(target.conversation, command.seq);
      case 'react':
      case 'unreact': {
        const had = target.reactions?.find((reaction) => reaction.emoji === command.emoji)?.names.includes(client.name) === true;
        const emoji = printable(command.emoji);
        if (had && command.kind === 'react') return this.print(`* you reacted ${emoji} to #${command.seq} already`);
        if (!had && command.kind === 'unreact') throw new Error(`you have no ${emoji} reaction on #${command.seq}`);
        return command.kind === 'react' ? client.react(target.conversation, command.seq, command.emoji) : client.unreact(target.conversation, command.seq, command.emoji);
      }
    }
  }

  /** A message this session has shown (not an event); the reason in words when it has not. */
  private target(seq: number): Shown {
    const target = this.shown.get(seq);
    if (!target) throw new Error(`#${seq} is not a message this session has shown (find it with /history or /search)`);
    return target;
  }

  private search(query: string): void {
    const hits = this.index.search({ text: query });
    if (hits.length === 0) return this.print(`* nothing this session has shown matches "${printable(query)}"`);
    this.print(`--- ${hits.length} message(s) match "${printable(query)}" (best first) ---`);
    for (const hit of hits) this.print(formatHit(hit, this.client.name));
  }

  /** This user's message, stored: numbered, and the one a bare /edit changes. */
  private sent(queued: QueuedMessage, info: SentInfo, request: SendRequest): void {
    const conversation = queued.to;
    const replyTo = request.replyTo === undefined ? undefined : { seq: request.replyTo };
    const own: ReceivedMessage = { type: 'msg', seq: info.seq, id: info.id, from: this.client.name, to: conversation, ts: info.ts, text: request.text, encrypted: queued.encrypted, trust: queued.encrypted ? 'verified' : 'not_encrypted', conversation, ...(replyTo && { replyTo }) };
    this.remember(own);
    this.lastOwn = { conversation, seq: info.seq };
    const to = conversation === EVERYONE ? 'everyone' : printable(conversation);
    this.print(`* sent #${info.seq} to ${to}${request.replyTo === undefined ? '' : `, answering #${request.replyTo}`}`);
  }

  /** Remembered by seq and indexed for /search (a change replaces the copy; a delete takes it out). */
  private remember(message: ReceivedMessage): void {
    const conversation = message.conversation;
    if (message.event || conversation === undefined) return;
    this.shown.delete(message.seq);
    this.shown.set(message.seq, { ...message, conversation });
    if (this.shown.size > KNOWN_MESSAGES_CAPACITY) this.shown.delete(this.shown.keys().next().value!);
    if (message.deleted || message.text === undefined) this.index.remove(message.seq);
    else this.index.add({ seq: message.seq, conversation, from: message.from, ts: message.ts, text: message.text });
  }
}
