/**
 * LogStore's in-memory state: everything the log holds, indexed for reads. It changes only by
 * applying log records, the same way on replay and live, so what a reopened store sees is
 * exactly what the running store saw. It knows nothing of files.
 */
import type { LogRecord } from './log-records';
import { messageToRecord, recordToMessage } from './log-records';
import { LogRooms } from './log-rooms';
import { replaceIn, revisionsFor } from './message-revisions';
import type { DeviceRecord, HistoryQuery, StoredMessage, UserRecord } from './store';
import { copiesToSender, copyDeviceRecord, mergeCursors } from './device-copies';
import { roomOf, type Room } from '../rooms/room-book';
import type { Role } from '../../protocol/room-frames';
import { applyModeration, copyModeration, emptyModeration, type ModerationState } from '../moderation/moderation-state';
import { BlockLists } from '../blocks/block-lists';

const EVERYONE = '*';

export class LogIndex {
  private head = 0;
  private readonly users = new Map<string, UserRecord>();
  /** Every retained message, by seq. */
  private readonly messages: StoredMessage[] = [];
  /** Messages to everyone, by seq. */
  private readonly everyone: StoredMessage[] = [];
  /** Private messages to each user (not those they sent themselves), by seq. */
  private readonly inboxes = new Map<string, StoredMessage[]>();
  /** Private messages between two users, both directions, by seq. */
  private readonly conversations = new Map<string, StoredMessage[]>();
  private readonly byClientId = new Map<string, StoredMessage>();
  private readonly rooms = new LogRooms();
  private readonly roles = new Map<string, Role>();
  private moderationState = emptyModeration();
  private readonly blocks = new BlockLists();
  /** Held messages not yet ended by an `undelivered` event, by seq (Store.listHeld). */
  private readonly held = new Map<number, StoredMessage>();
  /** v4 device records by name. */
  private readonly devices = new Map<string, DeviceRecord>();
  /** Deletes that erased content since this index was built: its log still holds those bytes. */
  erasures = 0;

  /** The highest sequence number any record mentions. */
  headSeq(): number {
    return this.head;
  }

  /** Applies one record; returns why when it cannot (the record is then ignored). */
  apply(record: LogRecord): string | undefined {
    switch (record.t) {
      case 'user': {
        const existing = this.users.get(record.name);
        // A name registering takes its held messages into its mailbox (its ack starts before them).
        if (!existing) for (const [seq, message] of this.held) if (message.to === record.name) this.held.delete(seq);
        const ackedSeq = Math.max(existing?.ackedSeq ?? 0, record.acked);
        this.users.set(record.name, { name: record.name, publicKey: record.key, ackedSeq, ...(record.since ? { historySince: record.since } : {}) });
        this.head = Math.max(this.head, record.acked);
        return undefined;
      }
      case 'deluser':
        this.users.delete(record.name);
        this.devices.delete(record.name);
        return undefined;
      case 'devices': {
        if (!this.users.has(record.name)) return `devices for ${record.name}, who is not registered`;
        const { t: _t, ...fields } = record;
        this.devices.set(record.name, { ...copyDeviceRecord(fields), cursors: mergeCursors(this.devices.get(record.name)?.cursors, record.cursors) });
        return undefined;
      }
      case 'dack': {
        const devices = this.devices.get(record.name);
        if (devices) devices.cursors = mergeCursors(devices.cursors, { [record.device]: record.seq });
        return undefined;
      }
      case 'ack': {
        const user = this.users.get(record.name);
        // An ack for a user deleted meanwhile is harmless: ignore it.
        if (user && record.seq > user.ackedSeq) {
          user.ackedSeq = record.seq;
          this.head = Math.max(this.head, record.seq);
        }
        return undefined;
      }
      case 'head':
        this.head = Math.max(this.head, record.seq);
        return undefined;
      case 'msg':
        return this.addMessage(recordToMessage(record));
      case 'mod':
        this.moderationState = { mutes: new Map(record.mutes), banned: new Set(record.banned), readOnly: record.readOnly };
        return undefined;
      case 'role':
        if (record.role === 'student') this.roles.delete(record.name);
        else this.roles.set(record.name, record.role);
        return undefined;
      case 'block':
        this.blocks.set(record.name, record.blocked, record.on);
        return undefined;
    }
  }

