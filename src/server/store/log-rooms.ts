/**
 * LogIndex's rooms: the RoomBook its events build, each room's stream of messages, and each
 * user's room mailbox (the room messages and events that were theirs when stored), by seq.
 */
import { RoomBook } from '../rooms/room-book';
import type { StoredMessage, UserRecord } from './store';
import { replaceIn } from './message-revisions';

export class LogRooms {
  readonly book = new RoomBook();
  /** Room messages and events for each user, by seq. */
  private readonly inboxes = new Map<string, StoredMessage[]>();
  /** Every retained message of each room, by seq. */
  private readonly streams = new Map<string, StoredMessage[]>();

  /** Files a message to `room` (an event also changes its membership). */
  add(message: StoredMessage, room: string): void {
    const belongs = this.book.belongs(message);
    const recipients = this.book.apply(message) ?? [];
    for (const name of recipients) listIn(this.inboxes, name).push(message);
    if (belongs) listIn(this.streams, room).push(message);
  }

  /** Puts a revised message in place of the one with its seq, in its room's stream and every inbox. */
  replace(revised: StoredMessage, room: string): void {
    const stream = this.streams.get(room);
    if (stream) replaceIn(stream, revised);
    for (const inbox of this.inboxes.values()) replaceIn(inbox, revised);
  }

  inbox(name: string): readonly StoredMessage[] {
    return this.inboxes.get(name) ?? NONE;
  }

  stream(room: string): readonly StoredMessage[] {
    return this.streams.get(room) ?? NONE;
  }

  /**
   * Room messages compaction must keep: every event (membership is rebuilt from them) and every
   * message some recipient has not acknowledged.
   */
  live(users: Iterable<UserRecord>, firstAfter: (list: readonly StoredMessage[], seq: number) => number): Set<StoredMessage> {
    const live = new Set<StoredMessage>();
    for (const stream of this.streams.values()) for (const message of stream) if (message.event) live.add(message);
    for (const user of users) {
      const inbox = this.inboxes.get(user.name);
      if (!inbox) continue;
      for (let index = firstAfter(inbox, user.ackedSeq); index < inbox.length; index++) live.add(inbox[index]);
    }
    return live;
  }
}

const NONE: readonly StoredMessage[] = [];

function listIn(map: Map<string, StoredMessage[]>, key: string): StoredMessage[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
