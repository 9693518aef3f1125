/**
 * Conversations: messages to one user or to everyone sent through the outbox, messages received
 * (each seq once, replays dropped, acknowledgements batched), and pages of history.
 */
import { ClassChatError } from '../protocol/errors';
import { boxSchema, Box, ChatMessage, FileOffer, ServerFrameOf, WelcomeFrame } from '../protocol/frames';
import { checkRoomName, EVERYONE, ROOM_PREFIX } from '../protocol/names';
import { LIMITS, ROOMS_VERSION } from '../protocol/limits';
import type { AttachmentReader, ClientLink, Emit, MessageKeys, RoomTraffic, SealedText } from './client-services';
import { ChatClientError } from './errors';
import { newMessageId, OutboxPayload, SentInfo } from './outbox';
import { Receipts } from './receipts';
import { PendingRequests } from './requests';
import { FrameSink, Sender } from './sender';
import { ShownMessages } from './shown-messages';
import { WaitingMessages } from './waiting-messages';
import { checkRecipient } from './rules';
import { noticeView } from './references/notice-text';
import type { OpenedMessage } from './references/opened-content';
import type { ReceivedReferences } from './references/received-references';
import type { ChatClientOptions, HistoryPage, QueuedMessage, RosterEntry, SendOptions } from './types';

export type ConversationOptions = Pick<ChatClientOptions, 'outboxCapacity' | 'maxInFlight' | 'sendRetry' | 'autoAck' | 'lastSeenSeq' | 'seenStore'>;

export interface ConversationParts {
  readonly link: ClientLink;
  readonly keys: MessageKeys;
  readonly attachments: AttachmentReader;
  /** `#room` conversations. */
  readonly rooms: RoomTraffic;
  /** Who the server knows now (ChatClient keeps it up to date). */
  readonly roster: ReadonlyMap<string, RosterEntry>;
  /** Replies quote, edits, deletes and reactions change what was shown (references/). */
  readonly references: ReceivedReferences;
  /** Whether this user blocked `name`: their messages are not shown (blocks.ts). */
  readonly blocked: (name: string) => boolean;
  readonly emit: Emit<'message' | 'messageChanged' | 'fileOffer' | 'sent' | 'error'>;
}

/** The frames a conversation handles. */
export type ConversationFrame = ServerFrameOf<'msg' | 'sent' | 'history_page'>;

export class Conversations {
  private readonly sender: Sender;
  private readonly autoAck: boolean;
  private readonly requests: PendingRequests<HistoryPage>;
  /** The last seq and recent message ids shown, kept in the seen store. */
  private readonly shown: ShownMessages;
  private readonly receipts: Receipts;
  private readonly link: ClientLink;
  /** Ids of queued room-key messages: not the application's, so no `sent` is emitted for them. */
  private readonly hiddenIds = new Set<string>();
  /** Private messages to names nobody has registered yet (waiting-messages.ts). */
  private readonly waiting: WaitingMessages;
  /** The server speaks v3, which tells of new names and keeps held text (set at each login). */
  private waitingServed = false;

  constructor(
    options: ConversationOptions,
    private readonly parts: ConversationParts,
  ) {
    const link = parts.link;
    this.link = link;
    this.receipts = new Receipts((seq) => link.send({ type: 'ack', seq }));
    this.sender = new Sender(link.clock, { capacity: options.outboxCapacity, maxInFlight: options.maxInFlight, retry: options.sendRetry });
    this.autoAck = options.autoAck ?? true;
    if (options.lastSeenSeq !== undefined) {
      if (!Number.isSafeInteger(options.lastSeenSeq) || options.lastSeenSeq < 0) throw new RangeError(`lastSeenSeq must be an integer ≥ 0, not ${options.lastSeenSeq}`);
      this.receipts.restore(options.lastSeenSeq);
    }
    this.shown = new ShownMessages(options.seenStore, link.clock, (error) => parts.emit('error', seenStoreError(error)));
    this.requests = new PendingRequests(link.clock);
    this.waiting = new WaitingMessages(link.clock);
  }

  /** The highest seq shown so far. */
  get lastSeenSeq(): number {
    return this.receipts.lastSeen;
  }

