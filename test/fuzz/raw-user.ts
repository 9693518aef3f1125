/**
 * One user of the raw-protocol fuzz: a newline-JSON socket to the real server (at most one at a
 * time), the client-side state a careful client keeps across connections (highest seq seen, an
 * outbox of unacknowledged sends, the roster), and checks on every frame as it arrives.
 */
import { connect, Socket } from 'node:net';
import type { Identity } from '../../src/crypto/identity';
import { signLogin } from '../../src/crypto/identity';
import { parseServerFrame } from '../../src/protocol/codec';
import type { ServerFrame } from '../../src/protocol/frames';
import { LineDecoder } from '../../src/protocol/line-decoder';
import { LIMITS } from '../../src/protocol/limits';
import { Signal } from '../helpers/signal';
import type { DeliveryLedger } from './delivery-ledger';

export const WAIT_MS = 5000;

interface OutboxEntry {
  id: string;
  to: string;
  text: string;
}

/** One TCP connection and what was seen on it. */
class RawConnection {
  readonly signal = new Signal();
  challenge: string | undefined;
  loggedIn = false;
  closed = false;
  /** Closed by us (bye, destroy): a close the server starts is a violation. */
  closing = false;
  /** `login.ackedSeq` sent; undefined when the login carried none (redelivery allowed). */
  loginAckedSeq: number | undefined;
  lastSeq = 0;
  pongs = 0;
  /** Order in which sends were first written here, and the seqs of their non-duplicate `sent`. */
  readonly writeOrder = new Map<string, number>();
  readonly storedOrder: Array<{ index: number; seq: number }> = [];
  private readonly decoder = new LineDecoder(LIMITS.maxServerLineBytes);

  constructor(
    readonly socket: Socket,
    onFrame: (frame: ServerFrame) => void,
    onInvalid: (text: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) {
        if (result.kind === 'error') onInvalid(result.code);
        else if (result.kind === 'file_chunk') onFrame(result.frame);
        else {
          const parsed = parseServerFrame(result.text);
          if (parsed.ok) onFrame(parsed.frame);
          else onInvalid(`${parsed.code}: ${result.text.slice(0, 200)}`);
        }
      }
      this.signal.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.signal.notify();
    });
    socket.on('error', () => undefined);
  }

  write(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = WAIT_MS): Promise<R> {
    return this.signal.waitFor(probe, () => what, timeoutMs);
  }
}

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
    conn.write({ type: 'login', v: 1, name: this.name, publicKey: this.identity.publicKey, signature, ...(withAckedSeq ? { ackedSeq: this.lastSeen } : {}) });
    await conn.waitFor(() => (conn.loggedIn ? true : undefined), `${this.label}: welcome`);
  }

  /** Writes a new message (kept in the outbox until its `sent`). */
  send(to: string, text: string): string {
    const id = `${this.name}-${++this.counter}`;
    const entry = { id, to, text: `${id}:${text}` };
    this.ledger.written({ from: this.name, ...entry });
    this.outbox.push(entry);
    this.writeSend(entry);
    return id;
  }

  /** Writes every unacknowledged message again, same ids, in their original order. */
  resend(): void {
    for (const entry of [...this.outbox]) this.writeSend(entry);
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

  private writeSend(entry: OutboxEntry): void {
    const conn = this.need();
    if (!conn.writeOrder.has(entry.id)) conn.writeOrder.set(entry.id, conn.writeOrder.size);
    conn.write({ type: 'send', id: entry.id, to: entry.to, text: entry.text });
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
    if (this.secondDevice) {
      this.ledger.addressed(this.name, { seq: frame.seq, id: frame.id, from: frame.from, to: frame.to, text: frame.text });
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
    this.ledger.delivered(this.name, { seq: frame.seq, id: frame.id, from: frame.from, to: frame.to, text: frame.text });
  }

  private onSent(conn: RawConnection, id: string, seq: number, duplicate: boolean): void {
    this.ledger.acknowledged(this.name, id, seq);
    const index = this.outbox.findIndex((entry) => entry.id === id);
    if (index !== -1) this.outbox.splice(index, 1);
    if (duplicate) return;
    // Lines of one connection are handled in order: new messages get seqs in write order.
    const written = conn.writeOrder.get(id);
    if (written === undefined) return this.ledger.violation(`${this.name}: "sent" for ${id}, not written on this connection`);
    for (const other of conn.storedOrder) {
      if ((other.index < written) !== (other.seq < seq)) this.ledger.violation(`${this.name}: ${id} written as #${written} stored as seq ${seq}, against #${other.index} as seq ${other.seq}`);
    }
    conn.storedOrder.push({ index: written, seq });
  }
}
