/**
 * A node killed while messages flow (issue 20): its clients, given every node's address,
 * reconnect to another node and nothing acknowledged is lost or duplicated.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client/chat-client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { spawnServer, ServerProcess } from '../helpers/server-process';
import { TestPostgres } from '../helpers/postgres';
import { Signal } from '../helpers/signal';

describe('two classchat-server nodes on one PostgreSQL, one killed', function () {
  this.timeout(120000);
  let pg: TestPostgres;
  let dirs: string[] = [];
  const nodes: ServerProcess[] = [];
  const clients: ChatClient[] = [];
  before(async () => {
    pg = await TestPostgres.start();
  });
  after(async () => {
    for (const client of clients) await client.close();
    for (const node of nodes) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
      await node.exited;
    }
    await pg?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    dirs = [];
  });

  it('moves the killed node\'s client to the other node and delivers every message once, in order', async () => {
    const url = await pg.createDatabase('failover');
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'classchat-node-'));
      dirs.push(dir);
      nodes.push(await spawnServer(['--store', url, '--data-dir', dir, '--rate-limit', '0']));
    }
    const [a, b] = nodes;
    const signal = new Signal();
    const received = new Map<string, string[]>([['alice', []], ['bob', []]]);
    const client = (name: string, port: number, others: number[]) => {
      const c = new ChatClient({
        host: '127.0.0.1',
        port,
        servers: others.map((p) => ({ host: '127.0.0.1', port: p })),
        name,
        keyStore: new MemoryKeyStore(),
        trustStore: new MemoryTrustStore(),
        backoff: { initialMs: 20, maxMs: 200 },
      });
      c.on('error', () => undefined);
      c.on('message', (m) => {
        received.get(name)!.push(m.text ?? '');
        signal.notify();
      });
      c.on('state', () => signal.notify());
      clients.push(c);
      return c;
    };
    const alice = client('alice', a.port, [b.port]);
    const bob = client('bob', b.port, [a.port]);
    await alice.connect();
    await bob.connect();

    const total = 60;
    const acknowledged: Promise<unknown>[] = [];
    let killedAfter = -1;
    for (let i = 0; i < total; i++) {
      acknowledged.push(alice.queueText('*', `from alice ${i}`).sent, bob.queueText('*', `from bob ${i}`).sent);
      if (i === 20) {
        await acknowledged[acknowledged.length - 1];
        a.child.kill('SIGKILL');
        killedAfter = i;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(await a.exited, 'SIGKILL');
    await Promise.all(acknowledged);
    assert.equal(alice.port, b.port, 'alice moved to the other node');
    const want = (from: string) => Array.from({ length: total }, (_, i) => `from ${from} ${i}`);
    await signal.waitFor(
      () => (received.get('bob')!.length >= total && received.get('alice')!.length >= total ? true : undefined),
      () => `every message at both: alice has ${received.get('alice')!.length}, bob ${received.get('bob')!.length}`,
      30000,
    );
    assert.ok(killedAfter > 0);
    assert.deepEqual(received.get('bob'), want('alice'), 'bob got each of alice\'s messages once, in order');
    assert.deepEqual(received.get('alice'), want('bob'), 'alice got each of bob\'s messages once, in order');
  });
});