  private addMessage(message: StoredMessage): string | undefined {
    const last = this.messages[this.messages.length - 1];
    if (last && message.seq <= last.seq) return `sequence number ${message.seq} is not above ${last.seq}`;
    const key = clientKey(message.from, message.id);
    if (this.byClientId.has(key)) return `duplicate message id ${JSON.stringify(message.id)} from ${message.from}`;
    Object.freeze(message);
    this.messages.push(message);
    this.byClientId.set(key, message);
    applyModeration(this.moderationState, message);
    if (message.held) this.held.set(message.seq, message);
    if (message.event?.kind === 'undelivered' && message.event.seq !== undefined) this.held.delete(message.event.seq);
    const room = roomOf(message.to);
    if (message.to === EVERYONE) {
      this.everyone.push(message);
    } else if (room !== undefined) {
      this.rooms.add(message, room);
    } else {
      if (message.to !== message.from) listIn(this.inboxes, message.to).push(message);
      if (copiesToSender(message)) listIn(this.inboxes, message.from).push(message);
      listIn(this.conversations, conversationKey(message.from, message.to)).push(message);
    }
    this.head = Math.max(this.head, message.seq);
    for (const revised of revisionsFor(message, (seq) => this.findBySeq(seq))) this.replace(revised);
    return undefined;
  }

  /** Puts a revised message (an edit or delete applied) in place of the one with its seq, in every list. */
  private replace(revised: StoredMessage): void {
    const old = this.findBySeq(revised.seq);
    if (!old) return;
    if (revised.deleted && !old.deleted) this.erasures++;
    Object.freeze(revised);
    replaceIn(this.messages, revised);
    this.byClientId.set(clientKey(old.from, old.id), revised);
    if (this.held.has(old.seq)) this.held.set(old.seq, revised);
    const room = roomOf(old.to);
    if (old.to === EVERYONE) replaceIn(this.everyone, revised);
    else if (room !== undefined) this.rooms.replace(revised, room);
    else {
      const inbox = this.inboxes.get(old.to);
      if (inbox) replaceIn(inbox, revised);
      const senderInbox = copiesToSender(old) && old.to !== old.from ? this.inboxes.get(old.from) : undefined;
      if (senderInbox) replaceIn(senderInbox, revised);
      const conversation = this.conversations.get(conversationKey(old.from, old.to));
      if (conversation) replaceIn(conversation, revised);
    }
  }

  findMessage(from: string, id: string): StoredMessage | undefined {
    return this.byClientId.get(clientKey(from, id));
  }

  findBySeq(seq: number): StoredMessage | undefined {
    const index = firstAfter(this.messages, seq - 1);
    const message = this.messages[index];
    return message?.seq === seq ? message : undefined;
  }

  getUser(name: string): UserRecord | undefined {
    const user = this.users.get(name);
    return user && { ...user };
  }

  listDevices(): DeviceRecord[] {
    return [...this.devices.values()].map(copyDeviceRecord);
  }

