import { strict as assert } from 'node:assert';
import { generateIdentity } from '../../src/crypto/identity';
import { LogStore } from '../../src/server/store/log-store';
import { DiskFullFiles } from '../helpers/disk-full-files';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

describe('a full disk (ENOSPC simulated in the store file layer)', function () {
  this.timeout(30000);
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('refuses new messages with storage_failed, damages nothing stored, and stores them when space returns', async () => {
    const disk = new DiskFullFiles();
    server = await startTestServer({ rateLimit: false, openFile: disk.open });
    const alice = await RawClient.login(server.port, 'alice');
    const bob = await RawClient.login(server.port, 'bob');
    clients.push(alice.client, bob.client);
    const sendAll = (ids: string[]) => ids.forEach((id) => alice.client.send({ type: 'send', id, to: id.endsWith('all') ? '*' : 'bob', text: `text of ${id}` }));
    const before = Array.from({ length: 10 }, (_, i) => `before${i}${i % 2 ? 'all' : ''}`);
    sendAll(before);
    await alice.client.waitFor(() => (alice.client.all('sent').length === 10 ? true : undefined), 'acks before the disk fills');

    disk.full = true;
    // More refusals than the abuse burst (20): a full disk is not the client's fault.
    const during = Array.from({ length: 40 }, (_, i) => `during${i}${i % 2 ? 'all' : ''}`);
    sendAll(during);
    await alice.client.waitFor(() => (alice.client.all('error').length === 40 ? true : undefined), '40 refusals', 10000);
    const refusals = alice.client.all('error');
    assert.deepEqual(new Set(refusals.map((e) => `${e.code} ${e.fatal}`)), new Set(['storage_failed false']));
    assert.deepEqual(refusals.map((e) => e.id).sort(), [...during].sort());
    assert.equal(alice.client.all('sent').length, 10, 'nothing acknowledged while the disk is full');
    assert.ok(disk.refused > 0);
    // A new name cannot be registered either; the refusal says why.
    const carol = await RawClient.open(server.port);
    clients.push(carol);
    await carol.sendLogin('carol', await generateIdentity());
    const refused = await carol.next('error');
    assert.deepEqual([refused.code, refused.fatal], ['storage_failed', true]);

    disk.full = false;
    sendAll(during);
    await alice.client.waitFor(() => (alice.client.all('sent').length === 50 ? true : undefined), 'acks once space returned', 10000);
    assert.ok(alice.client.all('sent').every((s) => !s.duplicate));
    const expected = [...before, ...during];
    await bob.client.waitFor(() => (bob.client.all('msg').length >= expected.length ? true : undefined), 'every message at bob', 10000);
    assert.deepEqual(bob.client.all('msg').map((m) => m.id), expected, 'each once, in order');
    alice.client.send({ type: 'ping', rid: 'still' });
    assert.equal((await alice.client.next('pong')).rid, 'still');

    // On disk: every acknowledged message, no damaged record.
    await server.stop();
    const store = new LogStore({ dataDir: server.dataDir });
    await store.open();
    try {
      assert.deepEqual(store.recovery, { records: store.recovery.records, droppedTornTail: false, droppedCorrupt: 0 });
      assert.deepEqual((await store.readMailbox('bob', 0, 100)).map((m) => m.id), expected);
    } finally {
      await store.close();
    }
  });

  it('keeps exactly-once delivery while the disk fills and frees again and again during a burst', async () => {
    const disk = new DiskFullFiles();
    server = await startTestServer({ rateLimit: false, openFile: disk.open });
    const alice = await RawClient.login(server.port, 'alice');
    const bob = await RawClient.login(server.port, 'bob');
    clients.push(alice.client, bob.client);
    const ids = Array.from({ length: 600 }, (_, i) => `burst${i}`);
    // Flip the disk between full (failing writes, or failing fsyncs) and free every few ms.
    let flips = 0;
    const flipper = setInterval(() => {
      flips++;
      disk.full = flips % 2 === 1;
      disk.failSync = flips % 4 === 1;
    }, 3);
    const outcome = new Map<string, string>();
    try {
      for (const [i, id] of ids.entries()) {
        alice.client.send({ type: 'send', id, to: i % 3 ? 'bob' : '*', text: id });
        if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await alice.client.waitFor(() => {
        for (const frame of alice.client.frames.splice(0)) {
          if (frame.type === 'sent') outcome.set(frame.id, 'sent');
          if (frame.type === 'error' && frame.id) outcome.set(frame.id, frame.code);
        }
        return outcome.size === ids.length ? true : undefined;
      }, 'an answer to every message', 20000);
    } finally {
      clearInterval(flipper);
      disk.full = false;
    }
    const refused = ids.filter((id) => outcome.get(id) !== 'sent');
    assert.deepEqual(new Set(refused.map((id) => outcome.get(id))), refused.length > 0 ? new Set(['storage_failed']) : new Set());
    assert.ok(refused.length > 0 && refused.length < ids.length, `${refused.length} of ${ids.length} refused: the disk did fill and free`);
    // The client resends what was refused (its outbox does); now all of it is stored.
    for (const id of refused) alice.client.send({ type: 'send', id, to: ids.indexOf(id) % 3 ? 'bob' : '*', text: id });
    await alice.client.waitFor(() => (alice.client.all('sent').length === refused.length ? true : undefined), 'resends acknowledged', 10000);
    await bob.client.waitFor(() => (bob.client.all('msg').length >= ids.length ? true : undefined), 'all at bob', 10000);
    const received = bob.client.all('msg').map((m) => m.id);
    assert.equal(received.length, ids.length, 'nothing delivered twice');
    assert.deepEqual([...received].sort(), [...ids].sort());
    process.stdout.write(`      disk full/free flipped ${flips} times: ${refused.length} of ${ids.length} refused and resent, ${disk.refused} writes/fsyncs failed\n`);

    await server.stop();
    const store = new LogStore({ dataDir: server.dataDir });
    await store.open();
    try {
      assert.deepEqual([store.recovery.droppedTornTail, store.recovery.droppedCorrupt], [false, 0]);
      assert.deepEqual((await store.readMailbox('bob', 0, 1000)).map((m) => m.id).sort(), [...ids].sort());
    } finally {
      await store.close();
    }
  });
});
