#!/usr/bin/env node
/**
 * The client search bench (`npm run bench -- --scenario search`, or this script alone with
 * `node --expose-gc bench/search.mjs`): MessageSearch over --messages chat messages of made-up
 * words (a Zipf-like vocabulary, as chat is), then --queries searches of one to three words, the
 * last one half typed, some narrowed by sender or conversation. Reports the time to index, query
 * latency (p50/p99/max, target: p99 under 100 ms at 10,000 messages) and the heap the index costs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { MessageSearch } = require(join(ROOT, 'out/src/client/search/message-search.js'));

const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000,20000' },
    queries: { type: 'string', default: '2000' },
  },
});
const TARGET_P99_MS = 100;

/** A small deterministic generator, so every run searches the same messages. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = generator(42);
const SYLLABLES = ['ka', 'lo', 'mi', 're', 'tu', 'sa', 'no', 'vi', 'de', 'po', 'ra', 'ni', 'el', 'an', 'or', 'is'];
const VOCABULARY = Array.from({ length: 5000 }, (_, i) => {
  let word = '';
  for (let n = i + 7; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});
/** Zipf-like: word i is picked with weight 1/(i+1). */
const CUMULATIVE = (() => {
  let sum = 0;
  return VOCABULARY.map((_, i) => (sum += 1 / (i + 1)));
})();
function word() {
  const target = random() * CUMULATIVE[CUMULATIVE.length - 1];
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (CUMULATIVE[mid] < target) low = mid + 1;
    else high = mid;
  }
  return VOCABULARY[low];
}
const NAMES = Array.from({ length: 30 }, (_, i) => `student${i}`);
const CONVERSATIONS = ['*', '#lab-1', '#lab-2', '#section-a', ...NAMES.slice(0, 10)];
const pick = (list) => list[Math.floor(random() * list.length)];

/** A flat copy: a joined string is a rope V8 flattens later, which would count against the index. */
const flat = (text) => Buffer.from(text, 'utf8').toString('utf8');

function makeMessages(count) {
  return Array.from({ length: count }, (_, i) => {
    const length = 3 + Math.floor(random() * 25);
    return { seq: i + 1, conversation: pick(CONVERSATIONS), from: pick(NAMES), ts: i * 1000, text: flat(Array.from({ length }, word).join(' ')) };
  });
}

function makeQueries(count) {
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 1 + Math.floor(random() * 3) }, word);
    const last = words[words.length - 1];
    if (random() < 0.5) words[words.length - 1] = last.slice(0, Math.max(2, Math.ceil(last.length / 2)));
    const filter = random();
    if (filter < 0.2) words.push(`from:${pick(NAMES)}`);
    else if (filter < 0.4) words.push(`in:${pick(CONVERSATIONS)}`);
    return words.join(' ');
  });
}

function heapUsed() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const SIZES = opts.messages.split(',').map(Number);
if (SIZES.some((size) => !Number.isInteger(size) || size < 1)) throw new Error(`--messages wants positive counts, not ${opts.messages}`);
if (SIZES.length > 1) {
  // One process per size: an earlier index's heap would blur the next one's figure.
  const { spawnSync } = await import('node:child_process');
  let status = 0;
  for (const size of SIZES) {
    const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--messages', String(size), '--queries', opts.queries], { stdio: 'inherit' });
    status ||= run.status ?? 1;
  }
  process.exit(status);
}
if (!globalThis.gc) console.log('(run with node --expose-gc for heap figures)');
let failed = false;
for (const count of SIZES) {
  const messages = makeMessages(count);
  const queries = makeQueries(Number(opts.queries));
  const before = heapUsed();
  const search = new MessageSearch(count);
  const started = performance.now();
  for (const message of messages) search.add(message);
  const indexMs = performance.now() - started;
  const heapBytes = heapUsed() - before;
  // Warm up (JIT) on other queries, so the figures are the steady state a user types into.
  for (const query of makeQueries(200)) search.search({ text: query });
  const latencies = [];
  let hits = 0;
  for (const query of queries) {
    const t0 = performance.now();
    hits += search.search({ text: query }).length;
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  const result = {
    scenario: 'search',
    messages: count,
    queries: queries.length,
    indexMs: Math.round(indexMs),
    p50Ms: +percentile(latencies, 50).toFixed(2),
    p99Ms: +p99.toFixed(2),
    maxMs: +latencies[latencies.length - 1].toFixed(2),
    meanHits: +(hits / queries.length).toFixed(1),
    heapMB: globalThis.gc ? +(heapBytes / 2 ** 20).toFixed(1) : undefined,
    heapBytesPerMessage: globalThis.gc ? Math.round(heapBytes / count) : undefined,
    targetP99Ms: TARGET_P99_MS,
  };
  console.log(JSON.stringify(result));
  if (count <= 10_000 && p99 >= TARGET_P99_MS) failed = true;
}
process.exitCode = failed ? 1 : 0;
