/**
 * One user of the raw-protocol fuzz: a newline-JSON socket to the real server (at most one at a
 * time), the client-side state a careful client keeps across connections (highest seq seen, an
 * outbox of unacknowledged sends, the roster), and checks on every frame as it arrives.
 */
import { connect } from 'node:net';
import type { Identity } from '../../src/crypto/identity';
import { signLogin } from '../../src/crypto/identity';
import type { ServerFrame } from '../../src/protocol/frames';
import type { MessageRef } from '../../src/protocol/references';
import type { Box, DeliveryLedger } from './delivery-ledger';
import { RawConnection, WAIT_MS } from './raw-connection';

export { WAIT_MS };

interface OutboxEntry {
  id: string;
  to: string;
  text: string;
  box?: Box;
  ref?: MessageRef;
}

/** The model's expected answer to a send: `sent` or an error code; undefined when it cannot tell. */
export type Expectation = string | undefined;

/** Errors a connection may collect before the server closes it is 20; the fuzz stays below. */
const ERROR_BUDGET = 16;

export class RawUser {
  conn: RawConnection | undefined;
  paused = false;
  /** Highest seq seen on any connection, and what each seen seq was. */
  lastSeen = 0;
  private readonly seen = new Map<number, { from: string; id: string }>();
  readonly outbox: OutboxEntry[] = [];
  readonly roster = new Map<string, boolean>();
  private counter = 0;

  /**
   * `secondDevice`: another session of the same user that only reads (logs in without ackedSeq,
   * never acks or sends); its messages are checked for address and order, not counted.
   */
  constructor(
    readonly name: string,
    readonly identity: Identity,
    private readonly port: () => number,
    private readonly ledger: DeliveryLedger,
    readonly secondDevice = false,
  ) {}

  get label(): string {
    return this.secondDevice ? `${this.name}'s second device` : this.name;
  }

  get loggedIn(): boolean {
    return this.conn !== undefined && this.conn.loggedIn && !this.conn.closed;
  }

