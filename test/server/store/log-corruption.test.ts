import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_FILE, LogStore } from '../../../src/server/store/log-store';

/** A small deterministic PRNG (mulberry32), so a failing round can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Line {
  start: number;
  /** Byte after the line's newline. */
  end: number;
  messageId: string | undefined;
}

function linesOf(bytes: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start) + 1;
    const match = /"t":"msg".*?"id":"([^"]+)"/.exec(bytes.toString('utf8', start, end));
    lines.push({ start, end, messageId: match?.[1] });
    start = end;
  }
  return lines;
}

/**
 * Damage a store file at random (bytes flipped in the middle, the file cut mid-record, or
 * both), reopen it, and compare with what is provably intact: a record is intact when its bytes
 * are unchanged, it lies before the cut, and the newline before it is unchanged (otherwise it was
 * merged into a damaged line).
 */
describe('LogStore recovery from random damage', function () {
  this.timeout(60000);
  const ROUNDS = 60;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-corrupt-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`keeps every intact record and reports each dropped one, over ${ROUNDS} damaged files`, async () => {
    let totalDropped = 0;
    let totalKept = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const next = random(round + 1);
      const roundDir = join(dir, `r${round}`);
      const writer = new LogStore({ dataDir: roundDir });
      await writer.open();
      await writer.putUser({ name: 'bob', publicKey: null });
      for (let i = 0; i < 60; i++) await writer.append({ from: 'alice', id: `m${i}`, to: i % 3 ? 'bob' : '*', ts: i + 1, text: `message ${i} ${'x'.repeat(i)}` });
      await writer.close();

      const path = join(roundDir, LOG_FILE);
      const original = await readFile(path);
      const lines = linesOf(original);
      const damaged = Buffer.from(original);
      const kind = round % 3; // 0: flips, 1: cut, 2: both
      const changed = new Set<number>();
      if (kind !== 1) {
        for (let flips = 1 + Math.floor(next() * 6); flips > 0; flips--) {
          const at = Math.floor(next() * (original.length - 2));
          damaged[at] ^= 1 + Math.floor(next() * 255);
          changed.add(at);
        }
      }
      let length = damaged.length;
      if (kind !== 0) {
        const victim = lines[Math.floor(lines.length / 2) + Math.floor(next() * (lines.length / 2))];
        length = victim.start + 1 + Math.floor(next() * (victim.end - victim.start - 2));
      }
      await writeFile(path, damaged.subarray(0, length));

      const intact = lines.filter((line, index) => {
        if (line.end > length) return false;
        for (let at = line.start; at < line.end; at++) if (changed.has(at)) return false;
        return index === 0 || !changed.has(line.start - 1);
      });
      const logLines: string[] = [];
      const reader = new LogStore({ dataDir: roundDir, log: (line) => logLines.push(line) });
      await reader.open();
      try {
        const where = `round ${round} (seed ${round + 1}): ${logLines.join(' | ')}`;
        const mailbox = (await reader.readMailbox('bob', 0, 1000)).map((m) => m.id);
        assert.deepEqual(mailbox, intact.flatMap((line) => (line.messageId ? [line.messageId] : [])), where);
        assert.equal(reader.recovery.records, intact.length, where);
        const keptBytes = intact.reduce((sum, line) => sum + line.end - line.start, 0);
        if (intact.length === lines.length) {
          assert.deepEqual(logLines, [], where);
        } else {
          // The summary says how much was kept and dropped, in records and bytes.
          const summary = logLines.map((line) => /kept (\d+) records \((\d+) bytes\), dropped (\d+) \((\d+) bytes\)/.exec(line)).find(Boolean);
          assert.ok(summary, where);
          assert.deepEqual(summary.slice(1).map(Number).filter((_, i) => i !== 2), [intact.length, keptBytes, length - keptBytes], where);
          // Each skipped line is named with its line number and byte range.
          for (const line of logLines.filter((text) => text.includes('skipped'))) assert.match(line, /line \d+ \(bytes \d+-\d+, \d+ bytes\): skipped a bad record \(.+\)/);
          totalDropped += Number(summary[3]);
        }
        totalKept += intact.length;
        // A recovered file takes new records, and reads back the same after another reopen.
        await reader.append({ from: 'alice', id: 'after', to: 'bob', ts: 1000, text: 'after recovery' });
      } finally {
        await reader.close();
      }
      const again = new LogStore({ dataDir: roundDir });
      await again.open();
      const ids = (await again.readMailbox('bob', 0, 1000)).map((m) => m.id);
      await again.close();
      assert.equal(ids[ids.length - 1], 'after');
      assert.equal(ids.length, intact.filter((line) => line.messageId).length + 1);
    }
    process.stdout.write(`      ${ROUNDS} damaged files: ${totalKept} intact records kept, ${totalDropped} damaged lines dropped\n`);
  });
});
