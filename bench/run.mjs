#!/usr/bin/env node
/**
 * `npm run bench`: runs each scenario against the real ClassChat server (durable LogStore, as
 * shipped) and against the ceiling (bench/ceiling-server.mjs) with identical parameters, from a
 * load generator in its own process. Server on core 0, load generator on core 1 (taskset).
 * Prints a table and one JSON line per scenario; medians of --runs runs (default 3).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { HAS_TASKSET, spawnNode, waitListening, stop, cpuSeconds, rssBytes, killAll } from './lib/procs.mjs';
import { medians, printTable, roomTargets, summaryOf, targetsFor } from './lib/report.mjs';
import { PostgresNodes } from './lib/pg-nodes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const USAGE = `Usage: npm run bench -- [options]
  --scenario LIST     comma-separated: fanout-max,fanout-rate,dm-max,dm-rate,dm-steady,room-max,room-rate,idle,offline-drain,files,search (default all)
  --runs N            runs per scenario and server, median reported (default 3)
  --store postgres    also run each scenario on --nodes ClassChat nodes on one private PostgreSQL
                      (the "postgres" target, beside the embedded store; idle is not run on it)
  --nodes N           nodes for --store postgres (2); clients spread over them
  --target T          classchat, ceiling, durable-ceiling, records-ceiling, a list, or both
                      (default: classchat, ceiling and durable-ceiling; idle adds records-ceiling).
                      durable-ceiling fsyncs each message before routing it; records-ceiling keeps
                      a session and a user record per connection (the idle target's ceiling)
  --clients N         fan-out clients (200)        --senders N     fan-out senders (10)
  --messages N        fanout-max messages per sender (2000)
  --window N          unacknowledged sends in flight per sender (256)
  --rate N            fanout-rate messages/s per sender (50)
  --duration S        seconds of sending in the *-rate scenarios (10)
  --pairs N           dm pairs (100)               --dm-messages N  dm-max messages per sender (2000)
  --dm-rate N         dm-rate messages/s per sender (5)
  --dm-steady-rate N  dm-steady messages/s per sender (50: 100 pairs send 10,000 messages/s)
  --room-members N    room-*: members of the encrypted group room, all online (30)
  --room-senders N    room-*: members sending (5)
  --room-messages N   room-max messages per sender (4000)
  --room-rate N       room-rate messages/s per sender (50)
                      Each room run is paired with an everyone fan-out of the same users,
                      senders and line size (alternating which goes first: ABBA).
  --connections LIST  idle connection counts (1000,5000,10000)
  --hold S            idle: seconds every connection must stay up (30)
  --drain-messages N  offline-drain queue length (100000)
  --file-sizes LIST   files: sizes in MiB (64,512); runs bench/files.mjs
  --file-chunks MODE  files: raw (binary chunks, default), base64, or abba (both, alternating)
  --server-node-args="ARGS"  extra node flags for the ClassChat server (e.g. --server-node-args="--cpu-prof --cpu-prof-dir=DIR")
  --json FILE         also write every result as JSON lines to FILE
Environment: BENCH_CPU_PROF=DIR writes a CPU profile of every child process (servers, load
generator, file peers) into DIR.`;

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'fanout-max,fanout-rate,dm-max,dm-rate,dm-steady,room-max,room-rate,idle,offline-drain,files,search' },
    'file-sizes': { type: 'string', default: '64,512' },
    'file-chunks': { type: 'string', default: 'raw' },
    runs: { type: 'string', default: '3' },
    target: { type: 'string', default: 'both' },
    store: { type: 'string' },
    nodes: { type: 'string', default: '2' },
    clients: { type: 'string', default: '200' },
    senders: { type: 'string', default: '10' },
    messages: { type: 'string', default: '2000' },
    window: { type: 'string', default: '256' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    pairs: { type: 'string', default: '100' },
    'dm-messages': { type: 'string', default: '2000' },
    'dm-rate': { type: 'string', default: '5' },
    'dm-steady-rate': { type: 'string', default: '50' },
    'room-members': { type: 'string', default: '30' },
    'room-senders': { type: 'string', default: '5' },
    'room-messages': { type: 'string', default: '4000' },
    'room-rate': { type: 'string', default: '50' },
    connections: { type: 'string', default: '1000,5000,10000' },
    hold: { type: 'string', default: '30' },
    'drain-messages': { type: 'string', default: '100000' },
    'server-node-args': { type: 'string', default: '' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const int = (name) => {
  const value = Number(opts[name]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
const RUNS = Math.max(1, int('runs'));
if (opts.store !== undefined && opts.store !== 'postgres') {
  console.error(`--store must be postgres (the embedded store always runs as "classchat")\n\n${USAGE}`);
  process.exit(2);
}
const NODES = Math.max(1, int('nodes'));
// Issue 19's targets are against the durable ceiling (and, for idle, the records ceiling): both run by default.
const TARGETS = opts.target === 'both' ? ['classchat', 'ceiling', 'durable-ceiling'] : opts.target.split(',').map((t) => t.trim());
if (opts.store === 'postgres' && !TARGETS.includes('postgres')) TARGETS.splice(TARGETS.indexOf('classchat') + 1, 0, 'postgres');
for (const target of TARGETS) {
  if (!['classchat', 'postgres', 'ceiling', 'durable-ceiling', 'records-ceiling'].includes(target)) {
    console.error(`unknown target "${target}"\n\n${USAGE}`);
    process.exit(2);
  }
}
/** The load generator's protocol for a target: both ceilings speak the ceiling's. */
const protoOf = (target) => (target === 'classchat' || target === 'postgres' ? 'classchat' : 'ceiling');
const P = {
  clients: int('clients'),
  senders: int('senders'),
  messages: int('messages'),
  window: Math.max(1, int('window')),
  rate: int('rate'),
  duration: int('duration'),
  pairs: int('pairs'),
  dmMessages: int('dm-messages'),
  dmRate: int('dm-rate'),
  dmSteadyRate: int('dm-steady-rate'),
  roomMembers: int('room-members'),
  roomSenders: int('room-senders'),
  roomMessages: int('room-messages'),
  roomRate: int('room-rate'),
  connections: opts.connections.split(',').map(Number),
  hold: int('hold'),
  drainMessages: int('drain-messages'),
};

