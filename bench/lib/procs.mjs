/**
 * Child processes for the bench: servers and the load generator, pinned to cores with taskset
 * when it exists, with a raised fd limit, CPU and RSS read from /proc, and cleanup on exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

const children = new Set();

/** Spawns `node args…` through bash (for `ulimit -n`) and taskset (for the core). */
export function spawnNode(args, { core, cwd }) {
  // BENCH_CPU_PROF=DIR profiles every child (node refuses --cpu-prof in NODE_OPTIONS).
  if (process.env.BENCH_CPU_PROF) args = ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, ...args];
  const quoted = args.map((arg) => `'${String(arg).replace(/'/g, `'\\''`)}'`).join(' ');
  const pin = HAS_TASKSET && core !== undefined ? `taskset -c ${core} ` : '';
  const script = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${pin}${JSON.stringify(process.execPath)} ${quoted}`;
  const child = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderrTail = '';
  child.stderr.on('data', (chunk) => {
    child.stderrTail = (child.stderrTail + chunk.toString()).slice(-4000);
  });
  return child;
}

/** Resolves with the port once the child prints "listening on HOST:PORT". */
export function waitListening(child, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error('server did not start listening in time')), timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`${error.message}\n${child.stderrTail}`));
    };
    lines.on('line', (line) => {
      const match = /listening on [^\s:]+:(\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening`)));
  });
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stop(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) the process has used so far; undefined once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Kills every child still running (exit, Ctrl+C). Synchronous so it works in 'exit'. */
export function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
