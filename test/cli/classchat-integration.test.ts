/** The built `classchat` command against the real server, with a ChatClient on the other side. */
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatClient } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { ReceivedMessage } from '../../src/client/types';
import { startTestServer, TestServer } from '../helpers/test-server';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { nextEvent, until } from '../client/helpers/wait';

describe('classchat command with the real server', function () {
  this.timeout(20_000);
  let server: TestServer;
  let home: string;
  let clis: CliProcess[];
  let bob: ChatClient;
  let bobGot: ReceivedMessage[];

  beforeEach(async () => {
    server = await startTestServer();
    home = await mkdtemp(join(tmpdir(), 'classchat-cli-'));
    clis = [];
    bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore() });
    bob.on('error', () => undefined);
    bobGot = [];
    bob.on('message', (message) => bobGot.push(message));
    await bob.connect();
  });

  afterEach(async () => {
    await Promise.all(clis.map(stopCli));
    await bob.close();
    await server.close();
    await rm(home, { recursive: true, force: true });
  });

  function run(...args: string[]): CliProcess {
    const cli = spawnCli(['--port', String(server.port), ...args], { CLASSCHAT_HOME: home });
    clis.push(cli);
    return cli;
  }

  it('send delivers to bob and prints the seq; a second send from the same name reuses its key', async () => {
    const first = run('send', '--name', 'alice', '--to', 'bob', 'build finished');
    assert.equal(await first.exited, 0, first.stderr());
    const seq = Number(/^sent #(\d+)\n$/.exec(first.stdout())?.[1]);
    await until(() => bobGot.length === 1, 'delivery');
    assert.deepEqual([bobGot[0].seq, bobGot[0].from, bobGot[0].text], [seq, 'alice', 'build finished']);
    const second = run('send', '--name', 'alice', '--to', 'all', 'again');
    assert.equal(await second.exited, 0, second.stderr());
    await until(() => bobGot.length === 2, 'second delivery');
    assert.equal(bobGot[1].to, '*');
  });

  it('send to an unknown user exits 1 with the reason', async () => {
    const cli = run('send', '--name', 'alice', '--to', 'nobody', 'hi');
    assert.equal(await cli.exited, 1);
    assert.match(cli.stderr(), /There is no user with that name/);
  });

  it('/verify shows the same safety number bob computes, and confirm marks bob verified in the trust file', async () => {
    const alice = run('--name', 'alice');
    await alice.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as alice/);
    alice.type('/verify bob');
    await alice.waitForOutput(/If they are the same, type: \/verify bob confirm/);
    const number = await bob.safetyNumber('alice');
    const shown = /safety number for you and bob:\n((?: {4}[\d ]+\n){3})/.exec(alice.stdout())?.[1] ?? '';
    assert.equal(shown.trim().split(/\s+/).join(' '), number);
    alice.type('/verify bob confirm');
    await alice.waitForOutput(/bob's key is marked verified/);
    await bob.sendText('alice', 'checked');
    await alice.waitForOutput(/bob → you \[e2e, verified\]: checked/);
    alice.type('/who');
    await alice.waitForOutput(/bob \(verified\)/);
    const trustFile = join(home, 'keys', `127.0.0.1-${server.port}`, 'alice.trust.json');
    const pins = JSON.parse(await readFile(trustFile, 'utf8')) as { pins: Record<string, { verified: boolean }> };
    assert.equal(pins.pins.bob.verified, true);
    if (process.platform !== 'win32') assert.equal((await stat(trustFile)).mode & 0o777, 0o600);
    alice.type('/quit');
    assert.equal(await alice.exited, 0);
  });

  it('an interactive session sends what is typed and shows what arrives, offline mail included', async () => {
    // alice registers, leaves; bob writes to her while she is away.
    const register = run('send', '--name', 'alice', '--to', 'bob', 'hello');
    assert.equal(await register.exited, 0, register.stderr());
    await bob.sendText('alice', 'while you were away');

    const alice = run('--name', 'alice');
    await alice.waitForOutput(/\* connected to 127\.0\.0\.1:\d+ as alice/);
    await alice.waitForOutput(/bob → you \[e2e\]: while you were away/);

    alice.type('@bob hi bob');
    alice.type('hi everyone');
    await until(() => bobGot.length === 3, 'two more deliveries');
    assert.deepEqual(bobGot.slice(1).map((m) => [m.to, m.text, m.encrypted]), [['bob', 'hi bob', true], ['*', 'hi everyone', false]]);

    const live = bob.sendText('*', 'live from bob');
    await live;
    await alice.waitForOutput(/bob → everyone: live from bob/);

    alice.type('/who');
    await alice.waitForOutput(/Online \(2\): alice \(you\), bob/);
    alice.type('/history all 1');
    await alice.waitForOutput(/last 1 message\(s\) to everyone \(older ones exist\) ---\n\[\d\d:\d\d\] \(#\d+\) bob → everyone: live from bob/);

    const offline = nextEvent(bob, 'presence', (user) => user.name === 'alice' && !user.online);
    alice.type('/quit');
    assert.equal(await alice.exited, 0);
    await offline;
    // What was shown is kept beside the key, so the next chat does not show it again.
    const seen = JSON.parse(await readFile(join(home, 'keys', `127.0.0.1-${server.port}`, 'alice.seen.json'), 'utf8'));
    assert.equal(seen.lastSeenSeq, (await live).seq);
  });
});
