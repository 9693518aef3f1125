import { strict as assert } from 'node:assert';
import { connect, Socket } from 'node:net';
import { generateIdentity } from '../../src/crypto/identity';
import { RawClient } from '../helpers/raw-client';
import { assertMemoryNearBaseline, useHostileServer } from './helpers/hostile-fixture';
import { megabytes, RssSampler, sleep } from './helpers/observed-server';

const MB = 1024 * 1024;
const MAX_PER_ADDRESS = 400;

/** A bare socket that records the first line the server sends and whether it closed. */
function bareConnection(port: number, localAddress: string): Promise<{ socket: Socket; first: Promise<string>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      let text = '';
      const first = new Promise<string>((done) => {
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          const newline = text.indexOf('\n');
          if (newline !== -1) done(text.slice(0, newline));
        });
        socket.once('close', () => done(text));
      });
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      resolve({ socket, first, closed });
    });
  });
}

describe('hostile load against a server in a child process', function () {
  this.timeout(180000);
  const context = useHostileServer(['--max-conns-per-ip', String(MAX_PER_ADDRESS), '--registrations-per-ip', '0']);

  it('logs in a storm of 300 new users at once, every one welcomed, while the steady chat goes on', async () => {
    const count = 300;
    const identities = await Promise.all(Array.from({ length: count }, () => generateIdentity()));
    const clients = await Promise.all(identities.map(() => context.open()));
    const started = Date.now();
    await Promise.all(clients.map((client, i) => client.sendLogin(`storm${i}`, identities[i])));
    const welcomes = await Promise.all(clients.map((client) => client.next('welcome', () => true, 60000)));
    context.cases += count;
    process.stdout.write(`      login storm: ${count} logins in ${Date.now() - started} ms\n`);
    assert.deepEqual(welcomes.map((w) => w.name), identities.map((_, i) => `storm${i}`));
    assert.ok(welcomes.every((w) => w.registered));
    for (const client of clients) client.close();
  });

  it('refuses connections from one address beyond the limit with too_many_connections; 2000 tried, others unaffected', async () => {
    const total = 2000;
    const connections: Array<Awaited<ReturnType<typeof bareConnection>>> = [];
    const sampler = new RssSampler(context.server);
    try {
      // In waves, so the kernel's listen backlog is not what refuses them.
      for (let wave = 0; wave < total; wave += 250) {
        const batch = await Promise.all(Array.from({ length: 250 }, () => bareConnection(context.server.port, '127.0.0.3')));
        connections.push(...batch);
        await Promise.all(batch.map((c) => c.first));
      }
      context.cases += total;
      const firsts = await Promise.all(connections.map((c) => c.first));
      const kinds = new Map<string, number>();
      for (const line of firsts) {
        const frame = JSON.parse(line) as { type: string; code?: string; fatal?: boolean };
        const kind = frame.type === 'error' ? `${frame.code}${frame.fatal ? ' (fatal)' : ''}` : frame.type;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(kinds), { hello: MAX_PER_ADDRESS, 'too_many_connections (fatal)': total - MAX_PER_ADDRESS });
      // The refused ones are closed by the server.
      const refused = connections.filter((_, i) => firsts[i].includes('too_many_connections'));
      await Promise.race([Promise.all(refused.map((c) => c.closed)), sleep(10000).then(() => assert.fail('refused connections left open'))]);
      // Another address still gets in.
      const other = await context.open('127.0.0.4');
      other.send({ type: 'ping', rid: 'other' });
      assert.equal((await other.next('pong')).rid, 'other');
    } finally {
      for (const c of connections) c.socket.destroy();
      process.stdout.write(`      connection flood: RSS peak ${megabytes(sampler.stop())}\n`);
    }
  });

  it('drops a client that never reads while asking for big history pages, keeping its buffer bounded', async () => {
    // 100 messages of 16 000 characters to everyone: each history page is ~1.6 MB.
    const loader = await RawClient.login(context.server.port, 'loader');
    const text = 'h'.repeat(16000);
    for (let i = 0; i < 100; i++) loader.client.send({ type: 'send', id: `big${i}`, to: '*', text });
    await loader.client.waitFor(() => (loader.client.all('sent').length === 100 ? true : undefined), '100 sent', 20000);
    loader.client.close();

    const sloth = await context.loginProber();
    sloth.socket.pause();
    const sampler = new RssSampler(context.server, 20);
    let received = 0;
    try {
      const requests = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ type: 'history', rid: `h${i}`, with: '*', limit: 200 }) + '\n').join('');
      sloth.writeRaw(requests);
      context.cases += 1000;
      await sleep(3000);
      sloth.socket.on('data', (chunk: Buffer) => (received += chunk.length));
      sloth.socket.resume();
      await sloth.waitClosed(15000);
    } finally {
      const peak = sampler.stop();
      process.stdout.write(`      never-reading client: RSS peak ${megabytes(peak)} (baseline ${megabytes(context.baseline.rss)}), it received ${megabytes(received)} before the drop\n`);
      assert.ok(peak < context.baseline.rss + 96 * MB, `RSS peaked at ${megabytes(peak)}`);
    }
    assert.ok(received < 64 * MB, `${megabytes(received)} reached the client that never read`);
  });

  it('returns near its memory baseline after all the cases', async () => {
    await assertMemoryNearBaseline(context, { rss: 64 * MB, heapUsed: 8 * MB, external: 8 * MB });
  });
});
