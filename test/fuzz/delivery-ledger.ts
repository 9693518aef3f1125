/**
 * The fuzz model of delivery, shared by the raw-protocol and the ChatClient properties: every
 * message a client wrote, whether the server acknowledged it (and under which seq), and what each
 * recipient was shown. Violations are collected as they happen and checked after each command.
 */
import { EVERYONE } from '../../src/protocol/names';
import type { MessageRef } from '../../src/protocol/references';
import type { ChatEvent } from '../../src/protocol/room-frames';
import { roomOf } from '../../src/server/rooms/room-book';
import { isAnnotation } from './refs-model';
import { RoomLog } from './room-log';

export interface Box {
  nonce: string;
  ciphertext: string;
}

export interface SentRecord {
  from: string;
  id: string;
  to: string;
  text: string;
  /** For an encrypted room: what was sent instead of the text. */
  box?: Box;
  /** The code of an `error` carrying this id (not stored, the server says). */
  refused?: string;
  /** The seq of the server's `sent`; set once acknowledged. */
  ackedSeq?: number;
  /** Written only as half a line before the socket was destroyed: must never be delivered. */
  torn?: boolean;
  /** A reply, edit, delete or reaction (refs-model.ts). */
  ref?: MessageRef;
}

export interface Delivery {
  seq: number;
  id: string;
  from: string;
  to: string;
  text?: string;
  box?: Box;
  event?: ChatEvent;
  ref?: MessageRef;
  /** Delivered after an edit or delete was stored (a redelivery, or one held for an offline user). */
  edited?: { seq: number; id: string };
  deleted?: unknown;
}

export class DeliveryLedger {
  readonly violations: string[] = [];
  private readonly messages = new Map<string, SentRecord>();
  /** Per recipient, each message as first shown (redeliveries are checked, not added). */
  private readonly shown = new Map<string, Delivery[]>();
  /** Events seen, membership by seq, and the events the commands expected. */
  readonly rooms: RoomLog;
  /** Bumped by every command that changes rooms or moderation: a send's expected answer holds only within one epoch. */
  epoch = 0;
  refusedCount = 0;
  /** What the reference commands and checks did (for the report). */
  readonly refCounts: Record<string, number> = {};

  /**
   * `everySendAnswered`: the harness resends until each write is answered (the raw protocol's
   * does), so at quiescence a message delivered but never acknowledged is a violation.
   * `annotationsApplied`: edits, deletes and reactions change their target instead of being
   * shown (the ChatClient's), so they are never missing.
   */
  constructor(
    readonly users: readonly string[],
    private readonly options: { everySendAnswered?: boolean; annotationsApplied?: boolean } = {},
  ) {
    this.rooms = new RoomLog(users);
    for (const user of users) this.shown.set(user, []);
  }

  violation(text: string): void {
    this.violations.push(text);
  }

  /** Throws with every violation so far (fast-check then shrinks the command list). */
  assertClean(): void {
    if (this.violations.length > 0) throw new Error(`model violated:\n  ${this.violations.slice(0, 10).join('\n  ')}`);
  }

  written(record: SentRecord): void {
    this.messages.set(key(record.from, record.id), record);
  }

  record(from: string, id: string): SentRecord | undefined {
    return this.messages.get(key(from, id));
  }

  /** The server's `sent` (or the client library's resolved send) for `from`'s message `id`. */
  acknowledged(from: string, id: string, seq: number): void {
    const record = this.messages.get(key(from, id));
    if (!record) return this.violation(`${from}: "sent" for ${id}, which was never written`);
    if (record.ackedSeq !== undefined && record.ackedSeq !== seq) {
      return this.violation(`${from}/${id} acknowledged twice with different seqs: ${record.ackedSeq} then ${seq}`);
    }
    record.ackedSeq = seq;
  }

  /** An `error` carrying `from`'s id: the message was not stored (PROTOCOL.md section 6). */
  refused(from: string, id: string, code: string): void {
    const record = this.messages.get(key(from, id));
    if (!record) return this.violation(`${from}: error ${code} for ${id}, which was never written`);
    if (record.ackedSeq !== undefined) return this.violation(`${from}/${id}: error ${code} ("not stored") after it was acknowledged as seq ${record.ackedSeq}`);
    if (record.refused === undefined) this.refusedCount++;
    record.refused = code;
  }

