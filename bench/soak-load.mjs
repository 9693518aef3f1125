#!/usr/bin/env node
/**
 * The soak's load process (started by bench/soak.mjs): `clients` users on the real ChatClient
 * library joining, chatting (private end-to-end encrypted, and to everyone), sending small files
 * with sendFile/acceptFile, and leaving, continuously, for `minutes`. Prints JSON lines:
 * {"ev":"sample",…} every `sampleSeconds`, then {"ev":"done",…} after a final drain in which
 * everyone comes back online and every acknowledged message and uploaded file must arrive.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SoakLedger } from './lib/soak-ledger.mjs';

const require = createRequire(import.meta.url);
const { ChatClient, MemoryKeyStore } = require('../out/src/client/index.js');
const { MemoryTrustStore } = require('../out/src/client/trust-store.js');

const config = JSON.parse(process.argv[2]);
const { port, clients: USERS, minutes, perMinute, everyoneShare, filesPerMinute, sampleSeconds, dir } = config;
const say = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (n) => Math.floor(Math.random() * n);
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

const ledger = new SoakLedger(USERS);
const counters = { joins: 0, leaves: 0, joinFailures: 0, clientErrors: 0, sendRefused: 0, fileSendFailures: 0 };
const errorSamples = [];
let stopping = false;

const users = Array.from({ length: USERS }, (_, index) => ({
  index,
  name: `s${index}`,
  keys: new MemoryKeyStore(),
  trust: new MemoryTrustStore(),
  client: undefined,
  counter: 0,
  /** The highest seq its last client showed, kept as an app keeps it for the next client. */
  lastSeen: undefined,
  files: 0,
  incoming: new Set(),
  outgoing: 0,
}));
mkdirSync(join(dir, 'out'), { recursive: true });
for (const user of users) mkdirSync(join(dir, user.name), { recursive: true });

function noteError(where, error) {
  counters.clientErrors++;
  if (errorSamples.length < 10) errorSamples.push(`${where}: ${error?.code ?? ''} ${error?.message ?? error}`);
}

async function waitUntil(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!probe() && Date.now() < deadline) await sleep(50);
  return probe();
}

async function joinOnce(user) {
  const client = new ChatClient({
    host: '127.0.0.1',
    port,
    name: user.name,
    keyStore: user.keys,
    trustStore: user.trust,
    backoff: { initialMs: 200, maxMs: 2000 },
    connectTimeoutMs: 60_000,
    lastSeenSeq: user.lastSeen,
  });
  const joinedAt = Date.now();
  client.on('error', (error) => noteError(user.name, error));
  client.on('message', (message) => {
    // File offers are checked by their download (fileOffer below).
    if (!message.attachment) ledger.delivered(user.index, message, joinedAt, Date.now());
  });
  client.on('fileOffer', (offer) => void receiveFile(user, client, offer));
  user.client = client;
  await client.connect();
  counters.joins++;
  // Offers shown to an earlier session of this user that it did not finish.
  for (const status of await client.listFiles()) {
    if (status.to === user.name && (status.state === 'uploading' || status.state === 'uploaded')) void receiveFile(user, client, status);
  }
}

async function joinWithRetry(user) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await joinOnce(user);
    } catch (error) {
      counters.joinFailures++;
      noteError(`${user.name} join`, error);
      user.client = undefined;
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}

/** Leaves politely: its sends and files settle first (bounded), then bye. */
async function leave(user) {
  const client = user.client;
  await waitUntil(() => client.outboxSize === 0 && user.incoming.size === 0 && user.outgoing === 0, 30_000);
  await waitUntil(() => client.state === 'connected', 30_000);
  user.client = undefined;
  await client.close();
  user.lastSeen = client.lastSeenSeq;
  counters.leaves++;
}

async function receiveFile(user, client, offer) {
  if (user.incoming.has(offer.file)) return;
  user.incoming.add(offer.file);
  try {
    const download = await client.acceptFile(offer.file, join(dir, user.name));
    const path = await download.done;
    const got = sha256(readFileSync(path));
    unlinkSync(path);
    const want = ledger.filesInFlight.get(offer.name);
    if (want === got) {
      ledger.filesReceived++;
      ledger.filesInFlight.delete(offer.name);
    } else ledger.filesCorrupt++;
  } catch (error) {
    // A session that was closed meanwhile: the next one resumes the offer (listFiles).
    if (user.client === client) {
      ledger.filesFailed++;
      noteError(`${user.name} receive ${offer.name}`, error);
    }
  } finally {
    user.incoming.delete(offer.file);
  }
}

