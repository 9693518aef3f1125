#!/usr/bin/env node
/**
 * The ceiling: a minimal chat router with ClassChat's routing and none of its protocol work
 * (no JSON, validation, signatures or storage). It is written to be fast, so that ratios against
 * it measure what ClassChat's extra work costs: writes are batched per socket per event-loop
 * tick, each fan-out line is built once, TCP_NODELAY is on.
 *
 * Protocol (one line each, `\n`-terminated, fields separated by one space):
 *   C→S  L <name>                 log in (registers the name)
 *   S→C  W                        welcome; then queued private messages; then
 *   S→C  Y                        synced
 *   C→S  S <id> <to|*> <body>     send; <body> is the rest of the line
 *   S→C  K <id>                   sent (the sender's acknowledgement)
 *   S→C  M <id> <from> <to> <body>   a delivery (not back to the sender)
 *   C→S  P                        ping  → S→C  Q
 *   C→S  R <room> <name>…         create room #<room>: the sender and the names  → S→C  J <room>
 * Private messages to a known user who is offline wait in memory until the user logs in. A send
 * to `#<room>` goes to its members online now (the room bench has them all online): no events,
 * no joining or leaving, the least a room relay does.
 *
 * `--durable DIR` (not a target's ceiling; for comparison): every message is appended to a log
 * in DIR and fdatasynced, many per fsync, before it is acknowledged or delivered, the least a
 * server that never loses an acknowledged message must do. Nothing is read back.
 *
 * `--records` (the idle ceiling of issue 19): each login also keeps what any server that knows
 * its users must: a session record (name, seqs, the login challenge, a rate bucket) and a user
 * record (name, 32-byte public key, role, seqs, last seen).
 */
import { randomBytes } from 'node:crypto';
import { fdatasync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, durable: { type: 'string' }, records: { type: 'boolean', default: false } } });
/** --records: name → user record. */
const users = new Map();
const logFd = values.durable === undefined ? undefined : openSync(join(values.durable, 'ceiling.log'), 'a');
/** Messages written but not yet fsynced (durable mode), and whether an fsync is running. */
let unsynced = [];
let syncing = false;

/** name → Set of client records; known names map even when nobody is online. */
const online = new Map();
const known = new Set();
/** '#room' → its members' names (the creator first). */
const rooms = new Map();
/** name → array of lines queued while offline (unbounded: the ceiling trusts its benchmark). */
const offline = new Map();
const dirty = new Set();
let flushScheduled = false;

function queue(client, line) {
  client.out.push(line);
  if (client.out.length === 1) dirty.add(client);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll() {
  flushScheduled = false;
  for (const client of dirty) {
    const out = client.out;
    client.out = [];
    if (!client.socket.destroyed) client.socket.write(out.length === 1 ? out[0] : out.join(''));
  }
  dirty.clear();
}

function route(client, id, to, delivery) {
  if (to === '*') {
    for (const [name, clients] of online) {
      if (name === client.name) continue;
      for (const peer of clients) queue(peer, delivery);
    }
  } else if (to.charCodeAt(0) === 35 /* # */) {
    for (const name of rooms.get(to) ?? []) {
      if (name === client.name) continue;
      const peers = online.get(name);
      if (peers) for (const peer of peers) queue(peer, delivery);
    }
  } else {
    const peers = online.get(to);
    if (peers) for (const peer of peers) queue(peer, delivery);
    else if (known.has(to)) {
      let waiting = offline.get(to);
      if (!waiting) offline.set(to, (waiting = []));
      waiting.push(delivery);
    }
  }
  queue(client, `K ${id}\n`);
}

/** Durable mode: group commit, then route in order. */
function store(message) {
  unsynced.push(message);
  if (!syncing) commit();
}

function commit() {
  const batch = unsynced;
  unsynced = [];
  syncing = true;
  writeSync(logFd, batch.map((message) => message.delivery).join(''));
  fdatasync(logFd, (error) => {
    if (error) throw error;
    for (const message of batch) route(message.client, message.id, message.to, message.delivery);
    if (unsynced.length > 0) commit();
    else syncing = false;
  });
}

function onLine(client, line) {
  const kind = line.charCodeAt(0);
  if (kind === 83 /* S */) {
    if (client.name === undefined) return;
    const a = line.indexOf(' ', 2);
    const b = line.indexOf(' ', a + 1);
    if (a < 0 || b < 0) return;
    const id = line.slice(2, a);
    const to = line.slice(a + 1, b);
    const delivery = `M ${id} ${client.name} ${to} ${line.slice(b + 1)}\n`;
    if (logFd === undefined) route(client, id, to, delivery);
    else store({ client, id, to, delivery });
  } else if (kind === 82 /* R */ && client.name !== undefined) {
    const [room, ...names] = line.slice(2).split(' ');
    rooms.set(`#${room}`, [...new Set([client.name, ...names])]);
    queue(client, `J ${room}\n`);
  } else if (kind === 80 /* P */) {
    queue(client, 'Q\n');
  } else if (kind === 76 /* L */ && client.name === undefined) {
    const name = line.slice(2);
    client.name = name;
    known.add(name);
    if (values.records) {
      const now = Date.now();
      client.session = { name, loginAt: now, ackedSeq: 0, pushedUpTo: 0, challenge: randomBytes(32), bucket: { tokens: 20, at: now } };
      if (!users.has(name)) users.set(name, { name, publicKey: randomBytes(32), role: 'student', ackedSeq: 0, headSeq: 0, lastSeen: now });
    }
    let clients = online.get(name);
    if (!clients) online.set(name, (clients = new Set()));
    clients.add(client);
    queue(client, 'W\n');
    const waiting = offline.get(name);
    if (waiting) {
      offline.delete(name);
      for (const delivery of waiting) queue(client, delivery);
    }
    queue(client, 'Y\n');
  }
}

const server = createServer({ noDelay: true }, (socket) => {
  const client = { socket, name: undefined, out: [], tail: '' };
  socket.setEncoding('utf8');
  socket.on('data', (text) => {
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline !== -1 && client.tail) {
      onLine(client, client.tail + text.slice(0, newline));
      client.tail = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      onLine(client, text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) client.tail += text.slice(start);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    dirty.delete(client);
    if (client.name === undefined) return;
    const clients = online.get(client.name);
    clients?.delete(client);
    if (clients && clients.size === 0) online.delete(client.name);
  });
});

server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  process.stdout.write(`ceiling listening on ${address.address}:${address.port}\n`);
});
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
