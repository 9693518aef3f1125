/**
 * The fuzz model of delivery, shared by the raw-protocol and the ChatClient properties: every
 * message a client wrote, whether the server acknowledged it (and under which seq), and what each
 * recipient was shown. Violations are collected as they happen and checked after each command.
 */
import { EVERYONE } from '../../src/protocol/names';

export interface SentRecord {
  from: string;
  id: string;
  to: string;
  text: string;
  /** The seq of the server's `sent`; set once acknowledged. */
  ackedSeq?: number;
  /** Written only as half a line before the socket was destroyed: must never be delivered. */
  torn?: boolean;
}

export interface Delivery {
  seq: number;
  id: string;
  from: string;
  to: string;
  text?: string;
}

export class DeliveryLedger {
  readonly violations: string[] = [];
  private readonly messages = new Map<string, SentRecord>();
  /** Per recipient, each message as first shown (redeliveries are checked, not added). */
  private readonly shown = new Map<string, Delivery[]>();

  constructor(readonly users: readonly string[]) {
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
    else if (!addressedTo(record, recipient)) wrong = `addressed to ${record.to}, not to them`;
    else if (delivery.to !== record.to) wrong = `"to" is ${delivery.to}, sent to ${record.to}`;
    else if (delivery.text !== undefined && delivery.text !== record.text) wrong = 'text differs from what was sent';
    else if (record.ackedSeq !== undefined && record.ackedSeq !== delivery.seq) wrong = `acknowledged as seq ${record.ackedSeq}`;
    if (wrong !== undefined) this.violation(`${what}: ${wrong}`);
    return wrong === undefined;
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

  /** Acknowledged messages addressed to `recipient` that it has not been shown yet. */
  missing(recipient: string): SentRecord[] {
    const shown = new Set(this.shown.get(recipient)!.map((delivery) => key(delivery.from, delivery.id)));
    return [...this.messages.values()].filter(
      (record) => record.ackedSeq !== undefined && addressedTo(record, recipient) && !shown.has(key(record.from, record.id)),
    );
  }

  /**
   * At quiescence: every acknowledged message was shown to each recipient exactly once, and each
   * sender's messages reached each recipient in the order the server acknowledged them.
   */
  finalCheck(): void {
    for (const recipient of this.users) {
      for (const record of this.missing(recipient)) this.violation(`${recipient} never got ${record.from}/${record.id} (acknowledged as seq ${record.ackedSeq})`);
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

  /** Messages acknowledged so far (for the report). */
  get acknowledgedCount(): number {
    return [...this.messages.values()].filter((record) => record.ackedSeq !== undefined).length;
  }

  get shownCount(): number {
    let count = 0;
    for (const list of this.shown.values()) count += list.length;
    return count;
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
