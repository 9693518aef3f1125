import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

  it('stops cleanly on a signal sent the moment it announces its port', async () => {
    // Supervisors and tests stop a server as soon as it prints where it listens.
    for (let attempt = 0; attempt < 20; attempt++) {
      const proc = await spawnServer(['--data-dir', dataDir]);
      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, `attempt ${attempt}: ${proc.output()}`);
    }
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

  it('gives roles with the role command and a roles file, shown in the roster', async () => {
    const set = await runServerCommand(['role', 'Mrs.K', 'teacher', '--data-dir', dataDir]);
    assert.equal(set.code, 0, set.out);
    assert.match(set.out, /mrs\.k is now a teacher \(from their first login\)/);
    assert.match((await runServerCommand(['role', '--data-dir', dataDir])).out, /^mrs\.k teacher$/m);
    const rolesFile = join(dataDir, 'roles.txt');
    await writeFile(rolesFile, '# the class staff\ntim ta\n\nmrs.k teacher\n');
    const proc = await spawnServer(['--data-dir', dataDir, '--roles', rolesFile]);
    const tim = await RawClient.login(proc.port, 'tim');
    assert.deepEqual(tim.welcome.users.map((user) => [user.name, user.role]), [['tim', 'ta']]);
    tim.client.close();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
    // The file is the whole list: without mrs.k in it she is a student again.
    await writeFile(rolesFile, 'tim ta\n');
    const again = await spawnServer(['--data-dir', dataDir, '--roles', rolesFile]);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
    assert.equal((await runServerCommand(['role', '--data-dir', dataDir])).out, 'tim ta\n');
  });

  it('refuses a bad role or roles file with a clear message', async () => {
    const bad = await runServerCommand(['role', 'alice', 'admin', '--data-dir', dataDir]);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /the role must be teacher, ta or student, not "admin"/);
    const rolesFile = join(dataDir, 'roles.txt');
    await writeFile(rolesFile, 'tim ta\nbad name here\n');
    const file = await runServerCommand(['--data-dir', dataDir, '--roles', rolesFile]);
    assert.equal(file.code, 2);
    assert.match(file.out, /roles\.txt line 2: expected "name role"/);
    const missing = await runServerCommand(['--data-dir', dataDir, '--roles', join(dataDir, 'none.txt')]);
    assert.match(missing.out, /--roles: cannot read/);
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