  getDevices(name: string): DeviceRecord | undefined {
    const record = this.devices.get(name);
    return record && copyDeviceRecord(record);
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  /** Held messages for names still unregistered, oldest first. */
  listHeld(): StoredMessage[] {
    return [...this.held.values()].filter((message) => !this.users.has(message.to));
  }

  /** The seq a new user named `name` starts after: just before its first held message, if any. */
  startFor(name: string, head: number): number {
    for (const message of this.held.values()) if (message.to === name) return Math.min(head, message.seq - 1);
    return head;
  }

  moderation(): ModerationState {
    return copyModeration(this.moderationState);
  }

  listRoles(): Map<string, Role> {
    return new Map(this.roles);
  }

  listBlocks(): Map<string, Set<string>> {
    return this.blocks.toMap();
  }

  listRooms(): Room[] {
    return [...this.rooms.book.all()].map((room) => ({ ...room, members: new Map(room.members) }));
  }

  /**
   * Private messages to `name` merged with messages to everyone not sent by `name`, seq >
   * afterSeq, and with `name`'s room mail.
   */
  readMailbox(name: string, afterSeq: number, limit: number): StoredMessage[] {
    const direct = this.readDirectMail(name, afterSeq, limit);
    const roomMail = this.rooms.inbox(name);
    const first = firstAfter(roomMail, afterSeq);
    if (first === roomMail.length) return direct;
    return mergeBySeq(direct, roomMail.slice(first, first + limit), limit);
  }

  private readDirectMail(name: string, afterSeq: number, limit: number): StoredMessage[] {
    const inbox = this.inboxes.get(name) ?? [];
    const result: StoredMessage[] = [];
    let i = firstAfter(inbox, afterSeq);
    let j = firstAfter(this.everyone, afterSeq);
    while (result.length < limit) {
      while (j < this.everyone.length && this.everyone[j].from === name) j++;
      const mine = i < inbox.length ? inbox[i] : undefined;
      const all = j < this.everyone.length ? this.everyone[j] : undefined;
      if (!mine && !all) break;
      if (mine && (!all || mine.seq < all.seq)) {
        result.push(mine);
        i++;
      } else if (all) {
        result.push(all);
        j++;
      }
    }
    return result;
  }

  /** Newest-first paging, returned oldest first. */
  readHistory(query: HistoryQuery): { messages: StoredMessage[]; more: boolean } {
    const room = roomOf(query.with);
    const list =
      query.with === EVERYONE ? this.everyone : room !== undefined ? this.rooms.stream(room) : (this.conversations.get(conversationKey(query.viewer, query.with)) ?? []);
    const since = Math.max(query.after ?? 0, query.with === EVERYONE || room !== undefined ? 0 : (this.users.get(query.viewer)?.historySince ?? 0));
    const first = since > 0 ? firstAfter(list, since) : 0;
    const end = Math.max(first, query.before === undefined ? list.length : firstAfter(list, query.before - 1));
    const start = Math.max(first, end - Math.max(0, query.limit));
    return { messages: list.slice(start, end), more: start > first };
  }

  /**
   * The records a compacted log needs: the head, every user with its ack, and every message
   * someone has not acknowledged yet or among the newest `historyLimit`.
   */
  liveRecords(historyLimit: number): LogRecord[] {
    const records: LogRecord[] = [{ t: 'head', seq: this.head }];
    for (const [name, role] of this.roles) records.push({ t: 'role', name, role });
    for (const [name, blocked] of this.blocks.pairs()) records.push({ t: 'block', name, blocked, on: true });
    for (const user of this.users.values()) {
      records.push({ t: 'user', name: user.name, key: user.publicKey, acked: user.ackedSeq, ...(user.historySince ? { since: user.historySince } : {}) });
    }
    for (const devices of this.devices.values()) records.push({ t: 'devices', ...copyDeviceRecord(devices) });
    this.forEachLiveMessage(historyLimit, (message) => records.push(messageToRecord(message)));
    // Last: older moderation events kept for delivery must not undo what later ones did.
    const { mutes, banned, readOnly } = this.moderationState;
    records.push({ t: 'mod', mutes: [...mutes], banned: [...banned], readOnly });
    return records;
  }

  /** How many records `liveRecords` would return, without building them. */
  countLive(historyLimit: number): number {
    let count = 2 + this.users.size + this.roles.size + this.devices.size + this.blocks.pairCount;
    this.forEachLiveMessage(historyLimit, () => count++);
    return count;
  }

  private forEachLiveMessage(historyLimit: number, visit: (message: StoredMessage) => void): void {
    // A message to everyone is pending while any user other than its sender has ackedSeq below
    // it; the two lowest acks answer that for every sender. Users registered later start at the
    // head, so they never hold an older message.
    let lowest: UserRecord | undefined;
    let second: UserRecord | undefined;
    for (const user of this.users.values()) {
      if (!lowest || user.ackedSeq < lowest.ackedSeq) {
        second = lowest;
        lowest = user;
      } else if (!second || user.ackedSeq < second.ackedSeq) {
        second = user;
      }
    }
    const firstKeptForHistory = this.messages.length - Math.max(0, historyLimit);
    const liveRoomMail = this.rooms.live(this.users.values(), firstAfter);
    // An indexed loop: entries() allocates a pair per message, and this runs over every message.
    for (let index = 0; index < this.messages.length; index++) {
      const message = this.messages[index];
      let live = index >= firstKeptForHistory;
      if (!live && liveRoomMail.has(message)) {
        live = true;
      } else if (!live && roomOf(message.to) !== undefined) {
        live = false;
      } else if (!live && message.to === EVERYONE) {
        const other = lowest && lowest.name !== message.from ? lowest : second;
        live = other !== undefined && other.ackedSeq < message.seq;
      } else if (!live && message.to !== message.from) {
        const recipient = this.users.get(message.to);
        // A held message waits for its name to register (or for its undelivered event).
        live = recipient !== undefined ? recipient.ackedSeq < message.seq : this.held.has(message.seq);
        // The sender's other devices may not have their copy yet (v4).
        if (!live && copiesToSender(message)) live = (this.users.get(message.from)?.ackedSeq ?? message.seq) < message.seq;
      } else if (!live && copiesToSender(message)) {
        live = (this.users.get(message.from)?.ackedSeq ?? message.seq) < message.seq;
      }
      if (live) visit(message);
    }
  }
}

function clientKey(from: string, id: string): string {
  return `${from}\n${id}`;
}

function conversationKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}

function listIn(map: Map<string, StoredMessage[]>, key: string): StoredMessage[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/** Two seq-ordered lists as one, at most `limit` long. */
function mergeBySeq(a: readonly StoredMessage[], b: readonly StoredMessage[], limit: number): StoredMessage[] {
  const result: StoredMessage[] = [];
  let i = 0;
  let j = 0;
  while (result.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i].seq < b[j].seq)) result.push(a[i++]);
    else result.push(b[j++]);
  }
  return result;
}

/** Index of the first message with seq > afterSeq (binary search). */
function firstAfter(list: readonly StoredMessage[], afterSeq: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle].seq <= afterSeq) low = middle + 1;
    else high = middle;
  }
  return low;
}
