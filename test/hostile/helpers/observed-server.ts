/**
 * The real `classchat-server` in a child process, observed from outside: its RSS from
 * /proc/PID/status, and a full GC on request (see gc-on-signal.ts) before measuring.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnServer, ServerProcess } from '../../helpers/server-process';

const PRELOAD = join(__dirname, 'gc-on-signal.js');

export interface MemorySample {
  /** Resident set size from /proc, bytes. */
  rss: number;
  /** V8 heap in use after the GC, bytes (from the child's own report). */
  heapUsed: number;
  /** V8 heap reserved, and memory outside it (buffers), after the GC. */
  heapTotal: number;
  external: number;
}

export class ObservedServer {
  private gcCount = 0;

  private constructor(readonly proc: ServerProcess) {}

  static async start(args: string[]): Promise<ObservedServer> {
    return new ObservedServer(await spawnServer(args, 10000, ['--expose-gc', '-r', PRELOAD]));
  }

  get port(): number {
    return this.proc.port;
  }

  get alive(): boolean {
    return this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  /** Resident set size now, in bytes (Linux /proc). */
  rss(): number {
    const status = readFileSync(`/proc/${this.proc.child.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!match) throw new Error(`no VmRSS in /proc/${this.proc.child.pid}/status`);
    return Number(match[1]) * 1024;
  }

  /** Runs a full GC in the child, waits `settleMs` for freed pages to go back, then measures. */
  async settledMemory(settleMs = 500): Promise<MemorySample> {
    const before = this.gcCount;
    const reports = () => [...this.proc.output().matchAll(/gc-done heapUsed=(\d+) heapTotal=(\d+) external=(\d+)/g)];
    this.proc.child.kill('SIGUSR2');
    const deadline = Date.now() + 10000;
    while (reports().length <= before) {
      if (Date.now() > deadline || !this.alive) throw new Error(`no GC report from the server: ${this.proc.output().slice(-2000)}`);
      await sleep(20);
    }
    this.gcCount = reports().length;
    await sleep(settleMs);
    const [, heapUsed, heapTotal, external] = reports()[this.gcCount - 1];
    return { rss: this.rss(), heapUsed: Number(heapUsed), heapTotal: Number(heapTotal), external: Number(external) };
  }

  /** Stops it with SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | string> {
    if (this.alive) this.proc.child.kill('SIGTERM');
    return this.proc.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Samples a server's RSS every `everyMs` until stopped; keeps the peak. */
export class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(server: ObservedServer, everyMs = 50) {
    this.peak = server.rss();
    this.timer = setInterval(() => {
      if (server.alive) this.peak = Math.max(this.peak, server.rss());
    }, everyMs);
    this.timer.unref();
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}
