#!/usr/bin/env node
/**
 * The file-transfer bench (`npm run bench -- --scenario files`, or this script alone): a file of
 * random bytes sent alice → server → bob on loopback, end-to-end encrypted, against two ceilings
 * measured in the same run: a raw TCP relay (sender → relay process → receiver, no framing, no
 * crypto) and one core encrypting the same bytes with the same stream cipher. Also the server's
 * peak RSS per file size: it must not grow with the file. Medians of --runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { spawnNode, waitListening, stop, killAll, cpuSeconds, HAS_TASKSET } from './lib/procs.mjs';
import { median } from './lib/stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PEER = join(ROOT, 'bench/file-peer.mjs');
const SERVER_BUNDLE = join(ROOT, 'dist/cli/classchat-server.js');

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '64,512' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
    // raw: binary chunks (19.1); base64: JSON lines; abba: both, alternating raw, base64, base64, raw.
    chunks: { type: 'string', default: 'raw' },
  },
});
if (!['raw', 'base64', 'abba'].includes(opts.chunks)) throw new Error(`--chunks is raw, base64 or abba, not ${opts.chunks}`);
const SIZES_MIB = opts.sizes.split(',').map(Number);
const RUNS = Math.max(1, Number(opts.runs));
const tmp = mkdtempSync(join(tmpdir(), 'classchat-filebench-'));
process.on('exit', () => {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Spawns a peer; resolves events by name as they arrive. */
function peer(args, core) {
  const child = spawnNode([PEER, ...args], { core, cwd: ROOT });
  const waiting = new Map();
  const seen = new Map();
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (event.ev === 'error') console.error(`  peer ${args[0]}: ${event.message}`);
    seen.set(event.ev, event);
    waiting.get(event.ev)?.(event);
  });
  child.event = (name, timeoutMs = 600_000) =>
    seen.has(name)
      ? Promise.resolve(seen.get(name))
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${args[0]}: no "${name}" within ${timeoutMs / 1000} s\n${child.stderrTail}`)), timeoutMs);
          waiting.set(name, (event) => {
            clearTimeout(timer);
            resolve(event);
          });
          child.once('exit', (code) => !seen.has(name) && reject(new Error(`${args[0]} exited with ${code} before "${name}"\n${child.stderrTail}`)));
        });
  return child;
}

function makeFile(mib) {
  const path = join(tmp, `random-${mib}.bin`);
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) {
    const block = randomBytes(2 ** 20);
    hash.update(block);
    writeSync(fd, block);
  }
  closeSync(fd);
  return { path, bytes: mib * 2 ** 20, sha256: hash.digest('hex') };
}

function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

/** Peak RSS of a live process (VmHWM), in MiB. */
function peakRssMiB(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

async function classchatRun(file, chunks = 'raw') {
  const dataDir = join(tmp, `data-${Date.now()}`);
  const inbox = join(tmp, `inbox-${Date.now()}`);
  mkdirSync(inbox);
  const server = spawnNode([SERVER_BUNDLE, '--port', '0', '--data-dir', dataDir, '--rate-limit', '0', '--max-file-size', '2G', '--max-waiting-files', '4G', '--max-sender-files', '4G', '--log-level', 'warn'], { core: 0, cwd: ROOT });
  const port = await waitListening(server);
  try {
    const receiver = peer(['receiver', port, inbox, chunks], 1);
    const ready = await receiver.event('ready');
    const sender = peer(['sender', port, file.path, chunks], 1);
    const start = await sender.event('start');
    const serverCpuAtStart = cpuSeconds(server.pid);
    const received = await receiver.event('received');
    const serverCpu = cpuSeconds(server.pid) - serverCpuAtStart;
    const uploaded = await sender.event('uploaded');
    const seconds = (received.at - start.at) / 1000;
    const peak = peakRssMiB(server.pid);
    const intact = (await sha256File(received.path)) === file.sha256;
    // CPU milliseconds per MiB moved, per process: shows which one is the bottleneck.
    const perMiB = (cpu) => round((cpu * 1000) / (file.bytes / 2 ** 20), 2);
    const cpuMsPerMiB = { sender: perMiB(uploaded.cpu - start.cpu), server: perMiB(serverCpu), receiver: perMiB(received.cpu - ready.cpu) };
    return { mibPerSec: round(file.bytes / 2 ** 20 / seconds, 1), seconds: round(seconds, 2), serverPeakRssMiB: peak, intact, cpuMsPerMiB };
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(inbox, { recursive: true, force: true });
  }
}

async function rawRelayRun(file) {
  const receiver = peer(['raw-receiver', file.bytes], 1);
  const receiverPort = (await receiver.event('ready')).port;
  const relay = peer(['raw-relay', receiverPort], 0);
  const relayPort = (await relay.event('ready')).port;
  try {
    const sender = peer(['raw-sender', relayPort, file.path], 1);
    const start = await sender.event('start');
    const received = await receiver.event('received');
    return { mibPerSec: round(file.bytes / 2 ** 20 / ((received.at - start.at) / 1000), 1) };
  } finally {
    await stop(relay);
    await stop(receiver);
  }
}

async function encryptRun(file) {
  const child = peer(['encrypt', file.path], 1);
  const done = await child.event('encrypted');
  return { mibPerSec: round(done.mibPerSec, 1), decryptMiBPerSec: round(done.decryptMiBPerSec, 1), bothMiBPerSec: round(done.bothMiBPerSec, 1) };
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

console.log(`file bench: sizes ${SIZES_MIB.join(', ')} MiB, ${RUNS} run(s) each; server${HAS_TASKSET ? ' and relay on core 0, peers on core 1' : ' not pinned (no taskset)'}`);
const results = [];
for (const mib of SIZES_MIB) {
  const file = makeFile(mib);
  const runs = { classchat: [], base64: [], relay: [], encrypt: [] };
  for (let run = 1; run <= RUNS; run++) {
    let cc;
    if (opts.chunks === 'abba') {
      // A B B A: drift in the machine's speed during the pair falls on both sides alike.
      const first = await classchatRun(file, 'raw');
      const base64 = [await classchatRun(file, 'base64'), await classchatRun(file, 'base64')];
      const second = await classchatRun(file, 'raw');
      runs.base64.push(...base64);
      runs.classchat.push(first);
      console.log(`files ${mib} MiB ABBA ${run}/${RUNS}: raw ${first.mibPerSec}, base64 ${base64[0].mibPerSec}, base64 ${base64[1].mibPerSec}, raw ${second.mibPerSec} MiB/s; server CPU ms/MiB raw ${first.cpuMsPerMiB.server}/${second.cpuMsPerMiB.server}, base64 ${base64[0].cpuMsPerMiB.server}/${base64[1].cpuMsPerMiB.server}`);
      cc = second;
    } else cc = await classchatRun(file, opts.chunks);
    const relay = await rawRelayRun(file);
    const enc = await encryptRun(file);
    runs.classchat.push(cc);
    runs.relay.push(relay);
    runs.encrypt.push(enc);
    console.log(`files ${mib} MiB run ${run}/${RUNS}: classchat ${cc.mibPerSec} MiB/s (${cc.seconds} s, server peak RSS ${cc.serverPeakRssMiB} MiB, ${cc.intact ? 'bytes identical' : 'BYTES DIFFER'}; CPU ms/MiB sender ${cc.cpuMsPerMiB.sender}, server ${cc.cpuMsPerMiB.server}, receiver ${cc.cpuMsPerMiB.receiver}); raw relay ${relay.mibPerSec} MiB/s; one core: encrypt ${enc.mibPerSec}, decrypt ${enc.decryptMiBPerSec}, both ${enc.bothMiBPerSec} MiB/s`);
  }
  rmSync(file.path, { force: true });
  const result = {
    scenario: `files-${mib}MiB`,
    date: new Date().toISOString(),
    runs: RUNS,
    classchatMiBps: median(runs.classchat.map((r) => r.mibPerSec)),
    rawRelayMiBps: median(runs.relay.map((r) => r.mibPerSec)),
    encryptOneCoreMiBps: median(runs.encrypt.map((r) => r.mibPerSec)),
    decryptOneCoreMiBps: median(runs.encrypt.map((r) => r.decryptMiBPerSec)),
    encryptAndDecryptOneCoreMiBps: median(runs.encrypt.map((r) => r.bothMiBPerSec)),
    serverPeakRssMiB: median(runs.classchat.map((r) => r.serverPeakRssMiB)),
    intact: runs.classchat.every((r) => r.intact),
    cpuMsPerMiB: Object.fromEntries(['sender', 'server', 'receiver'].map((who) => [who, round(median(runs.classchat.map((r) => r.cpuMsPerMiB[who])), 2)])),
    chunks: opts.chunks === 'abba' ? 'raw' : opts.chunks,
  };
  if (runs.base64.length > 0) {
    result.base64MiBps = median(runs.base64.map((r) => r.mibPerSec));
    result.base64ServerCpuMsPerMiB = round(median(runs.base64.map((r) => r.cpuMsPerMiB.server)), 2);
    result.rawOverBase64 = round(result.classchatMiBps / result.base64MiBps, 3);
  }
  result.ofEncryptCeiling = round(result.classchatMiBps / result.encryptOneCoreMiBps, 3);
  result.ofRawRelay = round(result.classchatMiBps / result.rawRelayMiBps, 3);
  result.ofPeersCryptoBound = round(result.classchatMiBps / result.encryptAndDecryptOneCoreMiBps, 3);
  results.push(result);
  console.log(`\n== files ${mib} MiB (median of ${RUNS}) ==`);
  console.log(`classchat end to end     ${result.classchatMiBps} MiB/s`);
  console.log(`raw TCP relay (ceiling)  ${result.rawRelayMiBps} MiB/s  (classchat = ${result.ofRawRelay}×)`);
  console.log(`encrypt, one core        ${result.encryptOneCoreMiBps} MiB/s  (classchat = ${result.ofEncryptCeiling}×)`);
  console.log(`decrypt, one core        ${result.decryptOneCoreMiBps} MiB/s`);
  // Sender and receiver share core 1: the sum of their crypto alone caps any run in this layout.
  console.log(`encrypt+decrypt one core ${result.encryptAndDecryptOneCoreMiBps} MiB/s (= ${round(result.encryptAndDecryptOneCoreMiBps / result.encryptOneCoreMiBps, 3)}× encrypt: the bound with both peers on one core; classchat = ${result.ofPeersCryptoBound}× of it)`);
  console.log(`server peak RSS          ${result.serverPeakRssMiB} MiB`);
  console.log(`CPU ms per MiB          sender ${result.cpuMsPerMiB.sender}, server ${result.cpuMsPerMiB.server}, receiver ${result.cpuMsPerMiB.receiver} (encrypting alone: ${round(1000 / result.encryptOneCoreMiBps, 2)})`);
  if (result.base64MiBps !== undefined) {
    console.log(`base64 chunks (ABBA)     ${result.base64MiBps} MiB/s, server CPU ${result.base64ServerCpuMsPerMiB} ms/MiB (raw = ${result.rawOverBase64}× base64)`);
  }
  console.log(`target: ≥ 200 MiB/s end to end: ${result.classchatMiBps} → ${result.classchatMiBps >= 200 ? 'PASS' : 'MISS'}`);
  console.log(`target: ≥ 0.75 of one core encrypting + decrypting: ${result.ofPeersCryptoBound} → ${result.ofPeersCryptoBound >= 0.75 ? 'PASS' : 'MISS'}`);
  console.log(`target: bytes identical: ${result.intact ? 'PASS' : 'MISS'}`);
  console.log(JSON.stringify(result));
}
if (results.length > 1) {
  const [small, large] = [results[0], results.at(-1)];
  console.log(`target: server peak RSS does not grow with file size: ${small.serverPeakRssMiB} MiB at ${SIZES_MIB[0]} MiB, ${large.serverPeakRssMiB} MiB at ${SIZES_MIB.at(-1)} MiB → ${large.serverPeakRssMiB <= small.serverPeakRssMiB * 1.25 + 8 ? 'PASS' : 'MISS'}`);
}
if (opts.json) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(opts.json, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

