/**
 * Linked devices in the built `classchat` against the built server (issue 18): two computers of
 * alice, each with its own CLASSCHAT_HOME. `--devices` makes the laptop the primary and prints the
 * recovery code once; `classchat link` on the lab computer prints a code that `/devices approve`
 * on the laptop accepts; bob's message reaches both; `/devices` lists them; `/devices remove`
 * logs the lab computer out.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { ServerProcess, spawnServer } from '../helpers/server-process';

describe('classchat with linked devices', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let root: string;
  const clis: CliProcess[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'classchat-devices-cli-'));
    server = await spawnServer(['--data-dir', join(root, 'store')]);
  });
  afterEach(async () => {
    await Promise.all(clis.splice(0).map(stopCli));
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(root, { recursive: true, force: true });
  });

  const run = (home: string, args: string[]): CliProcess => {
    const cli = spawnCli(['--port', String(server.port), ...args], { CLASSCHAT_HOME: join(root, home) });
    clis.push(cli);
    return cli;
  };

  it('links a second computer with the code it prints, delivers to both, lists and removes devices', async () => {
    const laptop = run('laptop', ['--name', 'alice', '--devices', '--label', 'Laptop']);
    await laptop.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as alice/);
    await laptop.waitForOutput(/!! Your recovery code: [0-9A-Z]{5}(-[0-9A-Z]{5}){5}\n/);

    const lab = run('lab', ['link', '--name', 'alice', '--label', 'Lab PC']);
    await lab.waitForOutput(/type: \/devices approve (\d{6})/);
    const code = /type: \/devices approve (\d{6})/.exec(lab.stdout())![1];
    await laptop.waitForOutput(/a new computer "Lab PC" asks to be linked as you/);
    laptop.type(`/devices approve ${code}`);
    await laptop.waitForOutput(/\* linked "Lab PC"/);
    await lab.waitForOutput(/\* linked: this computer is now a device of alice/);
    await lab.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as alice/);
    assert.doesNotMatch(lab.stdout(), /recovery code/, 'only the primary has a recovery code');

    const bob = run('bob', ['--name', 'bob', '--devices', '--label', 'Bob PC']);
    await bob.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as bob/);
    await bob.waitForOutput(/Your recovery code/);
    bob.type('@alice hello on both computers');
    await laptop.waitForOutput(/hello on both computers/);
    await lab.waitForOutput(/hello on both computers/);
    lab.type('@bob answered from the lab');
    await bob.waitForOutput(/answered from the lab/);
    await laptop.waitForOutput(/answered from the lab/);

    laptop.type('/devices');
    await laptop.waitForOutput(/\* Lab PC: linked \d{4}-\d\d-\d\d, last seen [^,]+, id ([A-Za-z0-9_-]+)\n/);
    await laptop.waitForOutput(/\* Laptop \(primary, this computer\): linked/);
    const labId = /\* Lab PC: linked [^\n]*, id ([A-Za-z0-9_-]+)\n/.exec(laptop.stdout())![1];
    lab.type('/devices remove whatever');
    await lab.waitForOutput(/! \/devices remove: .*primary/);

    laptop.type(`/devices remove ${labId}`);
    await laptop.waitForOutput(/\* removed device/);
    assert.equal(await lab.exited, 1, 'the removed computer is logged out');
    assert.match(lab.stdout() + lab.stderr(), /device_removed|removed/);
  });

  it('recovers the name on a new computer with the recovery code typed on stdin; a wrong code is refused', async () => {
    const laptop = run('laptop', ['--name', 'alice', '--devices', '--label', 'Laptop']);
    await laptop.waitForOutput(/!! Your recovery code: ([0-9A-Z-]{35})\n/);
    const code = /!! Your recovery code: ([0-9A-Z-]{35})\n/.exec(laptop.stdout())![1];
    await stopCli(laptop);

    const wrong = run('thief', ['recover', '--name', 'alice', '--label', 'Thief PC']);
    await wrong.waitForOutput(/type the recovery code of alice/);
    wrong.type(code.replace(/^./, (first) => (first === '0' ? '1' : '0')));
    assert.equal(await wrong.exited, 1);
    assert.match(wrong.stderr(), /recovery failed: .*(mistyped|not alice's recovery code)/);

    const fresh = run('new', ['recover', '--name', 'alice', '--label', 'New laptop']);
    await fresh.waitForOutput(/type the recovery code of alice/);
    fresh.type(code.toLowerCase());
    await fresh.waitForOutput(/\* recovered alice: this computer is your primary now/);
    await fresh.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as alice/);
    await fresh.waitForOutput(/!! Your recovery code: ([0-9A-Z-]{35})\n/);
    assert.ok(!fresh.stdout().includes(code), 'a new code');
    fresh.type('/devices');
    await fresh.waitForOutput(/\* New laptop \(primary, this computer\)/);
    assert.doesNotMatch(fresh.stdout(), /\* Laptop/);
  });

  it('refuses classchat link when nobody of that name is online', async () => {
    const lab = run('lab', ['link', '--name', 'nobody', '--label', 'Lab PC']);
    assert.equal(await lab.exited, 1);
    assert.match(lab.stderr(), /the link failed/);
  });
});
