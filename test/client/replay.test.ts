/**
 * A malicious server replaying a genuine end-to-end encrypted message under a later seq (issue
 * 14 item 12): the box opens (it is bob's, to alice, under its id), so only the id shows it is
 * old. The client shows it once: on the same connection, after a reconnect, after a restart.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient, ChatClientOptions, ReceivedMessage } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import { FileSeenStore } from '../../src/client/seen-store';
import { MemoryTrustStore } from '../../src/client/trust-store';
import { PrivateBoxes } from '../../src/crypto/e2ee';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { sodiumReady } from '../../src/crypto/sodium';
import type { UserInfo } from '../../src/protocol/frames';
import { FakeClock } from './helpers/fake-clock';
import { FakeConnection, FakeServer } from './helpers/fake-server';
import { nextEvent } from './helpers/wait';

describe('ChatClient: a server replaying an encrypted message', () => {
  let bob: Identity;
  let bobBoxes: PrivateBoxes;
  let server: FakeServer;
  let clock: FakeClock;
  let clients: ChatClient[];

  before(async () => {
    bob = await generateIdentity();
    bobBoxes = new PrivateBoxes(await sodiumReady(), bob);
  });
  after(() => bobBoxes.dispose());
  beforeEach(async () => {
    server = await FakeServer.start();
    clock = new FakeClock();
    clients = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  const roster = (alice: string): UserInfo[] => [
    { name: 'alice', publicKey: alice, online: true },
    { name: 'bob', publicKey: bob.publicKey, online: true },
  ];

  function makeClient(options: Partial<ChatClientOptions>): { client: ChatClient; shown: ReceivedMessage[] } {
    const client = new ChatClient({
      host: '127.0.0.1',
      port: server.port,
      name: 'alice',
      keyStore: new MemoryKeyStore(),
      trustStore: new MemoryTrustStore(),
      timers: clock,
      backoff: { initialMs: 500, maxMs: 500, random: () => 0.5 },
      ...options,
    });
    client.on('error', () => undefined);
    clients.push(client);
    const shown: ReceivedMessage[] = [];
    client.on('message', (message) => shown.push(message));
    return { client, shown };
  }

  async function login(client: ChatClient): Promise<{ conn: FakeConnection; aliceKey: string }> {
    const connected = nextEvent(client, 'state', (state) => state.state === 'connected');
    if (client.state === 'idle') void client.connect();
    const conn = await server.nextConnection();
    const login = await conn.next('login');
    conn.send({ type: 'welcome', v: login.v, name: 'alice', registered: false, ackedSeq: login.ackedSeq ?? 0, users: roster(login.publicKey) });
    await connected;
    return { conn, aliceKey: login.publicKey };
  }

  /** bob's genuine message to alice as the server stores it, under `seq`. */
  function fromBob(aliceKey: string, seq: number, id: string, text: string) {
    return { type: 'msg', seq, id, from: 'bob', to: 'alice', ts: 1000 + seq, box: bobBoxes.seal(aliceKey, { from: 'bob', to: 'alice', id, text }) };
  }

  /** Sends `frames`, then a marker message, and waits until the client acknowledged the marker. */
  async function deliver(conn: FakeConnection, frames: Array<Record<string, unknown>>, aliceKey: string, markerSeq: number): Promise<void> {
    for (const frame of frames) conn.send(frame);
    conn.send(fromBob(aliceKey, markerSeq, `marker${markerSeq}`, `marker ${markerSeq}`));
    await conn.next('ack', (ack) => ack.seq === markerSeq);
  }

  it('shows a genuine message replayed under a later seq once, and still acknowledges the replay', async () => {
    const { client, shown } = makeClient({});
    const { conn, aliceKey } = await login(client);
    const original = fromBob(aliceKey, 1, 'm1', 'meet at noon');
    await deliver(conn, [original, { ...original, seq: 2 }], aliceKey, 3);
    assert.deepEqual(shown.map((m) => [m.seq, m.text, m.trust]), [[1, 'meet at noon', 'pinned'], [3, 'marker 3', 'pinned']]);
    assert.equal(client.lastSeenSeq, 3);
  });

  it('drops the replay after a reconnect, while bob\'s new messages are shown', async () => {
    const { client, shown } = makeClient({});
    const first = await login(client);
    const original = fromBob(first.aliceKey, 1, 'm1', 'meet at noon');
    await deliver(first.conn, [original], first.aliceKey, 2);

    const reconnecting = nextEvent(client, 'state', (state) => state.state === 'reconnecting');
    first.conn.drop();
    await reconnecting;
    clock.advance(500);
    const second = await login(client);
    await deliver(second.conn, [{ ...original, seq: 5 }, fromBob(first.aliceKey, 6, 'm6', 'new')], first.aliceKey, 7);
    assert.deepEqual(shown.map((m) => m.text), ['meet at noon', 'marker 2', 'new', 'marker 7']);
  });

  it('drops the replay after a restart, with the seen file of the earlier client', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'classchat-replay-'));
    try {
      const keyStore = new MemoryKeyStore();
      const trustStore = new MemoryTrustStore();
      const seenStore = new FileSeenStore(join(dir, 'alice.seen.json'));
      const before = makeClient({ keyStore, trustStore, seenStore });
      const first = await login(before.client);
      const original = fromBob(first.aliceKey, 1, 'm1', 'meet at noon');
      await deliver(first.conn, [original], first.aliceKey, 2);
      await before.client.close();

      const after = makeClient({ keyStore, trustStore, seenStore: new FileSeenStore(seenStore.path) });
      const second = await login(after.client);
      await deliver(second.conn, [{ ...original, seq: 9 }], second.aliceKey, 10);
      assert.deepEqual(after.shown.map((m) => [m.seq, m.text]), [[10, 'marker 10']]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
