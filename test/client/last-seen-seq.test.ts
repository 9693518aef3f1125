/**
 * Regression (found by test/fuzz/client-model.test.ts): a message shown by one ChatClient whose
 * ack was lost (connection cut, then the client closed) was shown again by the user's next
 * client. `lastSeenSeq` carries what the earlier client showed into the next one's login.
 */
import { strict as assert } from 'node:assert';
import { MemorySeenStore } from '../../src/client/seen-store';
import type { ReceivedMessage } from '../../src/client/types';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';

describe('ChatClient lastSeenSeq', () => {
  let server: TestServer;
  let fleet: ClientFleet;

  beforeEach(async () => {
    server = await startTestServer();
    fleet = new ClientFleet(() => server.port);
  });

  afterEach(async () => {
    await fleet.closeAll();
    await server.close();
  });

  /** Connects `name` with `options` and returns what it shows until its backlog is synced. */
  async function showsAtLogin(name: string, options: Parameters<ClientFleet['client']>[1]): Promise<{ shown: ReceivedMessage[]; lastSeenSeq: number }> {
    const client = fleet.client(name, options);
    const shown = collect(client);
    const synced = new Promise<void>((resolve) => client.once('synced', () => resolve()));
    await client.connect();
    await synced;
    await client.close();
    return { shown, lastSeenSeq: client.lastSeenSeq };
  }

  it('does not show again what an earlier client of the same user showed but never acknowledged', async () => {
    await showsAtLogin('bob', {});
    const alice = await fleet.online('alice');
    await alice.sendText('*', 'hello class');

    // Shown, never acknowledged (as when the connection dies before the ack is written).
    const first = await showsAtLogin('bob', { autoAck: false });
    assert.deepEqual(first.shown.map((message) => message.text), ['hello class']);
    // Without lastSeenSeq the next client is shown it again: delivery is at least once.
    const again = await showsAtLogin('bob', { autoAck: false });
    assert.deepEqual(again.shown.map((message) => message.text), ['hello class']);

    const resumed = await showsAtLogin('bob', { lastSeenSeq: first.lastSeenSeq });
    assert.deepEqual(resumed.shown, []);
    assert.equal(resumed.lastSeenSeq, first.lastSeenSeq);

    await alice.sendText('*', 'second');
    const next = await showsAtLogin('bob', { lastSeenSeq: resumed.lastSeenSeq });
    assert.deepEqual(next.shown.map((message) => message.text), ['second']);
  });

  it('keeps lastSeenSeq in a seen store across clients, saved on close', async () => {
    const seen = new MemorySeenStore();
    await showsAtLogin('bob', { seenStore: seen });
    const alice = await fleet.online('alice');
    await alice.sendText('*', 'hello class');
    const first = await showsAtLogin('bob', { autoAck: false, seenStore: seen });
    assert.deepEqual(first.shown.map((message) => message.text), ['hello class']);
    assert.equal((await seen.load())?.lastSeenSeq, first.lastSeenSeq, 'saved when the client closed');
    const resumed = await showsAtLogin('bob', { autoAck: false, seenStore: seen });
    assert.deepEqual(resumed.shown, []);
  });

  it('reports a seen store that fails, and logs in anyway', async () => {
    const broken = { load: async () => Promise.reject(new Error('disk gone')), save: async () => Promise.reject(new Error('disk gone')) };
    const client = fleet.client('bob', { seenStore: broken });
    const errors: string[] = [];
    client.on('error', (error) => errors.push(`${(error as { code?: string }).code}: ${error.message}`));
    await client.connect();
    assert.equal(client.state, 'connected');
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^seen_store_failed: .*disk gone/);
  });

  it('refuses a lastSeenSeq that is not a non-negative integer', () => {
    assert.throws(() => fleet.client('bob', { lastSeenSeq: -1 }), RangeError);
    assert.throws(() => fleet.client('bob', { lastSeenSeq: 1.5 }), RangeError);
  });
});
