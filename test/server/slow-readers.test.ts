/**
 * Issue 14 item 6: what the server holds for readers that do not keep up is bounded per
 * connection (1 MiB unsent) and for the server (the unsent budget), and a big roster is written
 * as the socket drains, not queued whole.
 */
import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { LIMITS } from '../../src/protocol/limits';
import type { Transport } from '../../src/server/transport';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

/** Polls state that changes without a frame arriving (the server's side of a socket), bounded. */
async function pollUntil(probe: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('slow readers', function () {
  this.timeout(60_000);
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  async function login(name: string, extra: Record<string, unknown> = {}) {
    const result = await RawClient.login(server.port, name, undefined, extra);
    clients.push(result.client);
    return result;
  }

  const transportOf = (name: string): Transport => {
    const session = server.server.sessions.forUser(name)[0];
    assert.ok(session, `${name} is online`);
    return session.transport;
  };

  it('closes a client that stops reading once 1 MiB is unsent (the default), while the others receive everything', async () => {
    server = await startTestServer({ rateLimit: false });
    const alice = await login('alice');
    const bob = await login('bob');
    const slow = await login('slow');
    await slow.client.next('synced');
    const slowSide = transportOf('slow');
    slow.client.socket.pause();
    // Each ping gets a pong whether or not the client reads: the kernel's buffers fill (a few MB),
    // then what is unsent grows until the bound closes the connection.
    const pings = Buffer.from('{"type":"ping"}\n'.repeat(10_000));
    for (let sent = 0; slowSide.isOpen && sent < 64 * 1024 * 1024; sent += pings.length) {
      slow.client.writeRaw(pings);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await pollUntil(() => !server.server.sessions.isOnline('slow'), 'the slow reader to be closed');
    assert.ok(slowSide.peakUnsent <= 1024 * 1024, `held ${slowSide.peakUnsent} bytes unsent`);

    for (let i = 0; i < 50; i++) alice.client.send({ type: 'send', id: `m${i}`, to: '*', text: `hello ${i}` });
    const got = [];
    for (let i = 0; i < 50; i++) got.push((await bob.client.next('msg')).text);
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => `hello ${i}`));
  });

  it('closes the connection that has gone longest without draining when the server-wide budget is exceeded', async () => {
    // Each slow reader holds ~80 KiB (the 64 KiB soft limit and a message): one fits, two do not.
    server = await startTestServer({ rateLimit: false, softQueueBytes: 64 * 1024, unsentBudgetBytes: 140 * 1024 });
    const alice = await login('alice');
    const text = 'x'.repeat(16_000);
    let round = 0;
    const sendRound = async (): Promise<void> => {
      // 3.2 MB a round: the kernel buffers of a socket that is not read take a few rounds.
      for (let i = 0; i < 200; i++) alice.client.send({ type: 'send', id: `r${round}m${i}`, to: '*', text });
      for (let i = 0; i < 200; i++) await alice.client.next('sent');
      round++;
    };

    const first = await login('first');
    await first.client.next('synced');
    first.client.socket.pause();
    const firstSide = transportOf('first');
    while (firstSide.congestedSince === undefined && round < 20) await sendRound();
    await pollUntil(() => firstSide.congestedSince !== undefined, 'the first slow reader to be congested');
    assert.ok(firstSide.isOpen, 'one slow reader fits in the budget');

    const second = await login('second');
    await second.client.next('synced');
    second.client.socket.pause();
    const secondSide = transportOf('second');
    const secondFrom = round;
    while (!firstSide.socket.destroyed && round < 40) await sendRound();
    await pollUntil(() => firstSide.socket.destroyed, 'the longest-congested reader to be closed');
    assert.ok(secondSide.isOpen, 'the reader congested later stays');

    // The one kept gets every message sent since it logged in.
    second.client.socket.resume();
    for (let i = 0; i < (round - secondFrom) * 200; i++) await second.client.next('msg');
    first.client.socket.resume();
    await first.client.waitClosed();
  });

  describe('with a roster larger than the bound', () => {
    const CLASS_SIZE = 3000;
    const nameOf = (index: number) => `u${String(index).padStart(31, '0')}`;
    const BOUND = 128 * 1024;

    beforeEach(async () => {
      server = await startTestServer({ hardQueueBytes: BOUND, softQueueBytes: 32 * 1024, registrations: { maxUsers: 0, perAddressPerHour: 0, perHour: 0 } });
      const identity = await generateIdentity();
      const results = await Promise.all(Array.from({ length: CLASS_SIZE }, (_, index) => server.server.authenticate(nameOf(index), identity.publicKey, undefined, '127.0.0.1')));
      assert.ok(results.every((result) => result.ok));
    });

    it('streams a v2 roster in full to a reading client, mail after it, never holding more than the bound', async () => {
      const first = await login('zed', { v: 2 });
      await first.client.next('synced');
      first.client.close();
      await pollUntil(() => !server.server.sessions.isOnline('zed'), 'zed to go offline');
      const alice = await login('alice');
      for (let i = 0; i < 5; i++) alice.client.send({ type: 'send', id: `d${i}`, to: 'zed', text: `dm ${i}` });
      for (let i = 0; i < 5; i++) await alice.client.next('sent');
      const client = await RawClient.open(server.port);
      clients.push(client);
      await client.sendLogin('zed', first.identity, { v: 2 });
      await client.next('synced');
      const transport = transportOf('zed');
      const frames = client.frames.map((frame) => frame.type);
      const welcome = client.all('welcome')[0];
      const names = [...welcome.users, ...client.all('roster').flatMap((page) => page.users)].map((user) => user.name);
      assert.equal(names.length, CLASS_SIZE + 2);
      assert.equal(new Set(names).size, CLASS_SIZE + 2);
      assert.equal(client.all('roster').at(-1)?.more, false);
      assert.ok(client.all('roster').every((page) => page.users.length <= LIMITS.maxRosterPage));
      // The backlog waited behind the roster.
      assert.equal(client.all('msg').length, 5);
      assert.ok(frames.lastIndexOf('roster') < frames.indexOf('msg'));
      assert.ok(transport.peakUnsent <= BOUND, `held ${transport.peakUnsent} bytes unsent`);
    });

    it('streams a v1 roster (one line) in full to a reading client, never holding more than the bound', async () => {
      const { client, welcome } = await login('zed');
      await client.next('synced');
      assert.equal(welcome.users.length, CLASS_SIZE + 1);
      assert.ok(transportOf('zed').peakUnsent <= BOUND, `held ${transportOf('zed').peakUnsent} bytes unsent`);
    });
  });
});