  /**
   * Checks that `recipient` may be shown `delivery` (sent, whole, addressed to them, as sent);
   * false after recording a violation. Second devices are checked only this far.
   */
  addressed(recipient: string, delivery: Delivery): boolean {
    const what = `${recipient} got ${delivery.from}/${delivery.id} (seq ${delivery.seq})`;
    const record = this.messages.get(key(delivery.from, delivery.id));
    let wrong: string | undefined;
    if (!record) wrong = 'never sent';
    else if (record.torn) wrong = 'it was only half a line, cut off';
    else if (!this.addressedAt(record, recipient, delivery.seq, false)) wrong = record.from === recipient ? `their own message to ${record.to}` : `addressed to ${record.to}, not to them${roomOf(record.to) !== undefined ? ' (not a member at that seq)' : ''}`;
    else if (delivery.to !== record.to) wrong = `"to" is ${delivery.to}, sent to ${record.to}`;
    else if (!this.contentMatches(record, delivery)) wrong = `content differs from what was sent${delivery.edited ? ' and edited' : ''} (${JSON.stringify(delivery.text ?? delivery.box ?? null).slice(0, 60)}, sent ${JSON.stringify(record.box ?? record.text).slice(0, 60)})`;
    else if (record.ackedSeq !== undefined && record.ackedSeq !== delivery.seq) wrong = `acknowledged as seq ${record.ackedSeq}`;
    else if (JSON.stringify(delivery.ref) !== JSON.stringify(record.ref)) wrong = `ref ${JSON.stringify(delivery.ref)}, sent with ${JSON.stringify(record.ref)}`;
    if (wrong !== undefined) this.violation(`${what}: ${wrong}`);
    return wrong === undefined;
  }

  /**
   * Content as sent; a message delivered after it changed (20.5) carries its newest edit's
   * content or, deleted, none; an edit or delete may come without (erased).
   */
  private contentMatches(record: SentRecord, delivery: Delivery): boolean {
    const empty = delivery.text === undefined && delivery.box === undefined;
    if (delivery.deleted !== undefined) return empty;
    if (empty) return record.box === undefined || record.ref?.rel === 'edit' || record.ref?.rel === 'delete';
    const source = delivery.edited ? this.messages.get(key(record.from, delivery.edited.id)) : record;
    if (!source) return false;
    if (source.box === undefined) return delivery.text === undefined || delivery.text === source.text;
    return delivery.box?.ciphertext === source.box.ciphertext && delivery.box.nonce === source.box.nonce;
  }

  /** `recipient` was shown `delivery` for the first time. */
  delivered(recipient: string, delivery: Delivery): void {
    const what = `${recipient} got ${delivery.from}/${delivery.id} (seq ${delivery.seq})`;
    if (!this.addressed(recipient, delivery)) return;
    const list = this.shown.get(recipient)!;
    if (list.some((earlier) => earlier.from === delivery.from && earlier.id === delivery.id)) {
      return this.violation(`${what}: shown twice`);
    }
    const last = list[list.length - 1];
    if (last && last.seq >= delivery.seq) return this.violation(`${what}: after seq ${last.seq}, out of mailbox order`);
    list.push(delivery);
  }

  /**
   * Whether `recipient` may see an event (on its primary session or another device): room events
   * go to the members after it, those named and the actor; a mute to its user; exam mode to all.
   */
  eventAddressed(recipient: string, delivery: Delivery): boolean {
    const what = `${recipient} got event ${delivery.event?.kind} ${delivery.from} → ${delivery.to} (seq ${delivery.seq})`;
    const record = { seq: delivery.seq, id: delivery.id, from: delivery.from, to: delivery.to, event: delivery.event! };
    const mismatch = this.rooms.saw(record);
    if (mismatch !== undefined) this.violation(`${what}: ${mismatch}`);
    const room = roomOf(delivery.to);
    const named = delivery.event!.names.includes(recipient) || delivery.from === recipient;
    const ok = room !== undefined ? named || this.rooms.memberAt(room, recipient, delivery.seq + 1) : this.rooms.eventRecipients(record).includes(recipient);
    if (!ok) this.violation(`${what}: not for them`);
    return ok && mismatch === undefined;
  }

  /** `recipient` was shown an event for the first time (kept in its mailbox order with the messages). */
  eventDelivered(recipient: string, delivery: Delivery): void {
    if (!this.eventAddressed(recipient, delivery)) return;
    this.pushShown(recipient, delivery, `${recipient} got event ${delivery.from}/${delivery.id} (seq ${delivery.seq})`);
  }

  /** Acknowledged messages addressed to `recipient` that it has not been shown yet. */
  missing(recipient: string): SentRecord[] {
    const shown = new Set(this.shown.get(recipient)!.map((delivery) => key(delivery.from, delivery.id)));
    return [...this.messages.values()].filter(
      (record) => record.ackedSeq !== undefined && !(this.options.annotationsApplied && isAnnotation(record)) && this.addressedAt(record, recipient, record.ackedSeq) && !shown.has(key(record.from, record.id)),
    );
  }

  /** Events seen by someone that should be in `recipient`'s mailbox and were not shown to it. */
  missingEvents(recipient: string): number[] {
    const shown = new Set(this.shown.get(recipient)!.map((delivery) => delivery.seq));
    return this.rooms.all().filter((event) => this.rooms.eventRecipients(event).includes(recipient) && !shown.has(event.seq)).map((event) => event.seq);
  }

