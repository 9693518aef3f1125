/**
 * Blocking with the client library against the real server (PROTOCOL.md 20.9): alice blocks dave
 * on one client and every client of hers knows it, also one started later; dave's messages are
 * hidden in Everyone, rooms and history, his private messages never arrive, and unblocking
 * shows him again.
 */
import { strict as assert } from 'node:assert';
import type { ChatClient, ReceivedMessage } from '../../src/client';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';
import { nextEvent, until } from './helpers/wait';

describe('blocking a classmate with the client library (real server)', function () {
  this.timeout(30_000);
  let server: TestServer;
  let fleet: ClientFleet;

  beforeEach(async () => {
    server = await startTestServer({ rateLimit: false });
    fleet = new ClientFleet(() => server.port);
  });

  afterEach(async () => {
    await fleet.closeAll();
    await server.close();
  });

  const texts = (messages: ReceivedMessage[]) => messages.filter((m) => !m.event).map((m) => `${m.conversation}: ${m.from}: ${m.text}`);
  /** Bob writes last: once alice has it, she would have had what dave sent before. */
  async function bobLast(bob: ChatClient, seen: ReceivedMessage[], text: string): Promise<void> {
    await bob.sendText('*', text);
    await until(() => seen.some((m) => m.text === text), `"${text}"`);
  }

  it("hides the blocked person's messages in Everyone, rooms, private messages and history, on every client of the blocker", async () => {
    const alice = await fleet.online('alice');
    const dave = await fleet.online('dave');
    const bob = await fleet.online('bob');
    await alice.createRoom('lab-3', { members: ['bob', 'dave'] });
    await until(() => dave.rooms().some((room) => room.name === 'lab-3') && bob.rooms().some((room) => room.name === 'lab-3'), 'everyone in #lab-3');
    const aliceLaptop = fleet.client('alice');
    await aliceLaptop.connect();
    const told = nextEvent(aliceLaptop, 'blocked');
    assert.deepEqual(await alice.blocks.block('dave'), ['dave']);
    assert.deepEqual((await told)[0], ['dave'], "alice's other client is told at once");
    assert.equal(alice.blocks.has('dave'), true);

    const [atAlice, atLaptop] = [collect(alice), collect(aliceLaptop)];
    await dave.sendText('*', 'dave to everyone');
    await dave.sendText('alice', 'dave to alice');
    await dave.sendToRoom('lab-3', 'dave in the lab');
    await bob.sendToRoom('lab-3', 'bob in the lab');
    await bobLast(bob, atAlice, 'bob to everyone');
    await until(() => atLaptop.some((m) => m.text === 'bob to everyone'), 'bob at the laptop');
    for (const seen of [atAlice, atLaptop]) assert.deepEqual(texts(seen), ['#lab-3: bob: bob in the lab', '*: bob: bob to everyone']);
    const everyone = await alice.history('*');
    assert.deepEqual(everyone.messages.map((m) => m.from), ['bob'], 'history hides dave too');

    // A client started later gets the list before its backlog.
    const aliceDesktop = fleet.client('alice');
    const atDesktop = collect(aliceDesktop);
    await aliceDesktop.connect();
    await until(() => aliceDesktop.blocks.has('dave'), 'the list at a new client');
    await bobLast(bob, atDesktop, 'bob again');
    await dave.sendText('*', 'dave again');
    await bobLast(bob, atDesktop, 'bob once more');
    assert.deepEqual(texts(atDesktop), ['*: bob: bob again', '*: bob: bob once more']);

    assert.deepEqual(await aliceLaptop.blocks.unblock('dave'), []);
    await until(() => !alice.blocks.has('dave'), 'the unblock at the first client');
    await dave.sendText('alice', 'dave after the unblock');
    await until(() => atAlice.some((m) => m.text === 'dave after the unblock'), 'dave shown again');
  });

  it('refuses blocking a name nobody has with unknown_user', async () => {
    const alice = await fleet.online('alice');
    await assert.rejects(alice.blocks.block('nobody'), { code: 'unknown_user' });
    await assert.rejects(async () => alice.blocks.block('not a name!'), { code: 'unknown_user' });
    assert.deepEqual(alice.blocks.list(), []);
  });
});
