/** The bench's report: the figures shown per scenario kind, medians, targets and the tables. */
import { median } from './stats.mjs';

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The figures shown per scenario: [key, label]. */
export const SHOWN = {
  traffic: [['deliveriesPerSec', 'deliveries/s'], ['p50Ms', 'p50 ms'], ['p99Ms', 'p99 ms'], ['maxMs', 'max ms'], ['lost', 'lost'], ['duplicates', 'dup'], ['reordered', 'reordered'], ['serverCpuPct', 'server CPU %'], ['loadgenCpuPct', 'loadgen CPU %']],
  idle: [['connected', 'connected'], ['closedDuringHold', 'closed in hold'], ['pongs', 'pongs after hold'], ['loginSeconds', 'login all s'], ['rssMB', 'RSS MB end of hold'], ['rssPerConnKB', 'RSS/conn KB end of hold'], ['loginRssPerConnKB', 'RSS/conn KB after logins'], ['settledRssPerConnKB', '… then full GC, KB'], ['heapPerConnKB', 'after GC heap/conn KB'], ['serverCpuPct', 'server CPU % (hold)']],
  drain: [['drainSeconds', 'drain+ack s'], ['deliveriesPerSec', 'deliveries/s'], ['lost', 'lost'], ['duplicates', 'dup'], ['reordered', 'reordered'], ['fillSeconds', 'fill s'], ['restartSeconds', 'restart s'], ['storeMB', 'store MB'], ['serverCpuPct', 'server CPU %'], ['loadgenCpuPct', 'loadgen CPU %']],
};

export function medians(runs) {
  const out = {};
  for (const key of Object.keys(runs[0] ?? {})) {
    const numbers = runs.map((run) => run[key]);
    if (numbers.every((value) => typeof value === 'number')) out[key] = median(numbers);
    else if (numbers.every((value) => typeof value === 'boolean')) out[key] = numbers.every(Boolean);
  }
  out.loadgenBoundRuns = runs.filter((run) => run.loadgenBound).length;
  return out;
}

/**
 * Issue 19's targets: ratios against the ceiling of the same run. Durability is not optional for
 * ClassChat, so the private-message and latency targets are against the durable ceiling (which
 * fsyncs every message before routing it) and idle memory against the records ceiling.
 */
export function targetsFor(scenario, byTarget) {
  const { classchat: cc, ceiling: ceil, 'durable-ceiling': durable, 'records-ceiling': records } = byTarget;
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 3) : null);
  const checks = [];
  const integrity = cc && ['lost', 'duplicates', 'reordered'].every((key) => cc[key] === 0 || cc[key] === undefined);
  if (scenario === 'fanout-max') checks.push(['deliveries/s ≥ 0.8× ceiling', ratio(cc?.deliveriesPerSec, ceil?.deliveriesPerSec), (r) => r >= 0.8]);
  if (scenario === 'fanout-rate') checks.push(['p99 ≤ 1.5× durable ceiling p99', ratio(cc?.p99Ms, durable?.p99Ms), (r) => r <= 1.5]);
  if (scenario === 'dm-max') checks.push(['deliveries/s ≥ 0.5× durable ceiling', ratio(cc?.deliveriesPerSec, durable?.deliveriesPerSec), (r) => r >= 0.5]);
  if (scenario === 'dm-rate') checks.push(['p99 ≤ 1.5× durable ceiling p99', ratio(cc?.p99Ms, durable?.p99Ms), (r) => r <= 1.5]);
  if (scenario === 'dm-steady') {
    checks.push(['p99 ≤ 2× durable ceiling p99', ratio(cc?.p99Ms, durable?.p99Ms), (r) => r <= 2]);
    checks.push(['server CPU ≤ 2× durable ceiling', ratio(cc?.serverCpuPct, durable?.serverCpuPct), (r) => r <= 2]);
  }
  if (scenario.startsWith('idle-')) {
    checks.push(['all held for the hold time', cc?.heldAll ? 1 : 0, (r) => r === 1]);
    checks.push(['RSS/conn (end of hold) ≤ 1.5× records ceiling', ratio(cc?.rssPerConnKB, records?.rssPerConnKB), (r) => r <= 1.5]);
    checks.push(['RSS/conn vs bare ceiling (no target)', ratio(cc?.rssPerConnKB, ceil?.rssPerConnKB), () => true]);
  }
  if (scenario === 'offline-drain') {
    checks.push(['drain < 10 s (s)', cc?.drainSeconds ?? null, (r) => r < 10]);
    checks.push(['restart < 2 s (s)', cc?.restartSeconds ?? null, (r) => r < 2]);
  }
  // Read, not targets: how much of the gap to the bare ceiling durability explains.
  if (scenario === 'dm-max' || scenario === 'fanout-max') checks.push(['deliveries/s vs bare ceiling (no target)', ratio(cc?.deliveriesPerSec, ceil?.deliveriesPerSec), () => true]);
  if (scenario === 'fanout-max') checks.push(['deliveries/s vs durable ceiling (no target)', ratio(cc?.deliveriesPerSec, durable?.deliveriesPerSec), () => true]);
  if (scenario.endsWith('-rate') || scenario === 'dm-steady') checks.push(['p99 vs bare ceiling p99 (no target)', ratio(cc?.p99Ms, ceil?.p99Ms), () => true]);
  if (cc && !scenario.startsWith('idle-')) checks.push(['0 lost/dup/reordered', integrity ? 1 : 0, (r) => r === 1]);
  return checks.map(([name, value, pass]) => ({ target: name, value, pass: value === null ? null : pass(value) }));
}

