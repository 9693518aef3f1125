/**
 * Mocha hooks shared by the hostile test files: one server child process per file, a steady
 * chat running beside every case, a settled memory baseline, and after each case a check that
 * the server is alive and the steady chat never missed a beat.
 */
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { generateIdentity, Identity } from '../../../src/crypto/identity';
import { RawClient } from '../../helpers/raw-client';
import { makeDataDir } from '../../helpers/test-server';
import { megabytes, MemorySample, ObservedServer, sleep } from './observed-server';
import { SteadyChat } from './steady-chat';

export interface HostileContext {
  server: ObservedServer;
  steady: SteadyChat;
  baseline: MemorySample;
  /** Cases run so far in this file (each hostile frame, line or connection counts one). */
  cases: number;
  /** Opens a connection (closed after the test) and waits for hello. */
  open(localAddress?: string, waitForHello?: boolean): Promise<RawClient>;
  /** Opens a connection logged in as `prober` (one identity for the whole file), after its synced. */
  loginProber(): Promise<RawClient>;
}

export function useHostileServer(args: string[]): HostileContext {
  let dataDir = '';
  let identity: Identity | undefined;
  const clients: RawClient[] = [];
  const context = {
    cases: 0,
    async open(localAddress?: string, waitForHello = true) {
      const client = await RawClient.open(context.server.port, waitForHello, localAddress);
      clients.push(client);
      return client;
    },
    async loginProber() {
      identity ??= await generateIdentity();
      const client = await context.open();
      await client.loginAs('prober', identity);
      // The login ends with synced (after the backlog); a test that clears frames must not see it late.
      await client.next('synced');
      return client;
    },
  } as HostileContext;

  before(async function () {
    this.timeout(60000);
    dataDir = await makeDataDir();
    context.server = await ObservedServer.start(['--data-dir', dataDir, '--log-level', 'error', ...args]);
    context.steady = await SteadyChat.start(context.server.port);
    // Warm up (code paths compiled, buffers allocated) before taking the baseline.
    await sleep(1500);
    context.baseline = await context.server.settledMemory(1000);
  });

  afterEach(function () {
    for (const client of clients.splice(0)) client.close();
    assert.ok(context.server.alive, `the server died during "${this.currentTest?.title}": ${context.server.proc.output().slice(-3000)}`);
    context.steady.assertHealthy(this.currentTest?.title ?? 'a case');
  });

  after(async function () {
    this.timeout(30000);
    const report = context.steady?.report();
    context.steady?.close();
    if (report) {
      process.stdout.write(
        `      hostile: ${context.cases} cases; steady chat ${report.sent} sent, ${report.acknowledged} acknowledged, ${report.delivered} delivered, max latency ${report.maxLatencyMs} ms; ` +
          `baseline RSS ${megabytes(context.baseline.rss)}, heap ${megabytes(context.baseline.heapUsed)}\n`,
      );
    }
    if (context.server) assert.equal(await context.server.stop(), 0, 'the server exits cleanly on SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  return context;
}

/**
 * Memory after the cases: full GCs in the child, then RSS, heap in use and buffers (external)
 * must each be within their tolerance of the baseline. The heap and buffer tolerances hold the
 * state the cases legitimately leave (registered users, stored messages); the RSS one also holds
 * heap pages V8 keeps reserved after a peak (measured +25 to +40 MB after the load cases), which it returns only lazily.
 */
export async function assertMemoryNearBaseline(context: HostileContext, tolerance: { rss: number; heapUsed: number; external: number }): Promise<MemorySample> {
  // Closed sockets are released asynchronously; give them a moment.
  await sleep(1500);
  // Twice: buffers whose sockets closed late are only collectable by the second GC.
  await context.server.settledMemory(1000);
  const before = context.baseline;
  const within = (sample: MemorySample) =>
    sample.rss <= before.rss + tolerance.rss && sample.heapUsed <= before.heapUsed + tolerance.heapUsed && sample.external <= before.external + tolerance.external;
  // Freed pages go back to the system lazily (V8 shrinks its reserve over idle GCs, malloc keeps
  // arenas a while): "returns" gets up to ~10 s more; a leak never comes back under the bounds.
  let after = await context.server.settledMemory(1000);
  for (let attempt = 0; attempt < 5 && !within(after); attempt++) after = await context.server.settledMemory(2000);
  const line =
    `RSS ${megabytes(before.rss)} -> ${megabytes(after.rss)}, heap used ${megabytes(before.heapUsed)} -> ${megabytes(after.heapUsed)}, ` +
    `heap reserved ${megabytes(before.heapTotal)} -> ${megabytes(after.heapTotal)}, external ${megabytes(before.external)} -> ${megabytes(after.external)}`;
  process.stdout.write(`      memory: ${line}\n`);
  assert.ok(after.rss <= before.rss + tolerance.rss, `RSS did not return near its baseline: ${line}`);
  assert.ok(after.heapUsed <= before.heapUsed + tolerance.heapUsed, `heap did not return near its baseline: ${line}`);
  assert.ok(after.external <= before.external + tolerance.external, `buffers did not return near their baseline: ${line}`);
  return after;
}