  /**
   * Whether a message goes to `recipient`: private and Everyone as addressedTo; a room's by
   * membership at `seq`. As a message arrives only the recipient's membership is known for sure
   * (the events about the sender may still be on their way): `senderKnown` false checks only that.
   */
  private addressedAt(record: SentRecord, recipient: string, seq: number, senderKnown = true): boolean {
    const room = roomOf(record.to);
    if (room === undefined) return addressedTo(record, recipient);
    if (!senderKnown) return recipient !== record.from && this.rooms.memberAt(room, recipient, seq);
    return this.rooms.roomRecipients(room, record.from, seq).includes(recipient);
  }

  private pushShown(recipient: string, delivery: Delivery, what: string): void {
    const list = this.shown.get(recipient)!;
    if (list.some((earlier) => earlier.seq === delivery.seq)) return this.violation(`${what}: shown twice`);
    const last = list[list.length - 1];
    if (last && last.seq >= delivery.seq) return this.violation(`${what}: after seq ${last.seq}, out of mailbox order`);
    list.push(delivery);
  }

  /**
   * At quiescence: every acknowledged message was shown to each recipient exactly once, and each
   * sender's messages reached each recipient in the order the server acknowledged them.
   */
  finalCheck(): void {
    for (const problem of this.rooms.compareWithExpected()) this.violation(problem);
    for (const recipient of this.users) {
      for (const record of this.missing(recipient)) this.violation(`${recipient} never got ${record.from}/${record.id} (acknowledged as seq ${record.ackedSeq}${record.to !== EVERYONE ? `, to ${record.to}` : ''})`);
      for (const seq of this.missingEvents(recipient)) this.violation(`${recipient} never got the event at seq ${seq} (${JSON.stringify(this.rooms.event(seq))})`);
      for (const delivery of this.shown.get(recipient)!) {
        if (delivery.event !== undefined) continue;
        const record = this.messages.get(key(delivery.from, delivery.id))!;
        if (record.ackedSeq === undefined) {
          if (this.options.everySendAnswered || record.refused !== undefined) this.violation(`${recipient} got ${record.from}/${record.id} (seq ${delivery.seq}), which was never acknowledged${record.refused ? ` but refused with ${record.refused}` : ''}`);
        }
        // Checked as it arrived against the events then known; now against all of them.
        else if (!this.addressedAt(record, recipient, record.ackedSeq)) this.violation(`${recipient} got ${record.from}/${record.id} (seq ${record.ackedSeq}, to ${record.to}): not a recipient at that seq`);
      }
      const bySender = new Map<string, number[]>();
      for (const delivery of this.shown.get(recipient)!) {
        const acked = this.messages.get(key(delivery.from, delivery.id))?.ackedSeq;
        if (acked === undefined) continue;
        const seqs = bySender.get(delivery.from) ?? [];
        seqs.push(acked);
        bySender.set(delivery.from, seqs);
      }
      for (const [sender, seqs] of bySender) {
        if (seqs.some((seq, i) => i > 0 && seqs[i - 1] >= seq)) this.violation(`${recipient} got ${sender}'s messages out of the sender's order: ${seqs.join(',')}`);
      }
    }
  }

  /** Every acknowledged message, in seq order (what the references model folds). */
  acknowledgedRecords(): Array<SentRecord & { ackedSeq: number }> {
    return [...this.messages.values()].filter((record): record is SentRecord & { ackedSeq: number } => record.ackedSeq !== undefined).sort((a, b) => a.ackedSeq - b.ackedSeq);
  }

  /** What `recipient`'s primary session was shown, in mailbox order. */
  shownTo(recipient: string): readonly Delivery[] {
    return this.shown.get(recipient)!;
  }

  /** Whether an acknowledged message belongs in `recipient`'s mailbox (by membership at its seq for rooms). */
  isRecipient(record: SentRecord & { ackedSeq: number }, recipient: string): boolean {
    return this.addressedAt(record, recipient, record.ackedSeq);
  }

  /** Messages acknowledged so far (for the report). */
  get acknowledgedCount(): number {
    return [...this.messages.values()].filter((record) => record.ackedSeq !== undefined).length;
  }

  get shownCount(): number {
    let count = 0;
    for (const list of this.shown.values()) count += list.length;
    return count;
  }

  /** Room messages and events shown (for the report). */
  get roomFigures(): Record<string, number> {
    let roomDeliveries = 0;
    let eventDeliveries = 0;
    for (const list of this.shown.values()) {
      for (const delivery of list) {
        if (delivery.event !== undefined) eventDeliveries++;
        else if (roomOf(delivery.to) !== undefined) roomDeliveries++;
      }
    }
    return { roomDeliveries, eventDeliveries, events: this.rooms.seenCount, refused: this.refusedCount, ...this.refCounts };
  }
}

/** Private messages go to their recipient (never back to the sender); `*` to everyone else. */
export function addressedTo(record: { from: string; to: string }, recipient: string): boolean {
  if (record.from === recipient) return false;
  return record.to === EVERYONE || record.to === recipient;
}

function key(from: string, id: string): string {
  return `${from}/${id}`;
}
