#!/usr/bin/env node
/**
 * The load generator, run by bench/run.mjs in its own process (pinned to its own core).
 * argv[2] is a JSON config: {proto, port, scenario, phase?, keysFile, params}. It prints one
 * JSON event per line on stdout: {"ev":"measure-start"}, {"ev":"measure-end"},
 * {"ev":"connected"} (idle) and finally {"ev":"result", ...}.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { BenchClient, connectAll, payloadFor } from './lib/clients.mjs';
import { LatencyRecorder } from './lib/stats.mjs';

const config = JSON.parse(process.argv[2]);
const { proto, port, scenario, params } = config;
/** Several nodes of one server (--store postgres --nodes N): clients spread over them. */
const ports = config.ports ?? [port];
const users = JSON.parse(readFileSync(config.keysFile, 'utf8'));

const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const now = () => performance.now();
const micros = () => Math.round(performance.now() * 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Text to everyone: ~120 bytes. Private: a sealed 200-byte message (24-byte nonce, 16-byte MAC).
const TEXT = 'the quick brown fox jumps over the lazy dog; '.repeat(3).slice(0, 120);
const BOX = { nonce: randomBytes(24).toString('base64'), ciphertext: randomBytes(216).toString('base64') };
// A 200-byte text sealed for a room (PROTOCOL.md 20.3): version, keyId, n (13 bytes), the
// secretbox of an envelope v2 padded to 256 bytes (+16 MAC) and a 64-byte signature: 349 bytes.
const ROOM_BOX = { nonce: randomBytes(24).toString('base64'), ciphertext: randomBytes(13 + 256 + 16 + 64).toString('base64') };
/** Text to everyone as long as the room box, so both lines carry the same bytes. */
const ROOM_TEXT = (() => {
  const length = payloadFor(proto, 'box', '', ROOM_BOX).length - payloadFor(proto, 'text', '', ROOM_BOX).length;
  return TEXT.repeat(Math.ceil(length / TEXT.length)).slice(0, length);
})();
const ROOM = 'bench-room';

/** Waits until `done()` or no progress (`progress()` unchanged) for `stallMs`, or `maxMs`. */
async function waitFor(done, progress, stallMs, maxMs) {
  const start = now();
  let last = progress();
  let lastChange = now();
  while (!done()) {
    await sleep(20);
    const value = progress();
    if (value !== last) {
      last = value;
      lastChange = now();
    }
    if (now() - lastChange > stallMs || now() - start > maxMs) return false;
  }
  return true;
}

/**
 * Tracks in-order delivery per (receiver, sender): a counter below the expected one is a
 * duplicate, above it a gap (lost or reordered).
 */
class DeliveryCheck {
  constructor(receivers, senders, latencyCapacity) {
    this.senders = senders;
    this.next = new Int32Array(receivers * senders);
    this.received = 0;
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.lastAt = 0;
    this.latency = new LatencyRecorder(latencyCapacity);
    this.recvTime = 0;
  }

  deliver(receiver, sender, counter, sentMicros) {
    const slot = receiver * this.senders + sender;
    const expected = this.next[slot];
    if (counter === expected) this.next[slot] = counter + 1;
    else if (counter < expected) {
      this.duplicates++;
      return;
    } else {
      this.outOfOrder++;
      this.next[slot] = counter + 1;
    }
    this.received++;
    this.lastAt = this.recvTime;
    this.latency.add(this.recvTime - sentMicros / 1000);
  }
}

function makeClients(count, handlers, version) {
  if (count > users.length) throw new Error(`need ${count} identities, have ${users.length}`);
  return users.slice(0, count).map((user, index) => new BenchClient(proto, index, user, handlers, version));
}

/** Stamps every delivery in one socket read with the time that read arrived. */
function stampReads(clients, check) {
  for (const client of clients) client.socket.prependListener('data', () => (check.recvTime = now()));
}

/**
 * Sends `perSender` messages from each of `senders` (client indices), addressed by `to(i)`,
 * either as fast as a window of unacknowledged sends allows (`rate` undefined) or at `rate`/s.
 */
function runSenders(senders, to, payload, { perSender, window, rate, durationS }) {
  const sent = new Int32Array(senders.length);
  const acked = new Int32Array(senders.length);
  const position = new Map(senders.map((client, i) => [client.index, i]));
  const state = { sent, acked, totalSent: 0, totalAcked: 0, refused: 0, stop: false };
  const sendOne = (i) => {
    const client = senders[i];
    client.send(`${client.index}_${sent[i]}_${micros()}`, to(client), payload);
    sent[i]++;
    state.totalSent++;
  };
  const fill = (i) => {
    while (!state.stop && sent[i] < perSender && sent[i] - acked[i] < window) sendOne(i);
  };
  const onSent = (client) => {
    const i = position.get(client.index);
    if (i === undefined) return;
    acked[i]++;
    state.totalAcked++;
    if (rate === undefined) fill(i);
  };
  if (rate === undefined) for (let i = 0; i < senders.length; i++) fill(i);
  else {
    const start = now();
    const tick = () => {
      const elapsed = (now() - start) / 1000;
      if (elapsed >= durationS) {
        state.stop = true;
        clearInterval(timer);
        return;
      }
      const due = Math.floor(elapsed * rate);
      for (let i = 0; i < senders.length; i++) {
        while (sent[i] < due && sent[i] - acked[i] < window) sendOne(i);
      }
    };
    const timer = setInterval(tick, 2);
    state.timer = timer;
  }
  return { state, onSent };
}

/**
 * `prepare(clients, hooks)`, when given, runs after the logins and before the measurement; it may
 * set hooks.onRoom and hooks.onRoomEvent. `version`: the ClassChat protocol version to log in with.
 */
async function traffic({ receiversOf, clientsCount, senderIndices, to, kind, text = TEXT, box = BOX, version, prepare, perSender, window, rate, durationS }) {
  const expectedPerMessage = receiversOf;
  const check = new DeliveryCheck(clientsCount, clientsCount, Math.min(20_000_000, Math.max(1000, clientsCount * senderIndices.length * (perSender ?? rate * durationS))));
  let onSentHook = () => {};
  const hooks = { onRoom: () => {}, onRoomEvent: () => {} };
  const errors = [];
  let closes = 0;
  const clients = makeClients(
    clientsCount,
    {
      onDelivery: (client, sender, counter, sentMicros) => check.deliver(client.index, sender, counter, sentMicros),
      onSent: (client) => onSentHook(client),
      onError: (_client, line) => errors.length < 5 && errors.push(line),
      onClose: () => closes++,
      onRoom: (client) => hooks.onRoom(client),
      onRoomEvent: (client) => hooks.onRoomEvent(client),
    },
    version,
  );
  await connectAll(clients, ports);
  if (prepare) await prepare(clients, hooks, errors);
  stampReads(clients, check);
  const payload = payloadFor(proto, kind, text, box);
  const senders = senderIndices.map((i) => clients[i]);
  emit({ ev: 'measure-start' });
  const start = now();
  const { state, onSent } = runSenders(senders, to, payload, { perSender: perSender ?? Infinity, window, rate, durationS });
  onSentHook = onSent;
  const isRate = rate !== undefined;
  const expected = () => (isRate ? state.totalSent : senders.length * perSender) * expectedPerMessage;
  // Every delivery counts as progress: give up only when nothing moves for 15 s.
  const finished = await waitFor(
    () => (!isRate || state.stop) && check.received >= expected() && state.totalAcked >= state.totalSent,
    () => check.received + state.totalAcked,
    15_000,
    (isRate ? durationS * 1000 : 0) + 600_000,
  );
  const end = now();
  emit({ ev: 'measure-end' });
  if (state.timer) clearInterval(state.timer);
  const seconds = (isRate || check.lastAt === 0 ? end - start : check.lastAt - start) / 1000;
  const deliveries = check.received;
  for (const client of clients) client.close();
  return {
    finished,
    messagesSent: state.totalSent,
    deliveries,
    expected: expected(),
    lost: Math.max(0, expected() - deliveries),
    duplicates: check.duplicates,
    reordered: check.outOfOrder,
    seconds: round(seconds, 3),
    deliveriesPerSec: Math.round(deliveries / seconds),
    ...check.latency.summary(),
    closes,
    errors,
  };
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

async function fanout(rated) {
  const { clients: C, senders: S } = params;
  return traffic({
    receiversOf: C - 1,
    clientsCount: C,
    senderIndices: Array.from({ length: S }, (_, i) => i),
    to: () => '*',
    kind: 'text',
    perSender: rated ? undefined : params.messages,
    window: params.window,
    rate: rated ? params.rate : undefined,
    durationS: params.duration,
  });
}

async function dm(rated) {
  const C = params.pairs * 2;
  return traffic({
    receiversOf: 1,
    clientsCount: C,
    senderIndices: Array.from({ length: C }, (_, i) => i),
    to: (client) => users[client.index ^ 1].name,
    kind: 'box',
    perSender: rated ? undefined : params.messages,
    window: params.window,
    rate: rated ? params.rate : undefined,
    durationS: params.duration,
  });
}

/**
 * The first client creates an encrypted group room with all the others and waits for its answer
 * and, on ClassChat, for every other member to receive the room's `created` event.
 */
async function createRoom(clients, hooks, errors) {
  const [creator, ...others] = clients;
  let answered = false;
  const told = new Set();
  hooks.onRoom = (client) => client === creator && (answered = true);
  hooks.onRoomEvent = (client) => client !== creator && told.add(client);
  creator.createRoom(ROOM, others.map((client) => client.user.name));
  // The ceiling has no events: only its answer to the creator.
  const needTold = proto === 'classchat' ? others.length : 0;
  const done = await waitFor(() => answered && told.size >= needTold, () => told.size + Number(answered), 10_000, 60_000);
  if (!done) throw new Error(`room not created: answered ${answered}, ${told.size}/${needTold} members told; ${errors.join(' ; ')}`);
}

/** A room of `members` (all online, v3), `senders` of them sending boxes; or, with `everyone`, the same to everyone. */
async function room(rated) {
  const { members, senders, everyone } = params;
  return traffic({
    receiversOf: members - 1,
    clientsCount: members,
    senderIndices: Array.from({ length: senders }, (_, i) => i),
    to: () => (everyone ? '*' : `#${ROOM}`),
    kind: everyone ? 'text' : 'box',
    text: ROOM_TEXT,
    box: ROOM_BOX,
    version: 3,
    prepare: everyone ? undefined : createRoom,
    perSender: rated ? undefined : params.messages,
    window: params.window,
    rate: rated ? params.rate : undefined,
    durationS: params.duration,
  });
}

async function idle() {
  const N = params.connections;
  let closes = 0;
  let pongs = 0;
  const errors = [];
  const clients = makeClients(N, {
    onClose: () => closes++,
    onPong: () => pongs++,
    onError: (_client, text) => errors.length < 5 && errors.push(text),
  });
  const start = now();
  let connectError;
  await connectAll(clients, ports, 64, 300_000).catch((error) => (connectError = String(error)));
  const loginSeconds = (now() - start) / 1000;
  const connected = clients.filter((client) => client.synced && !client.closed).length;
  emit({ ev: 'connected', connected });
  emit({ ev: 'measure-start' });
  await sleep(params.hold * 1000);
  const closedDuringHold = closes;
  for (const client of clients) if (!client.closed) client.ping();
  await waitFor(() => pongs >= connected, () => pongs, 15_000, 60_000);
  emit({ ev: 'measure-end' });
  for (const client of clients) client.close();
  return { connections: N, connected, loginSeconds: round(loginSeconds, 2), closedDuringHold, pongs, heldAll: connected === N && closedDuringHold === 0 && pongs === N, connectError, errors };
}

async function offlineDrain() {
  const M = params.messages;
  if (config.phase === 'fill') {
    let onSentHook = () => {};
    const [sink, sender] = makeClients(2, { onSent: (client) => onSentHook(client) });
    await sink.connect(port);
    await sink.flushNow();
    sink.close();
    await sleep(200);
    await sender.connect(port);
    const start = now();
    const { state, onSent } = runSenders([sender], () => users[0].name, payloadFor(proto, 'box', TEXT, BOX), { perSender: M, window: params.window });
    onSentHook = onSent;
    const finished = await waitFor(() => state.totalAcked >= M, () => state.totalAcked, 15_000, 600_000);
    const seconds = (now() - start) / 1000;
    sender.close();
    return { finished, stored: state.totalAcked, fillSeconds: round(seconds, 2) };
  }
  // drain: the sink logs in and takes everything.
  const check = new DeliveryCheck(1, 2, M + 10);
  let lastDeliveryAt = 0;
  const drainer = new BenchClient(proto, 0, users[0], {
    onDelivery: (_client, senderIndex, counter, sentMicros) => {
      check.deliver(0, senderIndex, counter, sentMicros);
      lastDeliveryAt = check.recvTime;
    },
  });
  emit({ ev: 'measure-start' });
  const start = now();
  const connecting = drainer.connect(ports[ports.length - 1], 600_000);
  connecting.catch(() => {});
  await new Promise((resolve) => {
    const wait = () => (drainer.socket ? resolve() : setImmediate(wait));
    wait();
  });
  drainer.socket.prependListener('data', () => (check.recvTime = now()));
  const finished = await waitFor(() => check.received >= M, () => check.received, 15_000, 600_000);
  // Acknowledge everything, and count the time until the ack reached the kernel.
  if (proto === 'classchat' && drainer.maxSeq > 0) drainer.write(`{"type":"ack","seq":${drainer.maxSeq}}\n`);
  await drainer.flushNow();
  const end = now();
  emit({ ev: 'measure-end' });
  await sleep(300); // let the server store the ack before the orchestrator stops it
  drainer.close();
  return {
    finished,
    deliveries: check.received,
    lost: Math.max(0, M - check.received),
    duplicates: check.duplicates,
    reordered: check.outOfOrder,
    drainSeconds: round((end - start) / 1000, 3),
    lastDeliverySeconds: round((lastDeliveryAt - start) / 1000, 3),
    deliveriesPerSec: Math.round(check.received / ((end - start) / 1000)),
  };
}

const scenarios = {
  'fanout-max': () => fanout(false),
  'fanout-rate': () => fanout(true),
  'dm-max': () => dm(false),
  'dm-rate': () => dm(true),
  'room-max': () => room(false),
  'room-rate': () => room(true),
  idle,
  'offline-drain': offlineDrain,
};

const watchdog = setTimeout(() => {
  emit({ ev: 'result', error: 'load generator watchdog expired' });
  process.exit(3);
}, (config.maxSeconds ?? 900) * 1000);
watchdog.unref();

scenarios[scenario]().then(
  (result) => {
    emit({ ev: 'result', ...result });
    process.exit(0);
  },
  (error) => {
    emit({ ev: 'result', error: String(error?.stack ?? error) });
    process.exit(1);
  },
);