  async open(): Promise<void> {
    const socket = connect({ host: '127.0.0.1', port: this.port(), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const conn = new RawConnection(socket, (frame) => this.onFrame(conn, frame), (text) => this.ledger.violation(`${this.label}: invalid line from the server: ${text}`));
    socket.on('close', () => {
      if (!conn.closing) this.ledger.violation(`${this.label}: the server closed the connection`);
    });
    this.conn = conn;
    await conn.waitFor(() => conn.challenge, `${this.label}: hello`);
  }

  /** Logs in; with `withAckedSeq` the login carries the highest seq seen, so nothing is resent. */
  async login(withAckedSeq: boolean): Promise<void> {
    const conn = this.need();
    const signature = await signLogin(this.identity, conn.challenge!, this.name);
    conn.loginAckedSeq = withAckedSeq ? this.lastSeen : undefined;
    conn.write({ type: 'login', v: 3, name: this.name, publicKey: this.identity.publicKey, signature, ...(withAckedSeq ? { ackedSeq: this.lastSeen } : {}) });
    await conn.waitFor(() => (conn.loggedIn ? true : undefined), `${this.label}: welcome`);
  }

  /**
   * Writes a new message (kept in the outbox until its `sent` or an error). One the model expects
   * refused is written only while the connection's error budget allows (else undefined). A
   * delete (`ref.rel` delete) carries no content.
   */
  send(to: string, text: string, expect: Expectation = 'sent', box?: Box, ref?: MessageRef): string | undefined {
    if (expect !== 'sent' && !this.canRisk(1)) return undefined;
    const id = `${this.name}-${++this.counter}`;
    const entry = { id, to, text: ref?.rel === 'delete' ? '' : `${id}:${text}`, ...(box ? { box } : {}), ...(ref ? { ref } : {}) };
    this.ledger.written({ from: this.name, ...entry });
    this.outbox.push(entry);
    this.writeSend(entry, expect);
    return id;
  }

  /**
   * Writes every unacknowledged message again, same ids, in their original order (those that
   * may be refused only within the error budget); `expect` says what the model expects of each.
   */
  resend(expect: (to: string) => Expectation = () => undefined): number {
    let written = 0;
    for (const entry of [...this.outbox]) {
      const expected = expect(entry.to);
      if (expected !== 'sent' && !this.canRisk(1)) continue;
      this.writeSend(entry, expected);
      written++;
    }
    return written;
  }

  /** Whether `count` more refusals keep this connection inside the server's error budget. */
  canRisk(count: number): boolean {
    return this.need().errorRisk + count <= ERROR_BUDGET;
  }

  /**
   * At quiescence: resends until every outbox entry is answered, in rounds that fit the error
   * budget, on a fresh connection when this one's budget is spent.
   */
  async drainOutbox(): Promise<void> {
    for (let round = 0; round < 50 && this.outbox.length > 0; round++) {
      if (!this.canRisk(1)) {
        await this.disconnect('destroy');
        await this.open();
        await this.login(true);
      }
      this.resend();
      const conn = this.need();
      await this.waitFor(() => (conn.errorRisk === conn.errors ? true : undefined), `answers to resent ${this.outbox.map((entry) => entry.id).join(',')}`);
    }
    if (this.outbox.length > 0) this.ledger.violation(`${this.name}: outbox never drained (${this.outbox.map((entry) => entry.id).join(',')} left)`);
  }

  /** A request with a rid (room_*, moderate): its reply or error. */
  async request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const conn = this.need();
    const rid = `${this.name}-r${++this.counter}`;
    conn.write({ ...frame, rid });
    return conn.waitFor(() => conn.replies.get(rid), `${this.label}: the reply to ${String(frame.type)} ${rid}`);
  }

  ack(): void {
    this.need().write({ type: 'ack', seq: this.lastSeen });
  }

  /** Pings and waits for the pong: every line written before it has been handled by the server. */
  async ping(): Promise<void> {
    const conn = this.need();
    const want = conn.pongs + 1;
    conn.write({ type: 'ping' });
    await conn.waitFor(() => (conn.pongs >= want ? true : undefined), `${this.name}: pong`);
  }

  pause(): void {
    this.need().socket.pause();
    this.paused = true;
  }

  resume(): void {
    this.conn?.socket.resume();
    this.paused = false;
  }

  /** Ends the connection: `bye`, an abrupt destroy, or half a `send` line and then a destroy. */
  async disconnect(how: 'bye' | 'destroy' | 'torn'): Promise<void> {
    const conn = this.need();
    conn.closing = true;
    this.conn = undefined;
    this.paused = false;
    if (how === 'bye') {
      conn.write({ type: 'bye' });
      conn.socket.end();
    } else if (how === 'destroy') conn.socket.destroy();
    else {
      const id = `${this.name}-${++this.counter}`;
      const text = `${id}:torn`;
      this.ledger.written({ from: this.name, id, to: '*', text, torn: true });
      const line = JSON.stringify({ type: 'send', id, to: '*', text });
      await new Promise<void>((resolve) => conn.socket.write(line.slice(0, Math.ceil(line.length / 2)), () => resolve()));
      conn.socket.destroy();
    }
    conn.socket.resume();
    await conn.waitFor(() => (conn.closed ? true : undefined), `${this.name}: socket close`);
  }

  /** Who this user's roster says is online. */
  onlineView(): string[] {
    return [...this.roster].filter(([, online]) => online).map(([name]) => name).sort();
  }

  waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = WAIT_MS): Promise<R> {
    return this.need().waitFor(probe, `${this.label}: ${what}`, timeoutMs);
  }

  private writeSend(entry: OutboxEntry, expect: Expectation): void {
    const conn = this.need();
    conn.writeOrder.set(entry.id, [...(conn.writeOrder.get(entry.id) ?? []), conn.writes++]);
    const waiting = conn.unanswered.get(entry.id) ?? { count: 0, risky: 0, epoch: 0 };
    conn.unanswered.set(entry.id, { count: waiting.count + 1, risky: waiting.risky + (expect === 'sent' ? 0 : 1), expect, epoch: this.ledger.epoch });
    const content = entry.ref?.rel === 'delete' ? {} : entry.box ? { box: entry.box } : { text: entry.text };
    conn.write({ type: 'send', id: entry.id, to: entry.to, ...content, ...(entry.ref ? { ref: entry.ref } : {}) });
  }

  /**
   * An answer (`sent` or an error) to a write of `id` here. With one write waiting and no room or
   * moderation change since it, the answer must be what the model expected.
   */
  private answered(conn: RawConnection, id: string, outcome: string): void {
    const waiting = conn.unanswered.get(id);
    if (!waiting) return;
    if (waiting.count === 1 && waiting.expect !== undefined && waiting.epoch === this.ledger.epoch && waiting.expect !== outcome) {
      const entry = this.outbox.find((candidate) => candidate.id === id);
      this.ledger.violation(`${this.label}: ${id}${entry ? ` to ${entry.to}` : ''} answered ${outcome}, the model expected ${waiting.expect}`);
    }
    if (waiting.count <= 1) conn.unanswered.delete(id);
    else conn.unanswered.set(id, { ...waiting, count: waiting.count - 1, risky: Math.max(0, waiting.risky - 1) });
  }

