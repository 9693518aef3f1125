import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity } from '../../src/crypto/identity';
import { RawClient } from '../helpers/raw-client';
import { spawnServer, ServerProcess } from '../helpers/server-process';
import { TestPostgres } from '../helpers/postgres';

/** The real classchat-server on --store postgres://: what it acknowledged survives SIGKILL. */
describe('classchat-server --store postgres', function () {
  this.timeout(120000);
  let pg: TestPostgres;
  let filesDir: string;
  let proc: ServerProcess | undefined;

  before(async () => {
    pg = await TestPostgres.start();
    filesDir = await mkdtemp(join(tmpdir(), 'classchat-pg-files-'));
  });
  after(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await pg?.stop();
    await rm(filesDir, { recursive: true, force: true });
  });

  it('delivers a message to an offline user exactly once after the server is killed with SIGKILL and restarted', async () => {
    const url = await pg.createDatabase('sigkill');
    const args = ['--store', url, '--data-dir', filesDir];
    const [alice, bob] = [await generateIdentity(), await generateIdentity()];
    proc = await spawnServer(args);
    assert.match(proc.output(), /data in PostgreSQL postgres:\/\/classchat@127\.0\.0\.1:\d+\/sigkill/);
    const bobFirst = await RawClient.login(proc.port, 'bob', bob);
    bobFirst.client.close();

    const sender = await RawClient.login(proc.port, 'alice', alice);
    sender.client.send({ type: 'send', id: 'before-the-kill', to: 'bob', text: 'are you there?' });
    const sent = await sender.client.next('sent', (frame) => frame.id === 'before-the-kill');
    assert.notEqual(sent.duplicate, true);
    proc.child.kill('SIGKILL');
    assert.equal(await proc.exited, 'SIGKILL');
    await sender.client.waitClosed();

    proc = await spawnServer(args);
    const reader = await RawClient.login(proc.port, 'bob', bob);
    await reader.client.next('synced', () => true, 20000);
    const received = reader.client.all('msg').filter((msg) => msg.id === 'before-the-kill');
    assert.deepEqual(received.map((msg) => [msg.from, msg.text]), [['alice', 'are you there?']]);

    // The outbox of a client that never saw `sent` resends: the database knows the id.
    const resender = await RawClient.login(proc.port, 'alice', alice);
    resender.client.send({ type: 'send', id: 'before-the-kill', to: 'bob', text: 'are you there?' });
    assert.equal((await resender.client.next('sent', (frame) => frame.id === 'before-the-kill')).duplicate, true);
    assert.equal(reader.client.all('msg').filter((msg) => msg.id === 'before-the-kill').length, 1);
    resender.client.close();
    reader.client.close();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  });

  it('refuses to start with a clear message when --store names no database', async () => {
    await assert.rejects(spawnServer(['--store', 'postgres://nobody@127.0.0.1', '--data-dir', filesDir]), /--store .*names no database/);
  });
});