const SERVER_BUNDLE = join(ROOT, 'dist/cli/classchat-server.js');
const CEILING = join(ROOT, 'bench/ceiling-server.mjs');
const GC_ON_SIGNAL = join(ROOT, 'bench/lib/gc-on-signal.cjs');
const LOADGEN = join(ROOT, 'bench/loadgen.mjs');
const SERVER_CORE = 0;
const LOADGEN_CORE = cpus().length > 1 ? 1 : 0;

const tmp = mkdtempSync(join(tmpdir(), 'classchat-bench-'));
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the bench, cleaning up`);
    cleanup();
    // The private PostgreSQL (--store postgres) is a daemon of its own: stop it too.
    void (typeof pgNodes === 'undefined' ? Promise.resolve() : pgNodes?.close()).finally(() => process.exit(130));
  });
}

// ---- identities: one Ed25519 key pair per user, generated once per bench run ----

async function makeKeys(count) {
  const identity = require(join(ROOT, 'out/src/crypto/identity.js'));
  const started = Date.now();
  const users = [];
  for (let i = 0; i < count; i++) {
    const { publicKey, secretKey } = await identity.generateIdentity();
    users.push({ name: `u${String(i).padStart(5, '0')}`, publicKey, secretKey });
  }
  const file = join(tmp, 'keys.json');
  writeFileSync(file, JSON.stringify(users));
  console.log(`generated ${count} Ed25519 identities in ${((Date.now() - started) / 1000).toFixed(1)} s (cached in ${file})`);
  return file;
}

// ---- servers and the load generator ----

let dataDirCounter = 0;
const pgNodes = TARGETS.includes('postgres') ? new PostgresNodes(ROOT, tmp) : undefined;
const SERVER_FLAGS = ['--port', '0', '--rate-limit', '0', '--max-conns-per-ip', '0', '--max-users', '0', '--registrations-per-ip', '0', '--registrations-per-hour', '0', '--log-level', 'warn'];
async function startServer(target, dataDir, { gcOnSignal = false } = {}) {
  const nodeArgs = opts['server-node-args'].split(' ').filter(Boolean);
  if (target === 'postgres') return pgNodes.startNodes(NODES, keysFile, [...nodeArgs, SERVER_BUNDLE, ...SERVER_FLAGS], SERVER_CORE);
  const gcArgs = gcOnSignal ? ['--expose-gc', '--require', GC_ON_SIGNAL] : [];
  const args =
    target !== 'classchat'
      ? [...gcArgs, CEILING, '--port', '0', ...(target === 'durable-ceiling' ? ['--durable', dataDir] : []), ...(target === 'records-ceiling' ? ['--records'] : [])]
      : [...gcArgs, ...nodeArgs, SERVER_BUNDLE, ...SERVER_FLAGS, '--data-dir', dataDir];
  if (target === 'durable-ceiling') mkdirSync(dataDir, { recursive: true });
  const started = process.hrtime.bigint();
  const child = spawnNode(args, { core: SERVER_CORE, cwd: ROOT });
  const port = await waitListening(child);
  child.startSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  child.port = port;
  return child;
}

/** Stops one server process, or every node of the postgres target. */
const stopServer = (server, graceMs) => (server.stop ? server.stop() : stop(server, graceMs));

/** A full GC in a server started with gcOnSignal; resolves with its memoryUsage() (undefined after 10 s). */
function collectGarbage(server) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), 10_000);
    function onData(chunk) {
      const match = /gc-done (\{.*\})/.exec(chunk.toString());
      if (match) finish(JSON.parse(match[1]));
    }
    function finish(usage) {
      clearTimeout(timer);
      server.stdout.off('data', onData);
      resolve(usage);
    }
    server.stdout.on('data', onData);
    server.kill('SIGUSR2');
  });
}

/** Runs the load generator; samples CPU of both processes at its measure-start/-end events. */
function runLoadgen(server, config, onEvent = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawnNode([LOADGEN, JSON.stringify(config)], { core: LOADGEN_CORE, cwd: ROOT });
    // Every node of the postgres target together (PostgreSQL itself not counted).
    const serverCpu = () => (server.pids ?? [server.pid]).reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
    const sample = () => ({ at: process.hrtime.bigint(), server: serverCpu(), loadgen: cpuSeconds(child.pid) });
    let begin;
    let cpu = {};
    let result;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        console.error(`loadgen: ${line}`);
        return;
      }
      if (event.ev === 'measure-start') begin = sample();
      else if (event.ev === 'measure-end' && begin) {
        const end = sample();
        const wall = Number(end.at - begin.at) / 1e9;
        cpu = {
          serverCpuPct: Math.round(((end.server - begin.server) / wall) * 100),
          loadgenCpuPct: Math.round(((end.loadgen - begin.loadgen) / wall) * 100),
        };
      }
      if (event.ev === 'result') result = event;
      else onEvent(event);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (config.maxSeconds + 30) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!result) return reject(new Error(`load generator exited with ${code} and no result\n${child.stderrTail}`));
      delete result.ev;
      if (result.error) return reject(new Error(`load generator: ${result.error}\n${child.stderrTail}`));
      resolve({ ...result, ...cpu, loadgenBound: cpu.loadgenCpuPct >= 90 && cpu.loadgenCpuPct >= cpu.serverCpuPct });
    });
  });
}

function freshDataDir() {
  return join(tmp, `data-${++dataDirCounter}`);
}

function dirBytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  return total;
}

// ---- scenarios: each returns one run's metrics for one target ----

async function trafficRun(target, scenario, params, maxSeconds) {
  const dataDir = freshDataDir();
  const server = await startServer(target, dataDir);
  try {
    return await runLoadgen(server, { proto: protoOf(target), port: server.port, ports: server.ports, scenario, keysFile, params, maxSeconds });
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function idleRun(target, connections) {
  const dataDir = freshDataDir();
  const server = await startServer(target, dataDir, { gcOnSignal: true });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baseHeap = (await collectGarbage(server))?.heapUsed;
    const baseRss = rssBytes(server.pid);
    let connectedRss;
    let heldRss;
    let settled;
    const result = await runLoadgen(
      server,
      { proto: protoOf(target), port: server.port, scenario: 'idle', keysFile, params: { connections, hold: P.hold }, maxSeconds: P.hold + 900 },
      (event) => {
        // The idle figure: every connection open and idle for the whole hold (before they close).
        if (event.ev === 'measure-end') heldRss = rssBytes(server.pid);
        if (event.ev !== 'connected') return;
        connectedRss = rssBytes(server.pid);
        // Every connection is still held (for --hold seconds): what stays after a full GC.
        settled = collectGarbage(server).then((usage) => ({ rss: rssBytes(server.pid), heap: usage?.heapUsed }));
      },
    );
    const { rss: settledRss, heap: settledHeap } = (await settled) ?? {};
    const perConnKB = (bytes) => (bytes === undefined ? null : round((bytes - baseRss) / 1024 / connections, 1));
    return {
      ...result,
      baseRssMB: round(baseRss / 2 ** 20, 1),
      rssMB: heldRss === undefined ? null : round(heldRss / 2 ** 20, 1),
      rssPerConnKB: perConnKB(heldRss),
      // Right after the last login: heap the login storm grew and V8 has not yet given back.
      loginRssMB: connectedRss === undefined ? null : round(connectedRss / 2 ** 20, 1),
      loginRssPerConnKB: perConnKB(connectedRss),
      settledRssMB: settledRss === undefined ? null : round(settledRss / 2 ** 20, 1),
      settledRssPerConnKB: perConnKB(settledRss),
      // Live JavaScript objects per connection after a full GC (RSS also holds heap V8 grew and kept).
      heapPerConnKB: settledHeap === undefined || baseHeap === undefined ? null : round((settledHeap - baseHeap) / 1024 / connections, 1),
    };
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function drainRun(target) {
  const dataDir = freshDataDir();
  const params = { messages: P.drainMessages, window: P.window };
  let server = await startServer(target, dataDir);
  try {
    const fill = await runLoadgen(server, { proto: protoOf(target), port: server.port, ports: server.ports, scenario: 'offline-drain', phase: 'fill', keysFile, params, maxSeconds: 900 });
    let restartSeconds = null;
    let storeMB = null;
    if (target === 'classchat') {
      // Restart with the queue on disk: time from spawn until the server listens again.
      await stop(server, 30_000);
      storeMB = round(dirBytes(dataDir) / 2 ** 20, 1);
      server = await startServer(target, dataDir);
      restartSeconds = round(server.startSeconds, 3);
    }
    const drain = await runLoadgen(server, { proto: protoOf(target), port: server.port, ports: server.ports, scenario: 'offline-drain', phase: 'drain', keysFile, params, maxSeconds: 900 });
    return { ...drain, fillSeconds: fill.fillSeconds, restartSeconds, storeMB };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---- main ----

const PLAN = [];
const SCENARIOS = opts.scenario.split(',').map((s) => s.trim()).filter(Boolean);
const RUN_FILES = SCENARIOS.includes('files');
const RUN_SEARCH = SCENARIOS.includes('search');
for (const name of SCENARIOS.filter((s) => s !== 'files' && s !== 'search')) {
  if (name === 'fanout-max' || name === 'fanout-rate') {
    const rated = name === 'fanout-rate';
    const params = { clients: P.clients, senders: P.senders, window: P.window, ...(rated ? { rate: P.rate, duration: P.duration } : { messages: P.messages }) };
    PLAN.push({ name, kind: 'traffic', params, run: (t) => trafficRun(t, name, params, rated ? P.duration + 300 : 900) });
  } else if (name === 'dm-max' || name === 'dm-rate' || name === 'dm-steady') {
    const rated = name !== 'dm-max';
    const rate = name === 'dm-steady' ? P.dmSteadyRate : P.dmRate;
    const params = { pairs: P.pairs, window: P.window, ...(rated ? { rate, duration: P.duration } : { messages: P.dmMessages }) };
    // dm-steady is the load generator's dm-rate at a higher rate.
    PLAN.push({ name, kind: 'traffic', params, run: (t) => trafficRun(t, rated ? 'dm-rate' : name, params, rated ? P.duration + 300 : 900) });
  } else if (name === 'room-max' || name === 'room-rate') {
    const rated = name === 'room-rate';
    const params = { members: P.roomMembers, clients: P.roomMembers, senders: P.roomSenders, window: P.window, ...(rated ? { rate: P.roomRate, duration: P.duration } : { messages: P.roomMessages }) };
    const run = (t, variant) => trafficRun(t, name, { ...params, everyone: variant === 'everyone' }, rated ? P.duration + 300 : 900);
    PLAN.push({ name, kind: 'traffic', params, variants: ['room', 'everyone'], run });
  } else if (name === 'idle') {
    for (const n of P.connections) PLAN.push({ name: `idle-${n}`, kind: 'idle', params: { connections: n, hold: P.hold }, extraTargets: ['records-ceiling'], run: (t) => idleRun(t, n) });
  } else if (name === 'offline-drain') {
    PLAN.push({ name, kind: 'drain', params: { messages: P.drainMessages, window: P.window }, run: (t) => drainRun(t) });
  } else {
    console.error(`unknown scenario "${name}"\n\n${USAGE}`);
    process.exit(2);
  }
}

const needKeys = Math.max(2, ...PLAN.map((p) => p.params.clients ?? (p.params.pairs ? p.params.pairs * 2 : 0) ?? 0), ...PLAN.map((p) => p.params.connections ?? 0));
console.log(`ClassChat bench: ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, data in ${tmp}`);
if (HAS_TASKSET) console.log(`server pinned to core ${SERVER_CORE}, load generator to core ${LOADGEN_CORE}`);
else console.log('NOTE: taskset not found: server and load generator are not pinned to cores; figures are noisier');
const keysFile = await makeKeys(needKeys);
if (pgNodes) {
  await pgNodes.start();
  console.log(`postgres target: ${NODES} node(s) on a private PostgreSQL (${pgNodes.pg.port}), clients spread over them`);
}

const allResults = [];
let failed = false;
for (const step of PLAN) {
  const byTarget = {};
  const raw = {};
  // A step with variants runs each in every run, alternating which goes first (ABBA).
  const variants = step.variants ?? [undefined];
  const column = (target, variant) => (variant === undefined ? target : `${target} ${variant}`);
  const targets = opts.target === 'both' ? [...TARGETS, ...(step.extraTargets ?? [])] : TARGETS;
  const columns = targets.flatMap((target) => variants.map((variant) => column(target, variant)));
  // The idle figures are one process's memory: not measured across nodes.
  for (const target of targets.filter((t) => !(t === 'postgres' && step.kind === 'idle'))) {
    for (const variant of variants) raw[column(target, variant)] = [];
    for (let run = 1; run <= RUNS; run++) {
      for (const variant of run % 2 === 1 ? variants : [...variants].reverse()) {
        const key = column(target, variant);
        process.stdout.write(`${step.name} ${key} run ${run}/${RUNS} … `);
        try {
          const result = await step.run(target, variant);
          raw[key].push(result);
          console.log(summaryOf(step.kind, result));
        } catch (error) {
          failed = true;
          console.log(`FAILED: ${String(error?.message ?? error).split('\n').slice(0, 6).join(' | ')}`);
        }
      }
    }
    for (const variant of variants) if (raw[column(target, variant)].length > 0) byTarget[column(target, variant)] = medians(raw[column(target, variant)]);
  }
  const checks = step.variants ? roomTargets(step.name, byTarget) : targetsFor(step.name, byTarget);
  printTable(step.name, step.kind, columns, byTarget, checks, RUNS);
  const line = { scenario: step.name, date: new Date().toISOString(), cores: cpus().length, node: process.version, runs: RUNS, params: step.params, medians: byTarget, targets: checks, raw };
  allResults.push(line);
  console.log(JSON.stringify({ ...line, raw: undefined }));
  if (opts.json) writeFileSync(opts.json, allResults.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
if (RUN_FILES) {
  // The file bench has its own ceilings (raw relay, one-core encryption): see bench/files.mjs.
  const { spawnSync } = await import('node:child_process');
  const files = spawnSync(process.execPath, [join(ROOT, 'bench/files.mjs'), '--runs', String(RUNS), '--sizes', opts['file-sizes'], '--chunks', opts['file-chunks']], { stdio: 'inherit' });
  if (files.status !== 0) failed = true;
}
if (RUN_SEARCH) {
  // Client-side search (bench/search.mjs): no server involved.
  const { spawnSync } = await import('node:child_process');
  const search = spawnSync(process.execPath, [join(ROOT, 'bench/search.mjs')], { stdio: 'inherit' });
  if (search.status !== 0) failed = true;
}
await pgNodes?.close();
process.exitCode = failed ? 1 : 0;
