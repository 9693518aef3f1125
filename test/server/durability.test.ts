import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { RawClient } from '../helpers/raw-client';
import { makeDataDir } from '../helpers/test-server';
import { spawnServer } from '../helpers/server-process';

/**
 * Kills the real server process with SIGKILL in the middle of a burst, restarts it on the same
 * data directory, and checks that every message it acknowledged is delivered exactly once.
 */
const ROUNDS = 20;

describe('durability across SIGKILL', function () {
  this.timeout(180000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await makeDataDir();
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`delivers every acknowledged message exactly once after the server is killed mid-burst, over ${ROUNDS} rounds`, async () => {
    const identities = new Map<string, Identity>();
    for (const name of ['reader', 'w1', 'w2']) identities.set(name, await generateIdentity());
    const acked = new Set<string>();
    const attempted: Array<{ from: string; id: string }> = [];

    // Register the reader so messages to it queue while it is offline.
    let proc = await spawnServer(['--data-dir', dataDir, '--rate-limit', '0']);
    const first = await RawClient.login(proc.port, 'reader', identities.get('reader'));
    first.client.close();

    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const writers = await Promise.all(['w1', 'w2'].map((name) => RawClient.login(proc.port, name, identities.get(name))));
      let sent = 0;
      const burst = setInterval(() => {
        for (const [index, writer] of writers.entries()) {
          for (let i = 0; i < 20; i++) {
            const id = `r${round}-w${index}-${sent}-${i}`;
            attempted.push({ from: `w${index + 1}`, id });
            writer.client.send({ type: 'send', id, to: i % 2 ? 'reader' : '*', text: id });
          }
        }
        sent++;
      }, 2);
      // Kill once some messages were acknowledged and more are in flight; how many varies by
      // round, so the kill lands at different points of the write/fsync cycle.
      const killAfter = 20 + ((round * 53) % 230);
      await writers[0].client.waitFor(() => (writers[0].client.all('sent').length > killAfter ? true : undefined), 'acks before the kill', 20000);
      proc.child.kill('SIGKILL');
      await proc.exited;
      clearInterval(burst);
      for (const writer of writers) {
        await writer.client.waitClosed();
        for (const sentFrame of writer.client.all('sent')) acked.add(sentFrame.id);
      }
      proc = await spawnServer(['--data-dir', dataDir, '--rate-limit', '0']);
    }

    // The reader logs in and reads its whole mailbox.
    const reader = await RawClient.login(proc.port, 'reader', identities.get('reader'));
    await reader.client.next('synced', () => true, 20000);
    const received = reader.client.all('msg').map((msg) => msg.id);
    const counts = new Map<string, number>();
    for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
    const missing = [...acked].filter((id) => !counts.has(id));
    const twice = [...counts].filter(([, count]) => count > 1);
    process.stdout.write(`      ${ROUNDS} SIGKILLs in ${Date.now() - started} ms: ${attempted.length} sent, ${acked.size} acknowledged, ${received.length} delivered\n`);
    assert.ok(acked.size > ROUNDS * 20, `only ${acked.size} acknowledged`);
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages lost`);
    assert.deepEqual(twice, [], 'delivered twice');
    // Anything received that was never acknowledged was at least really sent.
    const attemptedIds = new Set(attempted.map((a) => a.id));
    assert.ok(received.every((id) => attemptedIds.has(id)));

    // Resending every attempted id (what a client outbox does) adds nothing that was stored.
    const w1 = await RawClient.login(proc.port, 'w1', identities.get('w1'));
    const mine = attempted.filter((a) => a.from === 'w1').slice(0, 300);
    for (const { id } of mine) w1.client.send({ type: 'send', id, to: 'reader', text: id });
    await w1.client.waitFor(() => (w1.client.all('sent').length === mine.length ? true : undefined), 'resend acks', 20000);
    const duplicates = w1.client.all('sent').filter((s) => s.duplicate).map((s) => s.id);
    assert.ok(duplicates.every((id) => counts.has(id)));
    assert.ok(mine.filter((a) => counts.has(a.id)).every((a) => duplicates.includes(a.id)), 'a stored message was stored again');
    w1.client.close();
    reader.client.close();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  });
});