  /** Messages waiting for the server's `sent`. */
  get outboxSize(): number {
    return this.sender.size;
  }

  /** The highest seq acknowledged, sent with the login. */
  get loginAckedSeq(): number | undefined {
    return this.receipts.loginAckedSeq;
  }

  /** Queues text for "*" (readable by the server) or one user (encrypted to their pinned key). See ChatClient.sendText. */
  queueText(to: string, text: string, options: SendOptions = {}): QueuedMessage {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > LIMITS.maxTextBytes) throw new ClassChatError('text_too_long', `the message is ${bytes} bytes; the limit is ${LIMITS.maxTextBytes} bytes`);
    this.link.checkOpen();
    if (to.trimStart().startsWith(ROOM_PREFIX)) return this.queueRoomText(to, text);
    const recipient = checkRecipient(to);
    if (recipient === EVERYONE) return this.enqueue(recipient, { text });
    const entry = this.parts.roster.get(recipient);
    if (entry === undefined && recipient !== this.link.me && this.link.connected) {
      if (options.waitForJoin && this.waitingServed && this.parts.rooms.encrypted(recipient) === undefined) return this.holdForJoin(recipient, text);
      throw new ClassChatError('unknown_user', `There is no user with that name. (${recipient})`);
    }
    const keys = this.parts.keys;
    // A pinned user reported keyless is a key change (refused by seal below), not a plain-text user.
    if (entry?.publicKey === null && !keys.isPinned(recipient)) {
      if (options.allowUnencrypted) return this.enqueue(recipient, { text });
      throw new ClassChatError('no_key', `${recipient} uses the plain-text mode and has no key: the message cannot be encrypted and the server could read it (send it explicitly unencrypted to accept that)`);
    }
    if (!keys.canSeal) throw new ChatClientError('unknown_key', `${recipient}'s key is not known yet: connect first, so the message can be encrypted`);
    const id = newMessageId();
    return this.enqueueSealed(recipient, id, () => keys.sealText(recipient, id, text));
  }

  /** Holds a private message until `to` registers (20.7): it cannot be encrypted before. */
  private holdForJoin(to: string, text: string): QueuedMessage {
    const id = newMessageId();
    return { id, to, encrypted: true, waiting: true, sent: this.waiting.hold(id, to, text) };
  }

  /**
   * The roster changed (a presence, or a login's roster): messages waiting for a name now known
   * are sealed to its key and queued under the id they were given.
   */
  rosterChanged(): void {
    for (const name of this.waiting.names()) {
      const entry = this.parts.roster.get(name);
      if (entry === undefined) continue;
      this.waiting.release(name, (id, text) => {
        if (entry.publicKey === null) throw new ClassChatError('no_key', `${name} joined with the plain-text mode and has no key, so the message waiting for them was not sent (send it again, explicitly unencrypted)`);
        return this.enqueueSealed(name, id, () => this.parts.keys.sealText(name, id, text)).sent;
      });
    }
  }

  /** Messages waiting for a classmate to join. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Queues a room key for `to`, sealed by `seal` under the message's id, as a hidden private message. */
  queueHidden(to: string, seal: (id: string) => Box): void {
    const id = newMessageId();
    const queued = this.enqueue(checkRecipient(to), { box: seal(id), hidden: true }, id);
    this.hiddenIds.add(id);
    queued.sent.then(
      () => this.hiddenIds.delete(id),
      (error: unknown) => {
        this.hiddenIds.delete(id);
        if (error instanceof ClassChatError) this.parts.emit('error', new ClassChatError(error.code, `a room key for ${to} was not sent: ${error.message}`));
      },
    );
  }

  /** Queues an end-to-end encrypted payload for one user (the caller encrypts). */
  sendBox(to: string, box: Box): Promise<SentInfo> {
    if (to === EVERYONE) throw new ClassChatError('invalid_frame', 'encrypted messages go to one user, not to everyone');
    const parsed = boxSchema.safeParse(box);
    if (!parsed.success) throw new ClassChatError('invalid_frame', `invalid box: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return this.enqueue(checkRecipient(to), { box: parsed.data }).sent;
  }

  /** Seals a file offer's `text` (its name and key) for `to` and queues it with the file's sizes. */
  queueOffer(to: string, text: string, offer: FileOffer): Promise<SentInfo> {
    const keys = this.parts.keys;
    if (!keys.canSeal) throw new ChatClientError('not_connected', 'connect once before sending a file');
    const id = newMessageId();
    return this.enqueue(checkRecipient(to), { box: keys.seal(to, id, text), file: offer }, id).sent;
  }

  /** One page of a conversation ("*" for messages to everyone, "#room" for a room), oldest first. */
  history(withWhom: string, opts: { before?: number; limit?: number } = {}): Promise<HistoryPage> {
    const target = withWhom.trimStart().startsWith(ROOM_PREFIX) ? ROOM_PREFIX + roomName(withWhom) : checkRecipient(withWhom);
    const { before, limit } = opts;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.maxHistoryPage)) {
      throw new ClassChatError('invalid_frame', `history limit must be 1-${LIMITS.maxHistoryPage}, not ${limit}`);
    }
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 0)) throw new ClassChatError('invalid_frame', `before must be a seq ≥ 0, not ${before}`);
    const link = this.link;
    if (!link.ready) throw new ChatClientError('not_connected', 'not connected to the server; try again once connected');
    return this.requests.start(link.requestTimeoutMs, 'history request', (rid) => link.send({ type: 'history', rid, with: target, before, limit }));
  }

  /** Acknowledges everything up to `seq` (only needed with autoAck: false). Batched per tick. */
  acknowledge(seq: number): void {
    this.receipts.acknowledge(seq);
  }

  onFrame(frame: ConversationFrame): void {
    switch (frame.type) {
      case 'msg':
        if (this.receipts.accept(frame.seq)) {
          if (frame.hidden) this.parts.rooms.onHidden(frame);
          else {
            const message = this.view(frame, true);
            if (message) this.show(message);
          }
        }
        if (this.autoAck) this.receipts.acknowledge(this.receipts.lastSeen);
        return;
      case 'sent': {
        const info = this.sender.onSent(frame.id, frame.seq, frame.ts, frame.duplicate, frame.file);
        if (info && !this.hiddenIds.has(info.id)) this.parts.emit('sent', info);
        return;
      }
      case 'history_page':
        this.requests.resolve(frame.rid, { with: frame.with, messages: this.parts.references.page(frame.messages.flatMap((message) => (message.hidden || this.hides(message) ? [] : (this.view(message, false) ?? [])))), more: frame.more });
    }
  }

  /** A server error about a queued message (its id); false when it is not one of ours. */
  claimSendError(id: string | undefined, error: ClassChatError): boolean {
    return this.sender.onError(id, error);
  }

  /** A server error answering a history request (its rid); false when none is pending. */
  claimRequestError(rid: string | undefined, error: ClassChatError): boolean {
    return this.requests.claimError(rid, error);
  }

  /** Reads the seen store once, before the first login. */
  async loadSeen(): Promise<void> {
    const seq = await this.shown.load();
    if (seq !== undefined) this.receipts.restore(seq);
  }

  /** Logged in: acknowledgements catch up with the server's, and the outbox feeds `conn`. */
  loggedIn(conn: FrameSink, welcome: WelcomeFrame): void {
    this.receipts.loggedIn(welcome.ackedSeq);
    this.sender.attach(conn);
    this.waitingServed = welcome.v >= ROOMS_VERSION;
    // A name may have registered while this client was offline.
    this.rosterChanged();
  }

  drained(): void {
    this.sender.pump();
  }

  connectionLost(): void {
    this.sender.detach();
    this.requests.connectionLost();
  }

  stopTimers(): void {
    this.receipts.cancel();
  }

  /** About to say bye: acknowledge what was shown. */
  flushAcks(): void {
    this.receipts.flush();
  }

  /** Closed for good: queued messages and pending pages reject with `reason`. */
  shutdown(reason: Error): void {
    this.waiting.rejectAll(reason);
    this.sender.rejectAll(reason);
    this.requests.rejectAll(reason);
  }

  /** Saves what was shown last. */
  flushShown(): Promise<void> {
    return this.shown.flush();
  }

  /** A message that was held (a room message waiting for its key), shown now: once, like any other. */
  showLate(message: OpenedMessage): void {
    this.show(message);
  }

  /** A blocked classmate's message (not a membership or moderation event): not shown anywhere. */
  private hides(message: ChatMessage): boolean {
    return message.event === undefined && message.from !== this.link.me && this.parts.blocked(message.from);
  }

  private show(opened: OpenedMessage): void {
    if (this.hides(opened)) return;
    // A new seq with an id already shown from that sender is a replay: acknowledged, not shown.
    if (!this.shown.admit(opened)) return;
    const { message, change } = this.parts.references.live(opened);
    if (change) this.parts.emit('messageChanged', change);
    if (!message) return;
    this.parts.emit('message', message);
    if (message.attachment && message.to === this.link.me) this.parts.emit('fileOffer', message.attachment);
  }

  /** Queues text for `#room`: sealed with this user's sender key, or as text in a room that is not encrypted. */
  private queueRoomText(to: string, text: string): QueuedMessage {
    const room = roomName(to);
    const encrypted = this.parts.rooms.encrypted(room);
    if (encrypted === undefined) throw new ClassChatError('unknown_room', `#${room} is not a room you know of (join it, or wait until the rooms are listed after connecting)`);
    if (!encrypted) return this.enqueue(ROOM_PREFIX + room, { text });
    if (!this.parts.keys.canSeal) throw new ChatClientError('unknown_key', `connect first, so the message to #${room} can be encrypted`);
    const id = newMessageId();
    return this.enqueue(ROOM_PREFIX + room, { box: this.parts.rooms.seal(room, id, text) }, id);
  }

  /**
   * A message as shown: decrypted and checked when it is a box; a file offer described. A room's
   * goes to the rooms (`live`: from the mailbox); undefined when it is held for its key.
   */
  private view(message: ChatMessage, live: boolean): OpenedMessage | undefined {
    if (message.to.startsWith(ROOM_PREFIX)) return this.parts.rooms.view(message, live);
    if (message.event) return noticeView(message, this.link.me, this.link.clock.now());
    const shown = { ...this.parts.keys.view(message), conversation: message.to === EVERYONE ? EVERYONE : message.from === this.link.me ? message.to : message.from };
    if (message.file === undefined || shown.text === undefined) return shown;
    const attachment = this.parts.attachments.describe(message, shown.text);
    if (!attachment) return { ...shown, text: undefined, decryptError: 'could_not_decrypt' };
    return { ...shown, text: `sent a file: ${attachment.name} (${attachment.size} bytes)`, attachment };
  }

  /** Queues a payload as it is; `recipient` is checked: "*", a user name or "#room". */
  /**
   * Queues a private text sealed by `seal`. In device mode the server refuses keys for lists that
   * changed (device_list_changed), after sending the current ones: sealed again once, same id.
   */
  private enqueueSealed(recipient: string, id: string, seal: () => SealedText): QueuedMessage {
    const first = this.enqueue(recipient, seal(), id);
    if (!first.sent) return first;
    const sent = first.sent.catch((error: unknown) => {
      if (!(error instanceof ClassChatError) || error.code !== 'device_list_changed') throw error;
      return this.enqueue(recipient, seal(), id).sent;
    });
    return { ...first, sent };
  }

  enqueue(recipient: string, payload: OutboxPayload, id?: string): QueuedMessage {
    this.link.checkOpen();
    const { id: queuedId, sent } = this.sender.queue(recipient, payload, id);
    return { id: queuedId, to: recipient, encrypted: 'box' in payload, sent };
  }
}

function roomName(raw: string): string {
  const checked = checkRoomName(raw);
  if (checked.ok) return checked.room;
  throw new ClassChatError(checked.code === 'name_reserved' ? 'unknown_room' : 'invalid_room_name', `"${raw}" is not a valid room name`);
}

function seenStoreError(error: Error): ChatClientError {
  return new ChatClientError('seen_store_failed', `could not keep track of the messages already shown (one may be shown twice after a restart): ${error.message}`);
}
