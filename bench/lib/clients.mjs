/**
 * Load-generator clients for the two servers under test: ClassChat's JSON protocol (real
 * Ed25519 login) and the ceiling's newline protocol. Both expose the same surface to the
 * scenarios; lines are parsed at the byte level so the load generator stays cheap.
 *
 * Message ids carry what the bench checks: `<sender>_<counter>_<sendMicros>` (decimal).
 */
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { LineScanner } from './line-scanner.mjs';

const require = createRequire(import.meta.url);
const identity = require('../../out/src/crypto/identity.js');

const dirty = new Set();
let flushScheduled = false;

function flushAll() {
  flushScheduled = false;
  for (const client of dirty) client.flush();
  dirty.clear();
}

const cursor = { pos: 0 };
function readInt(buf, pos, end) {
  let value = 0;
  while (pos < end) {
    const c = buf[pos];
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    pos++;
  }
  cursor.pos = pos;
  return value;
}

/** Parses `<sender>_<counter>_<micros>` at pos and calls fn(sender, counter, micros). */
function readId(buf, pos, end, fn, client) {
  const sender = readInt(buf, pos, end);
  const counter = readInt(buf, cursor.pos + 1, end);
  const micros = readInt(buf, cursor.pos + 1, end);
  fn(client, sender, counter, micros);
}

const noop = () => {};

/**
 * handlers: onDelivery(client, sender, counter, micros), onSent(client, sender, counter),
 * onPong(client), onClose(client), onError(client, text), onRoomEvent(client) (a room's
 * membership event, not a delivery), onRoom(client) (the answer to createRoom).
 * `version`: the protocol version the ClassChat client logs in with (3 for rooms).
 */
export class BenchClient {
  constructor(proto, index, user, handlers, version = 1) {
    this.proto = proto;
    this.index = index;
    this.user = user;
    this.version = version;
    this.h = { onDelivery: noop, onSent: noop, onPong: noop, onClose: noop, onError: noop, onRoomEvent: noop, onRoom: noop, ...handlers };
    this.out = [];
    this.maxSeq = 0;
    this.ackedSeq = 0;
    this.synced = false;
    this.closed = false;
    this.socket = undefined;
    this.scanner = new LineScanner((buf, start, end) => (proto === 'classchat' ? this.jsonLine(buf, start, end) : this.ceilingLine(buf, start, end)));
  }

  /** Connects and logs in; resolves once the server says the backlog is delivered (synced). */
  connect(port, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.user.name}: login timed out`));
        this.socket?.destroy();
      }, timeoutMs);
      this.onSynced = () => {
        clearTimeout(timer);
        resolve();
      };
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      this.socket = socket;
      socket.on('data', (chunk) => {
        this.scanner.push(chunk);
        if (this.maxSeq > this.ackedSeq) {
          this.ackedSeq = this.maxSeq;
          this.write(`{"type":"ack","seq":${this.maxSeq}}\n`);
        }
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('close', () => {
        this.closed = true;
        clearTimeout(timer);
        reject(new Error(`${this.user.name}: closed before login`));
        this.h.onClose(this);
      });
      if (this.proto === 'ceiling') socket.once('connect', () => this.write(`L ${this.user.name}\n`));
    });
  }

  write(line) {
    this.out.push(line);
    if (this.out.length === 1) dirty.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  flush() {
    if (this.out.length === 0 || this.socket.destroyed) return;
    const data = this.out.length === 1 ? this.out[0] : this.out.join('');
    this.out = [];
    this.socket.write(data);
  }

  /** Writes what is queued now and resolves once it reached the kernel. */
  flushNow() {
    dirty.delete(this);
    const data = this.out.join('');
    this.out = [];
    return new Promise((resolve) => (data ? this.socket.write(data, () => resolve()) : resolve()));
  }

  /** `payload`: a prebuilt protocol-specific suffix from `payloadFor`. */
  send(id, to, payload) {
    if (this.proto === 'classchat') this.write(`{"type":"send","id":"${id}","to":"${to}",${payload}}\n`);
    else this.write(`S ${id} ${to} ${payload}\n`);
  }

  /** An encrypted group room with these members (ClassChat needs version 3). */
  createRoom(room, members) {
    if (this.proto === 'classchat') this.write(JSON.stringify({ type: 'room_create', rid: `r-${room}`, room, kind: 'group', encrypted: true, members }) + '\n');
    else this.write(`R ${room} ${members.join(' ')}\n`);
  }

  ping() {
    this.write(this.proto === 'classchat' ? '{"type":"ping"}\n' : 'P\n');
  }

  close() {
    this.socket?.destroy();
  }

  // {"type":"msg","seq":N,"id":"..."   {"type":"sent","id":"..."   {"type":"room",...
  jsonLine(buf, start, end) {
    const t = buf[start + 9];
    if (t === 109 /* m */) {
      this.maxSeq = readInt(buf, start + 20, end);
      // Event ids are the server's ("e…"); the bench's start with the sender's index.
      if (buf[cursor.pos + 7] === 101 /* e */) this.h.onRoomEvent(this);
      else readId(buf, cursor.pos + 7, end, this.h.onDelivery, this);
    } else if (t === 114 /* r */ && buf[start + 13] === 34 /* "room" */) {
      this.h.onRoom(this);
    } else if (t === 115 /* s */) {
      if (buf[start + 10] === 101 /* sent */) readId(buf, start + 21, end, this.h.onSent, this);
      else if (!this.synced) {
        this.synced = true;
        this.onSynced();
      }
    } else if (t === 112 /* p */) {
      if (buf[start + 10] === 111 /* pong */) this.h.onPong(this);
    } else if (t === 104 /* hello */) {
      const text = buf.toString('utf8', start, end);
      const challenge = /"challenge":"([^"]+)"/.exec(text)?.[1];
      identity.signLogin(this.user, challenge, this.user.name).then((signature) => {
        this.write(JSON.stringify({ type: 'login', v: this.version, name: this.user.name, publicKey: this.user.publicKey, signature }) + '\n');
      });
    } else if (t === 101 /* error */ || t === 98 /* bye */) {
      this.h.onError(this, buf.toString('utf8', start, Math.min(end, start + 300)));
    }
  }

  ceilingLine(buf, start, end) {
    const t = buf[start];
    if (t === 77 /* M */) readId(buf, start + 2, end, this.h.onDelivery, this);
    else if (t === 75 /* K */) readId(buf, start + 2, end, this.h.onSent, this);
    else if (t === 81 /* Q */) this.h.onPong(this);
    else if (t === 74 /* J */) this.h.onRoom(this);
    else if (t === 89 /* Y */ && !this.synced) {
      this.synced = true;
      this.onSynced();
    }
  }
}

/** The protocol-specific message body: text for messages to everyone, a box for private ones. */
export function payloadFor(proto, kind, text, box) {
  if (proto === 'classchat') {
    return kind === 'text' ? `"text":${JSON.stringify(text)}` : `"box":{"nonce":"${box.nonce}","ciphertext":"${box.ciphertext}"}`;
  }
  return kind === 'text' ? text : `${box.nonce}:${box.ciphertext}`;
}

/** Connects `clients` with at most `concurrency` logins in flight. */
/** `port` may be a list (several nodes of one server): client i connects to port i mod N. */
export async function connectAll(clients, port, concurrency = 64, timeoutMs = 120_000) {
  const ports = Array.isArray(port) ? port : [port];
  let next = 0;
  const worker = async () => {
    while (next < clients.length) {
      const index = next++;
      const client = clients[index];
      await client.connect(ports[index % ports.length], timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
}