function sendMessage(user) {
  const client = user.client;
  const counter = user.counter++;
  const everyone = Math.random() < everyoneShare;
  let to = pick(USERS - 1);
  if (to >= user.index) to++;
  const text = `${user.name}|${counter}|${Date.now()}|${'m'.repeat(pick(200))}`;
  ledger.sending(user.index, counter);
  let queued;
  try {
    queued = client.queueText(everyone ? '*' : `s${to}`, text);
  } catch (error) {
    counters.sendRefused++;
    noteError(`${user.name} send`, error);
    ledger.unconfirmedSend(user.index, counter);
    return;
  }
  queued.sent.then(
    () => ledger.acknowledged(user.index, counter, everyone ? undefined : to),
    () => ledger.unconfirmedSend(user.index, counter),
  );
}

/** A small file of random bytes to someone online now (offline recipients would hold the sender's leave). */
async function sendFile(user) {
  const online = users.filter((other) => other !== user && other.client?.state === 'connected');
  if (online.length === 0) return;
  const to = online[pick(online.length)];
  const name = `f-${user.index}-${user.files++}.bin`;
  const path = join(dir, 'out', name);
  const data = randomBytes(1024 + pick(31 * 1024));
  writeFileSync(path, data);
  ledger.filesInFlight.set(name, sha256(data));
  user.outgoing++;
  try {
    const upload = await user.client.sendFile(to.name, path, { name });
    await upload.done;
    ledger.filesUploaded++;
  } catch (error) {
    ledger.filesInFlight.delete(name);
    counters.fileSendFailures++;
    noteError(`${user.name} sendFile`, error);
  } finally {
    user.outgoing--;
    rmSync(path, { force: true });
  }
}

/** One user's life: online 20-90 s, offline 3-15 s, again, until the soak stops. */
async function lifecycle(user) {
  while (!stopping) {
    const until = Date.now() + 20_000 + pick(70_000);
    while (!stopping && Date.now() < until) await sleep(250);
    if (stopping) return;
    await leave(user);
    await sleep(3000 + pick(12_000));
    if (stopping) return;
    await joinWithRetry(user);
  }
}

function tick() {
  const pMessage = perMinute / 600;
  const pFile = filesPerMinute / 600;
  for (const user of users) {
    if (user.client?.state !== 'connected') continue;
    if (Math.random() < pMessage) sendMessage(user);
    if (Math.random() < pFile) void sendFile(user);
  }
}

// ---- run ----
const started = Date.now();
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < users.length) await joinWithRetry(users[next++]);
}));
say({ ev: 'joined', users: USERS, ms: Date.now() - started });

const begin = Date.now();
const ticker = setInterval(tick, 100);
function sample() {
  const window = ledger.takeWindow();
  say({
    ev: 'sample',
    t: Math.round((Date.now() - begin) / 1000),
    online: users.filter((user) => user.client?.state === 'connected').length,
    sentPerSec: Math.round(window.sent / sampleSeconds),
    deliveredPerSec: Math.round(window.delivered / sampleSeconds),
    ...window.latency.summary(),
    filesUploaded: ledger.filesUploaded,
    filesReceived: ledger.filesReceived,
    joins: counters.joins,
    leaves: counters.leaves,
  });
}
const sampler = setInterval(sample, sampleSeconds * 1000);
const lives = users.map((user) => lifecycle(user));
await sleep(minutes * 60_000);
stopping = true;
clearInterval(ticker);
clearInterval(sampler);
if ((Date.now() - begin) % (sampleSeconds * 1000) > sampleSeconds * 500) sample(); // the last part-window, if over half
await Promise.all(lives);

// ---- drain: everyone back, every acknowledged message and uploaded file must arrive ----
const drainStart = Date.now();
for (const user of users) if (!user.client) await joinWithRetry(user);
await waitUntil(() => users.every((user) => user.client.outboxSize === 0 && user.outgoing === 0), 60_000);
const drained = await waitUntil(() => ledger.missingTotal() === 0 && ledger.filesInFlight.size === 0, 120_000);
say({
  ev: 'done',
  drained,
  drainMs: Date.now() - drainStart,
  messagesAcknowledged: ledger.totals.sent,
  deliveries: ledger.totals.delivered,
  messagesLost: ledger.missingTotal(),
  duplicatesOrReordered: ledger.duplicatesOrReordered,
  misaddressed: ledger.misaddressed,
  undecryptable: ledger.undecryptable,
  unconfirmedSends: ledger.unconfirmed.size,
  filesUploaded: ledger.filesUploaded,
  filesReceived: ledger.filesReceived,
  filesLost: ledger.filesInFlight.size,
  filesCorrupt: ledger.filesCorrupt,
  filesFailed: ledger.filesFailed,
  ...counters,
  errorSamples,
});
await Promise.all(users.map((user) => user.client?.close()));
process.exit(0);