/** `columns`: the keys of `byColumn` to print, in order (the targets, or target and variant). */
/**
 * The room scenarios' figures (no target in issue 15: they are read): the room against the
 * everyone fan-out of the same run on each server, and the room against the ceiling's room.
 */
export function roomTargets(scenario, byColumn) {
  const key = scenario === 'room-max' ? 'deliveriesPerSec' : 'p99Ms';
  const label = scenario === 'room-max' ? 'deliveries/s' : 'p99';
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 3) : null);
  const checks = [];
  for (const target of ['classchat', 'ceiling', 'durable-ceiling']) {
    const room = byColumn[`${target} room`];
    const everyone = byColumn[`${target} everyone`];
    if (room && everyone) checks.push([`${target}: room ${label} / everyone ${label} (no target)`, ratio(room[key], everyone[key]), () => true]);
  }
  for (const variant of ['room', 'everyone']) {
    const cc = byColumn[`classchat ${variant}`];
    const ceiling = byColumn[`ceiling ${variant}`];
    if (cc && ceiling) checks.push([`${variant}: classchat ${label} / ceiling ${label} (no target)`, ratio(cc[key], ceiling[key]), () => true]);
  }
  for (const variant of ['room', 'everyone']) {
    const cc = byColumn[`classchat ${variant}`];
    const integrity = cc && ['lost', 'duplicates', 'reordered'].every((k) => cc[k] === 0 || cc[k] === undefined);
    if (cc) checks.push([`classchat ${variant}: 0 lost/dup/reordered`, integrity ? 1 : 0, (r) => r === 1]);
  }
  return checks.map(([name, value, pass]) => ({ target: name, value, pass: value === null ? null : pass(value) }));
}

export function printTable(scenario, kind, columns, byColumn, checks, runs) {
  const rows = SHOWN[kind].map(([key, label]) => [label, ...columns.map((c) => format(byColumn[c]?.[key]))]);
  const header = ['', ...columns];
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => String(row[col]).length)));
  const line = (row) => row.map((cell, col) => String(cell).padStart(col === 0 ? 0 : widths[col]).padEnd(col === 0 ? widths[0] : 0)).join('  ');
  console.log(`\n== ${scenario} (median of ${runs}) ==`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const c of columns) if (byColumn[c]?.loadgenBoundRuns) console.log(`NOTE: ${c}: the load generator was the bottleneck in ${byColumn[c].loadgenBoundRuns}/${runs} runs (≥90% of its core)`);
  for (const check of checks) console.log(`target: ${check.target}: ${check.value ?? 'n/a'} → ${check.pass === null ? 'n/a' : check.pass ? 'PASS' : 'MISS'}`);
}

export function format(value) {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  return String(value);
}

export function summaryOf(kind, r) {
  const cpu = `cpu server ${r.serverCpuPct}% loadgen ${r.loadgenCpuPct}%${r.loadgenBound ? ' (LOADGEN-BOUND)' : ''}`;
  if (kind === 'traffic') return `${format(r.deliveriesPerSec)} deliveries/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, lost ${r.lost}, dup ${r.duplicates}, reordered ${r.reordered}, ${r.seconds} s; ${cpu}${r.finished ? '' : ' UNFINISHED'}`;
  if (kind === 'idle') return `${r.connected}/${r.connections} connected in ${r.loginSeconds} s, closed in hold ${r.closedDuringHold}, pongs ${r.pongs}, RSS at the end of the hold ${r.rssMB} MB (${r.rssPerConnKB} KB/conn; just after logins ${r.loginRssMB} MB, ${r.loginRssPerConnKB} KB/conn, then after a full GC ${r.settledRssMB} MB)${r.errors?.length ? ` errors: ${r.errors.join(' ; ')}` : ''}`;
  return `drain+ack ${r.drainSeconds} s (${format(r.deliveriesPerSec)}/s), lost ${r.lost}, dup ${r.duplicates}, fill ${r.fillSeconds} s, restart ${r.restartSeconds ?? 'n/a'} s; ${cpu}`;
}