  private onError(conn: RawConnection, frame: Extract<ServerFrame, { type: 'error' }>): void {
    conn.errors++;
    if (frame.rid !== undefined) {
      conn.replies.set(frame.rid, frame);
      return;
    }
    if (frame.id === undefined || frame.fatal) return this.ledger.violation(`${this.label}: unexpected ${JSON.stringify(frame).slice(0, 300)}`);
    this.answered(conn, frame.id, frame.code);
    conn.writeOrder.get(frame.id)?.shift();
    // A resend of it is still unanswered and may be stored (a room made since): it stays in the
    // outbox until that answer, or a resend after a reconnect, says which.
    if (conn.unanswered.has(frame.id)) return;
    this.ledger.refused(this.name, frame.id, frame.code);
    const index = this.outbox.findIndex((entry) => entry.id === frame.id);
    if (index !== -1) this.outbox.splice(index, 1);
  }

  private need(): RawConnection {
    if (!this.conn) throw new Error(`${this.name} has no connection`);
    return this.conn;
  }

  private onFrame(conn: RawConnection, frame: ServerFrame): void {
    const where = this.label;
    switch (frame.type) {
      case 'hello':
        conn.challenge = frame.challenge;
        return;
      case 'welcome':
        conn.loggedIn = true;
        this.roster.clear();
        for (const user of frame.users) this.roster.set(user.name, user.online);
        return;
      case 'presence':
        this.roster.set(frame.user.name, frame.user.online);
        return;
      case 'pong':
        conn.pongs++;
        return;
      case 'synced':
        return;
      case 'msg':
        return this.onMessage(conn, frame);
      case 'room':
      case 'room_list':
      case 'room_members':
      case 'history_page':
      case 'done':
        conn.replies.set(frame.rid, frame);
        return;
      case 'error':
        return this.onError(conn, frame);
      case 'sent':
        return this.onSent(conn, frame.id, frame.seq, frame.duplicate);
      default:
        this.ledger.violation(`${where}: unexpected ${JSON.stringify(frame).slice(0, 300)}`);
    }
  }

  private onMessage(conn: RawConnection, frame: Extract<ServerFrame, { type: 'msg' }>): void {
    const what = `${this.label} got ${frame.from}/${frame.id} (seq ${frame.seq})`;
    if (frame.seq <= conn.lastSeq) this.ledger.violation(`${what} after seq ${conn.lastSeq} on the same connection`);
    conn.lastSeq = Math.max(conn.lastSeq, frame.seq);
    const delivery = { seq: frame.seq, id: frame.id, from: frame.from, to: frame.to, text: frame.text, box: frame.box, event: frame.event, ref: frame.ref, edited: frame.edited, deleted: frame.deleted };
    if (this.secondDevice) {
      if (frame.event) this.ledger.eventAddressed(this.name, delivery);
      else this.ledger.addressed(this.name, delivery);
      return;
    }
    if (frame.seq <= this.lastSeen) {
      // At least once on the wire: only a login without ackedSeq may bring a seen seq again.
      const earlier = this.seen.get(frame.seq);
      if (conn.loginAckedSeq !== undefined) this.ledger.violation(`${what}: delivered again although the login said ackedSeq ${conn.loginAckedSeq}`);
      else if (!earlier || earlier.from !== frame.from || earlier.id !== frame.id) this.ledger.violation(`${what}: below the highest seq seen (${this.lastSeen}) and not a redelivery`);
      return;
    }
    this.lastSeen = frame.seq;
    this.seen.set(frame.seq, { from: frame.from, id: frame.id });
    if (frame.event) this.ledger.eventDelivered(this.name, delivery);
    else this.ledger.delivered(this.name, delivery);
  }

  private onSent(conn: RawConnection, id: string, seq: number, duplicate: boolean): void {
    this.answered(conn, id, 'sent');
    this.ledger.acknowledged(this.name, id, seq);
    const index = this.outbox.findIndex((entry) => entry.id === id);
    if (index !== -1) this.outbox.splice(index, 1);
    if (duplicate) return;
    // Lines of one connection are handled in order: new messages get seqs in write order.
    // The first write not refused is the one stored (a refusal is answered before any later write is read).
    const written = conn.writeOrder.get(id)?.[0];
    if (written === undefined) return this.ledger.violation(`${this.name}: "sent" for ${id}, not written on this connection`);
    for (const other of conn.storedOrder) {
      if ((other.index < written) !== (other.seq < seq)) this.ledger.violation(`${this.name}: ${id} written as #${written} stored as seq ${seq}, against #${other.index} as seq ${other.seq}`);
    }
    conn.storedOrder.push({ index: written, seq });
  }
}
