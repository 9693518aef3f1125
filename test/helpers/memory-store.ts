/**
 * A non-durable Store kept entirely in memory: the simplest reading of the Store contract.
 * It runs the shared store suite beside LogStore, and lets server tests that are not about
 * storage start fast.
 */
import type { Role } from '../../src/protocol/room-frames';
import { BlockLists } from '../../src/server/blocks/block-lists';
import { Room, RoomBook, roomOf } from '../../src/server/rooms/room-book';
import { applyModeration, copyModeration, emptyModeration, type ModerationState } from '../../src/server/moderation/moderation-state';
import { revisionsFor } from '../../src/server/store/message-revisions';
import type { AppendResult, DeviceRecord, HistoryQuery, NewMessage, Store, StoredMessage, UserRecord } from '../../src/server/store/store';
import { NameTakenError } from '../../src/server/store/store';
import { copiesToSender, copyDeviceRecord, mergeCursors } from '../../src/server/store/device-copies';

export class MemoryStore implements Store {
  private users = new Map<string, UserRecord>();
  private messages: StoredMessage[] = [];
  private byClientId = new Map<string, StoredMessage>();
  private head = 0;
  private rooms = new RoomBook();
  private roles = new Map<string, Role>();
  private readonly blocks = new BlockLists();
  private moderationState = emptyModeration();
  /** Held messages whose name has registered since. */
  private deliveredHeld = new Set<number>();
  /** Who each room message went to, as the RoomBook said when it was stored. */
  private roomRecipients = new Map<StoredMessage, Set<string>>();
  /** Room messages from non-members (stored in a race with their removal): in no room's history. */
  private outsideRooms = new Set<StoredMessage>();

  private devices = new Map<string, DeviceRecord>();

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async listUsers(): Promise<UserRecord[]> {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  async putUser(user: { name: string; publicKey: string | null }): Promise<UserRecord> {
    const existing = this.users.get(user.name);
    if (existing && existing.publicKey !== null && existing.publicKey !== user.publicKey) throw new NameTakenError({ ...existing });
    // As Store.putUser: a name taking a key starts afresh, a plain-text user keeps its ack.
    const firstHeld = existing ? undefined : this.heldMessages().find((message) => message.to === user.name);
    const ackedSeq = existing && user.publicKey === null ? existing.ackedSeq : firstHeld ? firstHeld.seq - 1 : this.head;
    if (!existing) for (const message of this.messages) if (message.held && message.to === user.name) this.deliveredHeld.add(message.seq);
    const since = user.publicKey === null ? existing?.historySince : ackedSeq;
    const record: UserRecord = { name: user.name, publicKey: user.publicKey, ackedSeq, ...(since ? { historySince: since } : {}) };
    this.users.set(user.name, record);
    return { ...record };
  }

  async deleteUser(name: string): Promise<boolean> {
    this.devices.delete(name);
    return this.users.delete(name);
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return [...this.devices.values()].map(copyDeviceRecord);
  }

  async putDevices(record: DeviceRecord): Promise<void> {
    if (!this.users.has(record.name)) throw new Error(`${record.name} is not registered`);
    this.devices.set(record.name, { ...copyDeviceRecord(record), cursors: mergeCursors(this.devices.get(record.name)?.cursors, record.cursors) });
  }

  async setDeviceAcked(name: string, device: string, seq: number): Promise<void> {
    const record = this.devices.get(name);
    if (record) record.cursors = mergeCursors(record.cursors, { [device]: Math.min(seq, this.head) });
  }

  async append(message: NewMessage): Promise<AppendResult> {
    const key = `${message.from}\n${message.id}`;
    const earlier = this.byClientId.get(key);
    if (earlier) return { message: earlier, duplicate: true };
    const stored: StoredMessage = { ...message, seq: ++this.head };
    this.byClientId.set(key, stored);
    this.messages.push(stored);
    if (roomOf(stored.to) !== undefined && !this.rooms.belongs(stored)) this.outsideRooms.add(stored);
    applyModeration(this.moderationState, stored);
    const recipients = this.rooms.apply(stored);
    if (recipients) this.roomRecipients.set(stored, new Set(recipients));
    for (const revised of revisionsFor(stored, (seq) => this.messages.find((m) => m.seq === seq))) this.replace(revised);
    return { message: stored, duplicate: false };
  }

  /** An edit or delete applied: the revised message takes the old one's place everywhere. */
  private replace(revised: StoredMessage): void {
    const index = this.messages.findIndex((m) => m.seq === revised.seq);
    const old = this.messages[index];
    this.messages[index] = revised;
    this.byClientId.set(`${old.from}\n${old.id}`, revised);
    const recipients = this.roomRecipients.get(old);
    if (recipients) this.roomRecipients.set(revised, recipients);
    if (this.outsideRooms.has(old)) this.outsideRooms.add(revised);
  }

  async readMailbox(name: string, afterSeq: number, limit: number): Promise<StoredMessage[]> {
    return this.messages
      .filter((m) => m.seq > afterSeq && (roomOf(m.to) !== undefined ? this.roomRecipients.get(m)!.has(name) : (m.from !== name && (m.to === '*' || m.to === name)) || (m.from === name && copiesToSender(m))))
      .slice(0, limit);
  }

  async findBySeq(seq: number): Promise<StoredMessage | undefined> {
    return this.messages.find((message) => message.seq === seq);
  }

  async readHistory(query: HistoryQuery): Promise<{ messages: StoredMessage[]; more: boolean }> {
    const room = roomOf(query.with) !== undefined;
    const since = Math.max(query.after ?? 0, query.with === '*' || room ? 0 : (this.users.get(query.viewer)?.historySince ?? 0));
    const matching = this.messages.filter(
      (m) =>
        (query.before === undefined || m.seq < query.before) &&
        m.seq > since &&
        (query.with === '*' || room
          ? m.to === query.with && !this.outsideRooms.has(m)
          : (m.from === query.viewer && m.to === query.with) || (m.from === query.with && m.to === query.viewer)),
    );
    const messages = matching.slice(-query.limit);
    return { messages, more: matching.length > messages.length };
  }

  async setAcked(name: string, seq: number): Promise<void> {
    const user = this.users.get(name);
    if (user && seq > user.ackedSeq) user.ackedSeq = seq;
  }

  private heldMessages(): StoredMessage[] {
    const ended = new Set(this.messages.filter((m) => m.event?.kind === 'undelivered').map((m) => m.event!.seq));
    return this.messages.filter((m) => m.held && !ended.has(m.seq) && !this.deliveredHeld.has(m.seq));
  }

  async listHeld(): Promise<StoredMessage[]> {
    return this.heldMessages().filter((message) => !this.users.has(message.to));
  }

  async moderation(): Promise<ModerationState> {
    return copyModeration(this.moderationState);
  }

  async listRoles(): Promise<Map<string, Role>> {
    return new Map(this.roles);
  }

  async setRole(name: string, role: Role): Promise<void> {
    if (role === 'student') this.roles.delete(name);
    else this.roles.set(name, role);
  }

  async listBlocks(): Promise<Map<string, Set<string>>> {
    return this.blocks.toMap();
  }

  async setBlocked(blocker: string, blocked: string, on: boolean): Promise<void> {
    this.blocks.set(blocker, blocked, on);
  }

  async listRooms(): Promise<Room[]> {
    return [...this.rooms.all()].map((room) => ({ ...room, members: new Map(room.members) }));
  }

  headSeq(): number {
    return this.head;
  }

  hasMessage(from: string, id: string): boolean {
    return this.byClientId.has(`${from}\n${id}`);
  }
}
