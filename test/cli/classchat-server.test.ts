import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { generateIdentity } from '../../src/crypto/identity';
import { RawClient } from '../helpers/raw-client';
import { makeDataDir } from '../helpers/test-server';
import { SERVER_BIN, spawnServer } from '../helpers/server-process';

const run = promisify(execFile);

async function runServerCommand(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SERVER_BIN, ...args]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('classchat-server command', function () {
  this.timeout(30000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await makeDataDir();
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where it listens and how to connect, and stops cleanly on SIGINT telling clients', async () => {
    const proc = await spawnServer(['--data-dir', dataDir]);
    assert.match(proc.output(), /Connect with: +npx classchat --host 127\.0\.0\.1 --port \d+/);
    assert.match(proc.output(), /nc 127\.0\.0\.1 \d+/);
    const alice = await RawClient.login(proc.port, 'alice');
    alice.client.send({ type: 'send', id: 'm1', to: '*', text: 'before shutdown' });
    await alice.client.next('sent');
    proc.child.kill('SIGINT');
    assert.equal((await alice.client.next('bye')).reason, 'server_shutdown');
    assert.equal(await proc.exited, 0);
    assert.match(proc.output(), /stopped; everything is saved/);
  });

  it('frees a name with reset-user only while the server is stopped', async () => {
    const proc = await spawnServer(['--data-dir', dataDir]);
    const first = await RawClient.login(proc.port, 'bob');
    first.client.close();
    const busy = await runServerCommand(['reset-user', 'bob', '--data-dir', dataDir]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.out, /in use/);
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);

    const reset = await runServerCommand(['reset-user', 'Bob', '--data-dir', dataDir]);
    assert.equal(reset.code, 0, reset.out);
    assert.match(reset.out, /Freed "bob"/);

    const again = await spawnServer(['--data-dir', dataDir]);
    const newKey = await RawClient.login(again.port, 'bob', await generateIdentity());
    assert.equal(newKey.welcome.registered, true);
    newKey.client.close();
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });

  it('rejects bad options with usage help and exit code 2', async () => {
    for (const args of [['--port', '70000'], ['--port', 'abc'], ['--log-level', 'loud'], ['--bogus'], ['launch'], ['--max-sessions-per-user', '0'], ['--rate-limit', '-1'], ['--unsent-budget', '100K'], ['--unsent-budget', 'lots']]) {
      const result = await runServerCommand(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.out, /Usage:/);
    }
    for (const args of [['--file-budget', 'lots'], ['--file-budget', '50M'], ['--max-sender-files', '0']]) {
      const result = await runServerCommand(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.out, new RegExp(`classchat-server: ${args[0]} must be`));
    }
  });
});
