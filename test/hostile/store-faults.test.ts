import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateIdentity } from '../../src/crypto/identity';
import { LOG_FILE } from '../../src/server/store/log-store';
import { RawClient } from '../helpers/raw-client';
import { spawnServer, ServerProcess } from '../helpers/server-process';
import { makeDataDir } from '../helpers/test-server';

/** Byte range and 1-based line number of the log line holding message `id`. */
function lineOf(log: Buffer, id: string): { number: number; start: number; end: number } {
  const at = log.indexOf(`"id":"${id}"`);
  assert.ok(at !== -1, id);
  const start = log.lastIndexOf(0x0a, at) + 1;
  const end = log.indexOf(0x0a, at) + 1;
  let number = 1;
  for (let i = 0; i < start; i++) if (log[i] === 0x0a) number++;
  return { number, start, end };
}

/**
 * A real server is killed, its store file damaged in the middle (bytes flipped in three
 * records) and at the end (the last record cut in half), and restarted: it must say what it
 * dropped, keep everything else, and deliver it exactly once.
 */
describe('a damaged store file under a real server', function () {
  this.timeout(60000);
  let dataDir: string;
  let proc: ServerProcess | undefined;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    dataDir = await makeDataDir();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every intact message after bytes are flipped mid-file and the last record is cut, and logs what it dropped', async () => {
    const args = ['--data-dir', dataDir, '--rate-limit', '0', '--log-level', 'info'];
    const [readerId, writerId] = [await generateIdentity(), await generateIdentity()];
    proc = await spawnServer(args);
    (await RawClient.login(proc.port, 'reader', readerId)).client.close();
    const writer = await RawClient.login(proc.port, 'writer', writerId);
    const ids = Array.from({ length: 60 }, (_, i) => `m${i}`);
    for (const id of ids) writer.client.send({ type: 'send', id, to: 'reader', text: `${id} ${'x'.repeat(40)}` });
    await writer.client.waitFor(() => (writer.client.all('sent').length === ids.length ? true : undefined), 'all acknowledged');
    writer.client.close();
    proc.child.kill('SIGKILL');
    await proc.exited;

    const path = join(dataDir, LOG_FILE);
    const log = await readFile(path);
    const flipped = ['m10', 'm25', 'm40'].map((id) => lineOf(log, id));
    for (const line of flipped) log[line.start + Math.floor((line.end - line.start) * 0.7)] ^= 0x01;
    const last = lineOf(log, 'm59');
    const cutAt = last.start + Math.floor((last.end - last.start) / 2);
    await writeFile(path, log.subarray(0, cutAt));

    proc = await spawnServer(args);
    const output = proc.output();
    for (const line of flipped) {
      const expected = `${LOG_FILE} line ${line.number} (bytes ${line.start}-${line.end - 1}, ${line.end - line.start} bytes): skipped a bad record (checksum mismatch)`;
      assert.ok(output.includes(expected), `missing "${expected}" in:\n${output}`);
    }
    assert.ok(output.includes(`cut off ${cutAt - last.start} bytes (1 line) at the end, from line ${last.number} at byte ${last.start}`), output);
    const droppedBytes = flipped.reduce((sum, line) => sum + line.end - line.start, 0) + cutAt - last.start;
    assert.match(output, new RegExp(`kept ${last.number - 4} records \\(\\d+ bytes\\), dropped 4 \\(${droppedBytes} bytes\\)`));

    const lost = new Set(['m10', 'm25', 'm40', 'm59']);
    const reader = await RawClient.login(proc.port, 'reader', readerId);
    clients.push(reader.client);
    await reader.client.next('synced', () => true, 10000);
    assert.deepEqual(reader.client.all('msg').map((m) => m.id), ids.filter((id) => !lost.has(id)));

    // Resending every id stores exactly the dropped ones again; the reader gets each once.
    const again = await RawClient.login(proc.port, 'writer', writerId);
    clients.push(again.client);
    for (const id of ids) again.client.send({ type: 'send', id, to: 'reader', text: `${id} ${'x'.repeat(40)}` });
    await again.client.waitFor(() => (again.client.all('sent').length === ids.length ? true : undefined), 'resends acknowledged');
    assert.deepEqual(again.client.all('sent').filter((s) => !s.duplicate).map((s) => s.id), [...lost]);
    await reader.client.waitFor(() => (reader.client.all('msg').length === ids.length ? true : undefined), 'the restored messages');
    assert.deepEqual(reader.client.all('msg').map((m) => m.id).sort(), [...ids].sort());
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  });
});
