/**
 * What the soak's load process checks: every message the server acknowledged reaches each of its
 * recipients exactly once and in the sender's order; every file uploaded arrives intact.
 *
 * Message text is `<sender>|<counter>|<sendMs>|padding`: the counter is per sender and increases
 * with every message, so a recipient sees each sender's counters strictly increasing (a repeat
 * or a step back is a duplicate or a reordering) and counts the acknowledged ones it got.
 */
import { LatencyRecorder } from './stats.mjs';

export class SoakLedger {
  constructor(userCount) {
    this.userCount = userCount;
    /** Acknowledged messages to everyone per sender, and private ones per "sender>recipient". */
    this.everyoneAcked = new Array(userCount).fill(0);
    this.privateAcked = new Map();
    /** "sender|counter" of messages whose send was cut short by leaving: they may arrive or not. */
    this.unconfirmed = new Set();
    /** Sends not settled yet, with the recipients already shown them (uncounted if the send fails). */
    this.pending = new Map();
    /** Per recipient, per sender: { last counter, confirmed messages received }. */
    this.received = Array.from({ length: userCount }, () => new Map());
    this.duplicatesOrReordered = 0;
    this.misaddressed = 0;
    this.undecryptable = 0;
    this.filesUploaded = 0;
    this.filesReceived = 0;
    this.filesCorrupt = 0;
    this.filesFailed = 0;
    /** "sender|counter" → sha256 of files uploaded and not yet received. */
    this.filesInFlight = new Map();
    this.window = this.freshWindow();
    this.totals = { sent: 0, delivered: 0 };
  }

  freshWindow() {
    return { sent: 0, delivered: 0, latency: new LatencyRecorder(20_000) };
  }

  /** Closes the current sampling window and returns it. */
  takeWindow() {
    const window = this.window;
    this.window = this.freshWindow();
    return window;
  }

  sending(sender, counter) {
    this.pending.set(`${sender}|${counter}`, []);
  }

  /** The send failed (the client left first): uncount whoever was shown it already. */
  unconfirmedSend(sender, counter) {
    const key = `${sender}|${counter}`;
    this.unconfirmed.add(key);
    for (const recipient of this.pending.get(key) ?? []) this.received[recipient].get(sender).count--;
    this.pending.delete(key);
  }

  acknowledged(sender, counter, recipient) {
    this.pending.delete(`${sender}|${counter}`);
    this.window.sent++;
    this.totals.sent++;
    if (recipient === undefined) this.everyoneAcked[sender]++;
    else this.privateAcked.set(`${sender}>${recipient}`, (this.privateAcked.get(`${sender}>${recipient}`) ?? 0) + 1);
  }

  /** A message `recipient` was shown; latency counts only messages sent after `liveSince` (not backlog). */
  delivered(recipient, message, liveSince, now) {
    if (message.text === undefined) {
      this.undecryptable++;
      return;
    }
    const [senderText, counterText, sentText] = message.text.split('|');
    const sender = Number(senderText.slice(1));
    const counter = Number(counterText);
    if (message.from !== senderText || !(message.to === '*' || message.to === `s${recipient}`) || sender === recipient) {
      this.misaddressed++;
      return;
    }
    const bySender = this.received[recipient];
    const state = bySender.get(sender) ?? { last: -1, count: 0 };
    bySender.set(sender, state);
    if (counter <= state.last) {
      this.duplicatesOrReordered++;
      return;
    }
    state.last = counter;
    const key = `${sender}|${counter}`;
    if (!this.unconfirmed.has(key)) {
      state.count++;
      this.pending.get(key)?.push(recipient);
    }
    this.window.delivered++;
    this.totals.delivered++;
    if (Number(sentText) >= liveSince) this.window.latency.add(now - Number(sentText));
  }

  /** Acknowledged messages `recipient` has not been shown (yet). */
  missingFor(recipient) {
    let expected = 0;
    for (let sender = 0; sender < this.userCount; sender++) if (sender !== recipient) expected += this.everyoneAcked[sender];
    for (const [pair, count] of this.privateAcked) if (pair.endsWith(`>${recipient}`)) expected += count;
    let got = 0;
    for (const state of this.received[recipient].values()) got += state.count;
    return expected - got;
  }

  missingTotal() {
    let missing = 0;
    for (let user = 0; user < this.userCount; user++) missing += Math.max(0, this.missingFor(user));
    return missing;
  }
}
