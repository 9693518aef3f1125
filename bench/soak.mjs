#!/usr/bin/env node
/**
 * `npm run soak`: a long run against a real server process (dist/cli/classchat-server.js, the
 * durable LogStore in a temp dir) with a separate load process (bench/soak-load.mjs) of a few
 * hundred ChatClients joining, chatting, sending small files and leaving. Every `--sample`
 * seconds: messages/s, p99 latency, the server's RSS (/proc/PID/status VmRSS) and open fds
 * (/proc/PID/fd). Prints a table, a JSON summary, and verdicts:
 *   - levels off: the samples after a warm-up (the first minute, or the first 20 % of a shorter
 *     run) are split into thirds by time; RSS levels
 *     off when the last third's max is at most 10 % above the middle third's max; fds when the
 *     last third's max is at most the middle third's max + 10 % + 10 (fds follow who is online);
 *   - nothing lost: after the load stops, everyone logs in again and every acknowledged message
 *     reaches each recipient exactly once and in order, and every uploaded file arrives intact.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { spawnNode, waitListening, stop, killAll, rssBytes, cpuSeconds } from './lib/procs.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'dist/cli/classchat-server.js');
const LOAD = join(ROOT, 'bench/soak-load.mjs');

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '300' },
    rate: { type: 'string', default: '6' },
    everyone: { type: 'string', default: '0.2' },
    files: { type: 'string', default: '0.3' },
    sample: { type: 'string', default: '10' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(`npm run soak -- [options]
  --minutes N    how long the load runs (default 10), then a drain
  --clients N    users (default 300), each online 20-90 s, offline 3-15 s, again
  --rate N       messages per online user per minute (default 6)
  --everyone F   share of messages to everyone (default 0.2; the rest private, end-to-end encrypted)
  --files N      small files (1-32 KB) per online user per minute (default 0.3)
  --sample S     seconds between samples (default 10)
  --json FILE    also write the JSON summary to FILE`);
  process.exit(0);
}
const number = (name, min) => {
  const value = Number(opts[name]);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number ≥ ${min}, not ${opts[name]}`);
    process.exit(2);
  }
  return value;
};
const config = {
  minutes: number('minutes', 0.1),
  clients: Math.round(number('clients', 2)),
  perMinute: number('rate', 0),
  everyoneShare: Math.min(1, number('everyone', 0)),
  filesPerMinute: number('files', 0),
  sampleSeconds: number('sample', 1),
};

const tmp = mkdtempSync(join(tmpdir(), 'classchat-soak-'));
process.on('exit', () => {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const fdCount = (pid) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
};
const mb = (bytes) => (bytes === undefined ? undefined : Math.round((bytes / 2 ** 20) * 10) / 10);

console.log(`soak: ${config.clients} clients, ${config.minutes} min, ${config.perMinute} msg/min each (${config.everyoneShare * 100} % to everyone), ${config.filesPerMinute} files/min each`);
const server = spawnNode([SERVER, '--port', '0', '--data-dir', join(tmp, 'data'), '--max-conns-per-ip', '0', '--max-users', '0', '--registrations-per-ip', '0', '--registrations-per-hour', '0', '--log-level', 'warn'], { cwd: ROOT });
const port = await waitListening(server);
const baseline = { rssMB: mb(rssBytes(server.pid)), fds: fdCount(server.pid) };
console.log(`server pid ${server.pid} on port ${port}: RSS ${baseline.rssMB} MB, ${baseline.fds} fds before any client`);
const load = spawnNode([LOAD, JSON.stringify({ ...config, port, dir: join(tmp, 'load') })], { cwd: ROOT });

const samples = [];
let joined;
let done;
const header = ['t (s)', 'online', 'sent/s', 'delivered/s', 'p50 ms', 'p99 ms', 'RSS MB', 'fds', 'srv CPU %', 'load CPU %', 'files up/recv', 'joins/leaves'];
const row = (cells) => cells.map((cell, i) => String(cell ?? '-').padStart(header[i].length + (i === 0 ? 0 : 2))).join(' ');
let lastCpu = { at: Date.now(), server: cpuSeconds(server.pid) ?? 0, load: cpuSeconds(load.pid) ?? 0 };
await new Promise((resolve, reject) => {
  createInterface({ input: load.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return console.log(`  load: ${line}`);
    }
    if (event.ev === 'joined') {
      joined = event;
      console.log(`${event.users} clients logged in in ${(event.ms / 1000).toFixed(1)} s; sampling every ${config.sampleSeconds} s\n`);
      console.log(header.join('  '));
    } else if (event.ev === 'sample') {
      const now = { at: Date.now(), server: cpuSeconds(server.pid) ?? lastCpu.server, load: cpuSeconds(load.pid) ?? lastCpu.load };
      const percent = (key) => Math.round(((now[key] - lastCpu[key]) / ((now.at - lastCpu.at) / 1000)) * 100);
      const sample = { ...event, rssMB: mb(rssBytes(server.pid)), fds: fdCount(server.pid), serverCpuPct: percent('server'), loadCpuPct: percent('load') };
      lastCpu = now;
      samples.push(sample);
      console.log(row([sample.t, sample.online, sample.sentPerSec, sample.deliveredPerSec, sample.p50Ms, sample.p99Ms, sample.rssMB, sample.fds, sample.serverCpuPct, sample.loadCpuPct, `${sample.filesUploaded}/${sample.filesReceived}`, `${sample.joins}/${sample.leaves}`]));
    } else if (event.ev === 'done') {
      done = event;
      resolve();
    }
  });
  load.once('exit', (code) => (done ? resolve() : reject(new Error(`the load process exited with ${code} before finishing\n${load.stderrTail}`))));
  server.once('exit', (code) => reject(new Error(`the server exited with ${code} during the soak\n${server.stderrTail}`)));
});
const final = { rssMB: mb(rssBytes(server.pid)), fds: fdCount(server.pid) };
await stop(load);
await stop(server);

// ---- verdicts ----
const warmUpSeconds = Math.min(60, config.minutes * 60 * 0.2);
const settled = samples.filter((sample) => sample.t > warmUpSeconds);
const third = Math.floor(settled.length / 3);
const middle = settled.slice(third, 2 * third);
const last = settled.slice(2 * third);
const maxOf = (list, key) => Math.max(...list.map((sample) => sample[key] ?? 0));
let levels;
if (third === 0) levels = { verdict: 'not enough samples after the warm-up to judge (run longer)' };
else {
  const rss = { middleMaxMB: maxOf(middle, 'rssMB'), lastMaxMB: maxOf(last, 'rssMB') };
  const fds = { middleMax: maxOf(middle, 'fds'), lastMax: maxOf(last, 'fds') };
  rss.levelsOff = rss.lastMaxMB <= rss.middleMaxMB * 1.1;
  fds.levelsOff = fds.lastMax <= fds.middleMax * 1.1 + 10;
  levels = { rss, fds, verdict: rss.levelsOff && fds.levelsOff ? 'RSS and fds level off' : `${rss.levelsOff ? '' : 'RSS climbs '}${fds.levelsOff ? '' : 'fds climb'}`.trim() };
}
const lost = done.messagesLost + done.filesLost + done.filesCorrupt + done.duplicatesOrReordered + done.misaddressed + done.undecryptable;
const latencies = samples.filter((sample) => sample.p99Ms !== null);
const summary = {
  config,
  baseline,
  afterDrain: final,
  samples: samples.length,
  loginAllMs: joined?.ms,
  meanSentPerSec: Math.round(samples.reduce((sum, sample) => sum + sample.sentPerSec, 0) / Math.max(1, samples.length)),
  meanDeliveredPerSec: Math.round(samples.reduce((sum, sample) => sum + sample.deliveredPerSec, 0) / Math.max(1, samples.length)),
  worstP99Ms: latencies.length ? Math.max(...latencies.map((sample) => sample.p99Ms)) : null,
  rssMB: { min: Math.min(...samples.map((s) => s.rssMB)), max: maxOf(samples, 'rssMB') },
  fds: { min: Math.min(...samples.map((s) => s.fds)), max: maxOf(samples, 'fds') },
  levels,
  result: done,
  nothingLost: lost === 0 && done.drained,
};
console.log(`\nJSON ${JSON.stringify(summary)}`);
if (opts.json) writeFileSync(opts.json, JSON.stringify({ ...summary, series: samples }, null, 2));
console.log(`\nlevels off: ${levels.verdict}${levels.rss ? ` (RSS max ${levels.rss.middleMaxMB} MB in the middle third, ${levels.rss.lastMaxMB} MB in the last; fds ${levels.fds.middleMax} → ${levels.fds.lastMax})` : ''}`);
console.log(`lost: ${summary.nothingLost ? 'nothing' : 'SOMETHING'}: ${done.messagesAcknowledged} messages acknowledged, ${done.messagesLost} not delivered, ${done.duplicatesOrReordered} duplicated or reordered, ${done.misaddressed} misaddressed; ${done.filesUploaded} files uploaded, ${done.filesReceived} received intact, ${done.filesLost} lost, ${done.filesCorrupt} corrupt (drain ${done.drained ? 'complete' : 'TIMED OUT'} in ${(done.drainMs / 1000).toFixed(1)} s)`);
process.exit(summary.nothingLost && (levels.rss ? levels.rss.levelsOff && levels.fds.levelsOff : true) ? 0 : 1);
