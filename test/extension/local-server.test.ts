import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { MemoryKeyStore } from '../../src/client/key-store';
import { ChatClient } from '../../src/client/chat-client';
import { LocalServer } from '../../src/extension/local-server';
import { makeDataDir } from '../helpers/test-server';

describe('LocalServer (Start Local Server)', function () {
  this.timeout(10_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await makeDataDir();
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves clients, keeps messages across a stop and start on the same data directory', async () => {
    const first = await LocalServer.start({ host: '127.0.0.1', port: 0, dataDir });
    assert.deepEqual(first.addresses(), [`127.0.0.1:${first.port}`]);
    const alice = new ChatClient({ host: '127.0.0.1', port: first.port, name: 'alice', keyStore: new MemoryKeyStore() });
    await alice.connect();
    const sent = await alice.sendText('*', 'kept');
    await alice.close();
    await first.close();
    await first.close(); // idempotent

    const second = await LocalServer.start({ host: '127.0.0.1', port: 0, dataDir });
    try {
      const bob = new ChatClient({ host: '127.0.0.1', port: second.port, name: 'bob', keyStore: new MemoryKeyStore() });
      await bob.connect();
      const page = await bob.history('*');
      await bob.close();
      assert.deepEqual(page.messages.map((m) => [m.seq, m.text]), [[sent.seq, 'kept']]);
    } finally {
      await second.close();
    }
  });

  it('fails with EADDRINUSE and leaves nothing open when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address && typeof address === 'object');
    try {
      await assert.rejects(LocalServer.start({ host: '127.0.0.1', port: address.port, dataDir }), (error: unknown) => error instanceof Error && 'code' in error && error.code === 'EADDRINUSE');
      // The store was closed: the data directory can be opened again at once.
      const server = await LocalServer.start({ host: '127.0.0.1', port: 0, dataDir });
      await server.close();
    } finally {
      blocker.close();
    }
  });
});
