import { strict as assert } from 'node:assert';
import type { StoreFile } from '../../src/server/store/log-store';
import { openStoreFile } from '../../src/server/store/store-file';
import { RawClient } from '../helpers/raw-client';
import { startTestServer, TestServer } from '../helpers/test-server';

/** Opens files normally, but while `held` every fsync waits for `release()`. */
class SlowDisk {
  held = false;
  private waiting: Array<() => void> = [];

  readonly open = async (path: string, flags: number, mode: number): Promise<StoreFile> => {
    const real = await openStoreFile(path, flags, mode);
    return {
      ...real,
      datasync: async () => {
        if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
        return real.datasync();
      },
    };
  };

  release(): void {
    this.held = false;
    for (const resume of this.waiting.splice(0)) resume();
  }
}

describe('server backpressure from the store', () => {
  let server: TestServer;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  it('stops reading while too many messages wait for the disk, then stores and delivers them all in order', async () => {
    const disk = new SlowDisk();
    server = await startTestServer({ rateLimit: false, maxPendingWrites: 4, openFile: disk.open });
    let appends = 0;
    const append = server.store.append.bind(server.store);
    server.store.append = (message) => {
      appends++;
      return append(message);
    };
    const alice = await RawClient.login(server.port, 'alice');
    const bob = await RawClient.login(server.port, 'bob');
    clients.push(alice.client, bob.client);
    await bob.client.next('synced');

    disk.held = true;
    for (let i = 0; i < 40; i++) alice.client.send({ type: 'send', id: `m${i}`, to: 'bob', text: `message ${i}` });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The first commit holds one message; the rest queue behind it until four wait, then reading stops.
    assert.equal(appends, 4, 'messages handed to the store while the disk is stuck');
    assert.equal(alice.client.all('sent').length, 0);

    disk.release();
    const sent = [];
    for (let i = 0; i < 40; i++) sent.push(await alice.client.next('sent'));
    assert.deepEqual(sent.map((frame) => frame.id), Array.from({ length: 40 }, (_, i) => `m${i}`));
    const got = [];
    for (let i = 0; i < 40; i++) got.push(await bob.client.next('msg'));
    assert.deepEqual(got.map((frame) => frame.text), Array.from({ length: 40 }, (_, i) => `message ${i}`));
    assert.equal(appends, 40);
  });
});
