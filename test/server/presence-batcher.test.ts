import { strict as assert } from 'node:assert';
import { PresenceBatcher } from '../../src/server/presence-batcher';
import type { Session } from '../../src/server/session';
import { SessionRegistry } from '../../src/server/session-registry';
import { systemClock } from '../../src/server/clock';

/** A session that records what is written to it. */
function fakeSession(name: string, kind: 'json' | 'plain' = 'json'): Session & { writes: string[] } {
  const writes: string[] = [];
  return { name, kind, writes, transport: { write: (line: string | Buffer) => writes.push(line.toString()) } } as unknown as Session & { writes: string[] };
}

/** The presence frames in one session's writes, as name=online. */
function heard(session: { writes: string[] }): string[] {
  return session.writes.flatMap((write) => write.trim().split('\n')).map((line) => {
    const frame = JSON.parse(line) as { user: { name: string; online: boolean } };
    return `${frame.user.name}=${frame.user.online}`;
  });
}

const entry = (name: string) => ({ name, publicKey: null, ackedSeq: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('presence batching', () => {
  it('sends a change at once while the write budget covers it', () => {
    const sessions = new SessionRegistry();
    const watchers = ['ann', 'ben', 'cat'].map((name) => fakeSession(name));
    for (const watcher of watchers) sessions.add(watcher, 8);
    const batcher = new PresenceBatcher(sessions, { writesPerSecond: 1000, minDelayMs: 1000 }, systemClock);
    const dan = fakeSession('dan');
    sessions.add(dan, 8);
    batcher.changedUser(entry('dan'));
    for (const watcher of watchers) assert.deepEqual(heard(watcher), ['dan=true']);
    assert.deepEqual(dan.writes, [], 'nobody is told about themselves');
    batcher.stop();
  });

  it('batches a storm into one write per session, each user with its state at the batch', async () => {
    const sessions = new SessionRegistry();
    const watchers = Array.from({ length: 10 }, (_, i) => fakeSession(`w${i}`));
    for (const watcher of watchers) sessions.add(watcher, 8);
    const plain = fakeSession('old', 'plain');
    sessions.add(plain, 8);
    // 12 sessions once a1 is in, and 24 writes at once: a1 goes out at once (12), a2 (13) waits.
    const batcher = new PresenceBatcher(sessions, { writesPerSecond: 24, minDelayMs: 30 }, systemClock);
    const arrivals = ['a1', 'a2', 'a3', 'a4'].map((name) => fakeSession(name));
    for (const arrival of arrivals) {
      sessions.add(arrival, 8);
      batcher.changedUser(entry(arrival.name));
    }
    // a4 leaves again before the batch: those who saw it online in a welcome must hear it left.
    sessions.remove(arrivals[3]);
    batcher.changedUser(entry('a4'));
    assert.deepEqual(heard(watchers[0]), ['a1=true'], 'only the first change was sent at once');
    await sleep(90);
    for (const watcher of watchers) {
      assert.equal(watcher.writes.length, 2, 'one immediate write and one batch');
      assert.deepEqual(heard(watcher), ['a1=true', 'a2=true', 'a3=true', 'a4=false']);
    }
    assert.deepEqual(heard(arrivals[1]), ['a3=true', 'a4=false'], "a2 hears the others in its batch, not itself (it joined after a1's)");
    assert.deepEqual(plain.writes.join('').split('\n').filter(Boolean), [
      '[server] New Connection: [a1]',
      '[server] New Connection: [a2]',
      '[server] New Connection: [a3]',
      '[server] a4 left',
    ]);
    batcher.stop();
  });

  it('sends nothing after stop', async () => {
    const sessions = new SessionRegistry();
    const watcher = fakeSession('ann');
    sessions.add(watcher, 8);
    const batcher = new PresenceBatcher(sessions, { writesPerSecond: 0.5, minDelayMs: 10 }, systemClock);
    batcher.changedUser(entry('ben'));
    batcher.stop();
    await sleep(30);
    assert.deepEqual(watcher.writes, []);
  });
});
