/**
 * A private message to a name nobody has registered yet (PROTOCOL.md 20.7, the original
 * ClassChat's behaviour): the client holds it, "waiting for frank to join", and encrypts and
 * sends it once frank registers; frank gets it decrypted exactly once. Unit tests of the waiting
 * list with a fake clock: 7 days, then the sender is told.
 */
import { strict as assert } from 'node:assert';
import type { ReceivedMessage } from '../../src/client';
import { ChatClientError } from '../../src/client/errors';
import { MAX_WAITING, WAIT_FOR_NAME_MS, WaitingMessages } from '../../src/client/waiting-messages';
import { startTestServer, TestServer } from '../helpers/test-server';
import { ClientFleet, collect } from './helpers/client-fleet';
import { FakeClock } from './helpers/fake-clock';
import { until } from './helpers/wait';

describe('messages waiting for a name nobody has registered yet', function () {
  this.timeout(30_000);

  describe('with a real server', () => {
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

    it('holds a message to frank until frank registers, then frank receives it decrypted, exactly once', async () => {
      const alice = await fleet.online('alice');
      const queued = alice.queueText('frank', 'welcome to the class, frank', { waitForJoin: true });
      assert.equal(queued.waiting, true);
      assert.equal(queued.encrypted, true);
      const second = alice.queueText('Frank', 'the lab is in room 3', { waitForJoin: true });
      let settled = false;
      void queued.sent.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(settled, false, 'nothing is sent before frank exists');

      const frank = fleet.client('frank');
      const atFrank: ReceivedMessage[] = collect(frank);
      await frank.connect();
      const [info, info2] = await Promise.all([queued.sent, second.sent]);
      assert.deepEqual([info.id, info.to, info2.to], [queued.id, 'frank', 'frank']);
      await until(() => atFrank.filter((m) => m.from === 'alice').length >= 2, "alice's messages at frank");
      // Anything delivered twice would come before this marker.
      await alice.sendText('frank', 'marker');
      await until(() => atFrank.some((m) => m.text === 'marker'), 'the marker');
      assert.deepEqual(
        atFrank.filter((m) => m.from === 'alice').map((m) => [m.text, m.encrypted, m.trust]),
        [
          ['welcome to the class, frank', true, 'pinned'],
          ['the lab is in room 3', true, 'pinned'],
          ['marker', true, 'pinned'],
        ],
      );
      // And a restarted frank does not get them again.
      await frank.close();
      const backlog = await fleet.backlogAtLogin('frank');
      assert.deepEqual(backlog.filter((m) => m.from === 'alice'), []);
    });

    it('still refuses an unknown name with unknown_user without waitForJoin, and a room name with it', async () => {
      const alice = await fleet.online('alice');
      assert.throws(() => alice.queueText('nobody', 'hi'), { code: 'unknown_user' });
      await alice.createRoom('lab-3', { members: [] });
      assert.throws(() => alice.queueText('lab-3', 'hi', { waitForJoin: true }), { code: 'unknown_user' });
    });

    it('drops what still waits when the client closes, telling the sender (it is not kept across restarts)', async () => {
      const alice = await fleet.online('alice');
      const queued = alice.queueText('frank', 'see you', { waitForJoin: true });
      await alice.close();
      await assert.rejects(queued.sent, { code: 'closed' });
    });
  });

  describe('the waiting list (fake clock)', () => {
    it('drops a message after 7 days and tells the sender it expired', async () => {
      const clock = new FakeClock();
      const waiting = new WaitingMessages(clock);
      const sent = waiting.hold('m1', 'frnak', 'hi');
      clock.advance(WAIT_FOR_NAME_MS - 1);
      assert.equal(waiting.size, 1);
      clock.advance(1);
      await assert.rejects(sent, (error: unknown) => error instanceof ChatClientError && error.code === 'expired' && /frnak did not join within 7 days/.test(error.message));
      assert.equal(waiting.size, 0);
    });

    it('releases the messages for a name in order under their ids, and is bounded', async () => {
      const clock = new FakeClock();
      const waiting = new WaitingMessages(clock, WAIT_FOR_NAME_MS, 3);
      const first = waiting.hold('a', 'frank', 'one');
      const other = waiting.hold('b', 'gina', 'two');
      const second = waiting.hold('c', 'frank', 'three');
      assert.throws(() => waiting.hold('d', 'frank', 'four'), { code: 'outbox_full' });
      const handed: string[] = [];
      waiting.release('frank', (id, text) => {
        handed.push(`${id}:${text}`);
        return Promise.resolve({ id, to: 'frank', seq: handed.length, ts: 0, duplicate: false });
      });
      assert.deepEqual(handed, ['a:one', 'c:three']);
      assert.deepEqual([(await first).seq, (await second).seq], [1, 2]);
      assert.deepEqual([...waiting.names()], ['gina']);
      clock.advance(WAIT_FOR_NAME_MS);
      await assert.rejects(other, { code: 'expired' });
      assert.ok(MAX_WAITING >= 100);
    });
  });
});
