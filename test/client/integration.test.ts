/**
 * ChatClient against the real ChatServer (test/helpers/test-server.ts): real sockets on
 * 127.0.0.1 port 0, real login, routing, offline delivery, dedupe and history.
 */
import { strict as assert } from 'node:assert';
import { ChatClient, ChatClientOptions } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ClassChatError } from '../../src/protocol/errors';
import { startTestServer, TestServer } from '../helpers/test-server';
import { CutProxy } from './helpers/proxy';
import { ClientFleet, collect } from './helpers/client-fleet';
import { nextEvent, until, within } from './helpers/wait';

describe('ChatClient with the real server', function () {
  this.timeout(15_000);
  let server: TestServer;
  let fleet: ClientFleet;
  let extra: Array<{ close(): Promise<void> }>;

  beforeEach(async () => {
    server = await startTestServer();
    fleet = new ClientFleet(() => server.port);
    extra = [];
  });

  afterEach(async () => {
    await fleet.closeAll();
    await Promise.all(extra.map((thing) => thing.close()));
    await server.close();
  });

  const online = (name: string, options: Partial<ChatClientOptions> = {}) => fleet.online(name, options);

  it('delivers a private message and a message to everyone, not back to the sender', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    const [aliceGot, bobGot, carolGot] = [collect(alice), collect(bob), collect(carol)];
    const toBob = await alice.sendText('bob', 'just for bob');
    const toAll = await alice.sendText('*', 'for everyone');
    assert.ok(toAll.seq > toBob.seq);
    await until(() => bobGot.length === 2 && carolGot.length === 1, 'deliveries');
    assert.deepEqual(bobGot.map((m) => [m.from, m.to, m.text]), [['alice', 'bob', 'just for bob'], ['alice', '*', 'for everyone']]);
    assert.deepEqual(carolGot.map((m) => m.text), ['for everyone']);
    assert.deepEqual(aliceGot, []);
  });

  it('shows who comes online and goes offline', async () => {
    const alice = await online('alice');
    const cameOnline = nextEvent(alice, 'presence', (user) => user.name === 'bob' && user.online);
    const bob = await online('bob');
    await cameOnline;
    assert.equal(alice.roster.get('bob')?.online, true);
    const wentOffline = nextEvent(alice, 'presence', (user) => user.name === 'bob' && !user.online);
    await bob.close();
    await wentOffline;
    assert.equal(alice.roster.get('bob')?.online, false);
  });

  it('delivers a private message queued while bob was offline when he logs in, then synced', async () => {
    const bobFirst = await online('bob');
    await bobFirst.close();
    const alice = await online('alice');
    await alice.sendText('bob', 'are you there?');
    const got = await fleet.backlogAtLogin('bob');
    assert.deepEqual(got.map((m) => m.text), ['are you there?']);
  });

  it('does not deliver acknowledged messages again on the next login', async () => {
    const bob = await online('bob');
    const alice = await online('alice');
    const got = collect(bob);
    await alice.sendText('bob', 'once');
    await until(() => got.length === 1, 'delivery');
    await bob.close();
    const later = await fleet.backlogAtLogin('bob');
    assert.deepEqual(later, []);
  });

  it('delivers again on the next login what the client did not acknowledge (autoAck off)', async () => {
    const bob = await online('bob', { autoAck: false });
    const alice = await online('alice');
    const got = collect(bob);
    await alice.sendText('bob', 'keep me');
    await until(() => got.length === 1, 'delivery');
    await bob.close();
    const later = await fleet.backlogAtLogin('bob');
    assert.deepEqual(later.map((m) => m.text), ['keep me']);
  });

  it('resends with the same id when the connection is cut before sent arrives: delivered once', async () => {
    const proxy = await CutProxy.start(server.port);
    extra.push(proxy);
    const bob = await online('bob');
    const got = collect(bob);
    const alice = await online('alice', { port: proxy.port });
    // One cut only: the resend's sent may pass before a poll of `cuts` would notice the first
    // (the reconnect delay can be ~0 ms), and cutting it too made this test wait forever.
    proxy.cutWhen = (chunk) => proxy.cuts === 0 && chunk.includes('"type":"sent"');
    const sending = alice.sendText('bob', 'exactly once');
    const sent = await within(sending, () => `the send (alice ${alice.state}, ${alice.outboxSize} in the outbox, ${proxy.cuts} cuts)`);
    assert.equal(proxy.cuts, 1, 'the first sent frame was cut');
    assert.equal(sent.duplicate, true);
    await until(() => got.length >= 1, 'delivery');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(got.map((m) => m.text), ['exactly once']);
  });

  it('pages back through history', async () => {
    const alice = await online('alice');
    for (let i = 1; i <= 5; i++) await alice.sendText('*', `m${i}`);
    const last = await alice.history('*', { limit: 2 });
    assert.deepEqual(last.messages.map((m) => m.text), ['m4', 'm5']);
    assert.equal(last.more, true);
    const before = await alice.history('*', { limit: 2, before: last.messages[0].seq });
    assert.deepEqual(before.messages.map((m) => m.text), ['m2', 'm3']);
    const first = await alice.history('*', { limit: 2, before: before.messages[0].seq });
    assert.deepEqual(first.messages.map((m) => m.text), ['m1']);
    assert.equal(first.more, false);
  });

  it('keeps private history to the two people in it', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const carol = await online('carol');
    await alice.sendText('bob', 'secret');
    await bob.sendText('alice', 'reply');
    const page = await bob.history('alice');
    assert.deepEqual(page.messages.map((m) => `${m.from}:${m.text}`), ['alice:secret', 'bob:reply']);
    const carolView = await carol.history('alice');
    assert.deepEqual(carolView.messages, []);
  });

  it('rejects a send to an unknown user with unknown_user', async () => {
    const alice = await online('alice');
    await assert.rejects(alice.sendText('nobody', 'hi'), (error: unknown) => error instanceof ClassChatError && error.code === 'unknown_user');
  });

  it('refuses a second key for a taken name with name_taken', async () => {
    await online('alice');
    const impostor = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'alice', keyStore: new MemoryKeyStore() });
    fleet.clients.push(impostor);
    await assert.rejects(impostor.connect(), (error: unknown) => error instanceof ClassChatError && error.code === 'name_taken');
    assert.equal(impostor.state, 'closed');
  });

  it('needs the join code to register when the server has one', async () => {
    await server.close();
    server = await startTestServer({ joinCode: 'letmein' });
    await assert.rejects(online('alice'), (error: unknown) => error instanceof ClassChatError && error.code === 'join_code_required');
    await assert.rejects(online('bob', { joinCode: 'wrong' }), (error: unknown) => error instanceof ClassChatError && error.code === 'bad_join_code');
    const carol = await online('carol', { joinCode: 'letmein' });
    assert.equal(carol.state, 'connected');
  });

  it('stops the oldest session when the same user logs in beyond the session limit', async () => {
    await server.close();
    server = await startTestServer({ maxSessionsPerUser: 1 });
    const first = await online('alice');
    const replaced = nextEvent(first, 'error', (error) => error.code === 'replaced');
    const closed = nextEvent(first, 'state', (state) => state.state === 'closed');
    const second = await online('alice');
    await replaced;
    await closed;
    assert.equal(second.state, 'connected');
  });

  it('gets every message through a low rate limit by retrying, each exactly once', async () => {
    await server.close();
    server = await startTestServer({ rateLimit: { perSecond: 20, burst: 5 } });
    const bob = await online('bob');
    const got = collect(bob);
    const alice = await online('alice', { sendRetry: { initialMs: 100, maxMs: 400 } });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => alice.sendText('bob', `n${i}`)));
    assert.equal(new Set(results.map((r) => r.seq)).size, 30);
    await until(() => got.length === 30, '30 deliveries', 10_000);
    assert.deepEqual(new Set(got.map((m) => m.text)).size, 30);
  });

  it('after a restart on the same data dir, delivers what bob missed, and a resend cut before sent arrives only once', async function () {
    if (server.store.constructor.name === 'MemoryStore') this.skip(); // needs the durable store
    const bobFirst = await online('bob');
    await bobFirst.close();
    const proxy = await CutProxy.start(server.port);
    extra.push(proxy);
    const alice = await online('alice', { port: proxy.port });
    await alice.sendText('bob', 'before the restart');
    // Cut when the sent frame passes, and keep alice out until the server has restarted.
    proxy.cutWhen = (chunk) => (proxy.refuse = chunk.includes('"type":"sent"'));
    const inFlight = alice.sendText('bob', 'stored, but the sent frame was lost');
    await until(() => proxy.cuts === 1, 'the cut');
    proxy.cutWhen = () => false;
    const { dataDir, port } = server;
    await server.stop();
    server = await startTestServer({ dataDir, port });
    proxy.refuse = false;
    const sent = await inFlight;
    assert.equal(sent.duplicate, true);
    const got = await fleet.backlogAtLogin('bob');
    assert.deepEqual(got.map((m) => m.text), ['before the restart', 'stored, but the sent frame was lost']);
  });

  it('reconnects after the server restarts and sends what was queued meanwhile', async () => {
    const alice = await online('alice');
    await online('bob');
    const dataDir = server.dataDir;
    const port = server.port;
    const reconnecting = nextEvent(alice, 'state', (state) => state.state === 'reconnecting');
    await server.stop();
    await reconnecting;
    const queued = alice.sendText('*', 'sent while the server was down');
    server = await startTestServer({ dataDir, port });
    await until(() => alice.state === 'connected', 'alice reconnected', 10_000);
    const sent = await queued;
    const page = await alice.history('*');
    assert.ok(page.messages.some((m) => m.seq === sent.seq && m.text === 'sent while the server was down'));
  });
});
