/**
 * The built `classchat` command as a child process, against a scripted fake server: exit codes,
 * what it sends, what it prints. (classchat-real-server.test.ts runs it against the real server.)
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, Identity } from '../../src/crypto/identity';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { FakeServer } from '../client/helpers/fake-server';

describe('classchat command (fake server)', function () {
  this.timeout(15_000);
  let server: FakeServer;
  let home: string;
  let clis: CliProcess[];
  let bobKey: Identity;

  before(async () => {
    bobKey = await generateIdentity();
  });

  beforeEach(async () => {
    server = await FakeServer.start();
    home = await mkdtemp(join(tmpdir(), 'classchat-cli-'));
    clis = [];
  });

  afterEach(async () => {
    await Promise.all(clis.map(stopCli));
    await server.close();
    await rm(home, { recursive: true, force: true });
  });

  function run(...args: string[]): CliProcess {
    const cli = spawnCli(['--port', String(server.port), ...args], { CLASSCHAT_HOME: home });
    clis.push(cli);
    return cli;
  }

  describe('send', () => {
    it('sends one message encrypted, prints "sent #<seq>" and exits 0, without acknowledging waiting mail', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'Bob', 'build', 'finished');
      const conn = await server.nextConnection();
      const login = await conn.acceptLogin({ users: [{ name: 'bob', publicKey: bobKey.publicKey, online: false }] });
      conn.send({ type: 'msg', seq: 3, id: 'x', from: 'carol', to: 'alice', ts: 1, text: 'waiting for alice' });
      const frame = await conn.next('send');
      assert.equal(frame.to, 'bob');
      assert.equal(frame.text, undefined);
      assert.ok(frame.box);
      assert.equal(login.name, 'alice');
      conn.send({ type: 'sent', id: frame.id, seq: 17, ts: 1, duplicate: false });
      assert.equal(await cli.exited, 0);
      assert.equal(cli.stdout(), 'sent #17\n');
      await conn.waitClosed();
      assert.deepEqual(conn.all('ack'), []);
    });

    it('sends to everyone with --to all', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'all', 'hi');
      const conn = await server.nextConnection();
      await conn.acceptLogin();
      const frame = await conn.next('send');
      assert.equal(frame.to, '*');
      conn.send({ type: 'sent', id: frame.id, seq: 1, ts: 1, duplicate: false });
      assert.equal(await cli.exited, 0);
    });

    it('prints a refusal on stderr and exits 1', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'all', 'hi');
      const conn = await server.nextConnection();
      await conn.acceptLogin();
      const frame = await conn.next('send');
      conn.send({ type: 'error', code: 'text_too_long', message: 'The message is longer than the maximum text length.', id: frame.id, fatal: false });
      assert.equal(await cli.exited, 1);
      assert.equal(cli.stderr(), 'classchat: The message is longer than the maximum text length.\n');
      assert.equal(cli.stdout(), '');
    });

    it('refuses a private message to someone not in the roster without sending anything', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'nobody', 'hi');
      const conn = await server.nextConnection();
      await conn.acceptLogin();
      assert.equal(await cli.exited, 1);
      assert.equal(cli.stderr(), 'classchat: There is no user with that name. (nobody)\n');
      assert.deepEqual(conn.all('send'), []);
    });

    it('sends to a plain-text user only with --unencrypted', async () => {
      const users = [{ name: 'dave', publicKey: null, online: true }];
      const refused = run('send', '--name', 'alice', '--to', 'dave', 'hi');
      await (await server.nextConnection()).acceptLogin({ users });
      assert.equal(await refused.exited, 1);
      assert.match(refused.stderr(), /dave uses the plain-text mode and has no key/);
      const cli = run('send', '--name', 'alice', '--to', 'dave', '--unencrypted', 'hi');
      const conn = await server.nextConnection();
      await conn.acceptLogin({ users });
      const frame = await conn.next('send');
      assert.deepEqual([frame.to, frame.text], ['dave', 'hi']);
      conn.send({ type: 'sent', id: frame.id, seq: 2, ts: 1, duplicate: false });
      assert.equal(await cli.exited, 0);
    });

    it('explains a join code refusal and exits 1', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'bob', 'hi');
      const conn = await server.nextConnection();
      await conn.next('login');
      conn.end({ type: 'error', code: 'join_code_required', message: 'A join code is needed to register a new name on this server.', fatal: true });
      assert.equal(await cli.exited, 1);
      assert.match(cli.stderr(), /join code is needed.*--join-code CODE/);
    });

    it('gives up after --timeout when the message is not confirmed', async () => {
      const cli = run('send', '--name', 'alice', '--to', 'all', '--timeout', '0.5', 'hi');
      const conn = await server.nextConnection();
      await conn.acceptLogin();
      await conn.next('send');
      assert.equal(await cli.exited, 1);
      assert.match(cli.stderr(), /not confirmed within 0.5 s/);
    });

    it('exits 1 with plain words when no server listens', async () => {
      await server.close();
      const cli = run('send', '--name', 'alice', '--to', 'bob', 'hi');
      assert.equal(await cli.exited, 1);
      assert.match(cli.stderr(), /connection refused \(is the server running/);
    });
  });

  describe('usage', () => {
    it('exits 2 with the usage text for a bad option', async () => {
      const cli = run('--name', 'not valid');
      assert.equal(await cli.exited, 2);
      assert.match(cli.stderr(), /--name: "not valid" is not a valid user name[\s\S]*Usage:/);
    });

    it('prints help and exits 0', async () => {
      const cli = run('--help');
      assert.equal(await cli.exited, 0);
      assert.match(cli.stdout(), /classchat send --to NAME/);
    });
  });

  describe('interactive', () => {
    async function session(...args: string[]) {
      const cli = run('--name', 'alice', ...args);
      const conn = await server.nextConnection();
      await conn.acceptLogin({
        users: [
          { name: 'alice', publicKey: null, online: true },
          { name: 'bob', publicKey: bobKey.publicKey, online: true },
          { name: 'carol', publicKey: null, online: false },
        ],
      });
      await cli.waitForOutput(/connected to 127\.0\.0\.1:\d+ as alice/);
      return { cli, conn };
    }

    it('prints incoming messages and presence, sends what is typed, and says bye on /quit', async () => {
      const { cli, conn } = await session();
      conn.send({ type: 'msg', seq: 4, id: 'a', from: 'bob', to: 'alice', ts: Date.now(), text: 'hi alice' });
      conn.send({ type: 'msg', seq: 5, id: 'b', from: 'dave', to: '*', ts: Date.now(), text: 'hi all', plain: true });
      conn.send({ type: 'presence', user: { name: 'carol', publicKey: null, online: true } });
      await cli.waitForOutput(/\* carol is online/);
      assert.match(cli.stdout(), /\[\d\d:\d\d\] \(#\d+\) bob → you \[not encrypted\]: hi alice\n/);
      assert.match(cli.stdout(), /\[\d\d:\d\d\] \(#\d+\) dave \(unauthenticated plain-text user\) → everyone: hi all\n/);
      // The two frames may arrive in one chunk or two: wait for the cumulative ack that covers both.
      await conn.next('ack', (ack) => ack.seq === 5);

      cli.type('@bob hello bob');
      cli.type('hello everyone');
      const first = await conn.next('send');
      const second = await conn.next('send');
      assert.deepEqual([first.to, first.text, second.to, second.text], ['bob', undefined, '*', 'hello everyone']);
      assert.ok(first.box);
      conn.send({ type: 'sent', id: first.id, seq: 6, ts: 1, duplicate: false });
      conn.send({ type: 'sent', id: second.id, seq: 7, ts: 1, duplicate: false });

      cli.type('/who');
      await cli.waitForOutput(/Offline \(0\): -/);
      assert.match(cli.stdout(), /Online \(3\): alice \(you\), bob, carol \(plain text\)/);

      cli.type('/quit');
      await conn.next('bye');
      assert.equal(await cli.exited, 0);
    });

    it('shows a history page', async () => {
      const { cli, conn } = await session();
      cli.type('/history bob 2');
      const request = await conn.next('history');
      assert.deepEqual([request.with, request.limit], ['bob', 2]);
      conn.send({
        type: 'history_page',
        rid: request.rid,
        with: 'bob',
        messages: [
          { type: 'msg', seq: 1, id: 'a', from: 'alice', to: 'bob', ts: Date.now(), text: 'ping' },
          { type: 'msg', seq: 2, id: 'b', from: 'bob', to: 'alice', ts: Date.now(), text: 'pong' },
        ],
        more: true,
      });
      await cli.waitForOutput(/you → bob \[not encrypted\]: ping\n.*bob → you \[not encrypted\]: pong/);
      assert.match(cli.stdout(), /last 2 message\(s\) with bob \(older ones exist\)/);
    });

    it('reports a refused message and an unknown command in plain words', async () => {
      const { cli, conn } = await session();
      cli.type('/frobnicate');
      await cli.waitForOutput(/! unknown command \/frobnicate/);
      cli.type('@nobody hi');
      await cli.waitForOutput(/! not sent to nobody: There is no user with that name/);
      cli.type('@carol hi');
      await cli.waitForOutput(/! not sent to carol: carol uses the plain-text mode and has no key/);
      cli.type('/unencrypted carol hi');
      const frame = await conn.next('send');
      assert.deepEqual([frame.to, frame.text], ['carol', 'hi']);
      conn.send({ type: 'error', code: 'unknown_user', message: 'There is no user with that name. (carol)', id: frame.id, fatal: false });
      await cli.waitForOutput(/! not delivered to carol: There is no user with that name/);
    });

    it('says it is reconnecting when the connection drops, and carries on', async () => {
      const { cli, conn } = await session();
      conn.drop();
      await cli.waitForOutput(/\* connection lost \(.*\); reconnecting in [\d.]+s… \(attempt 1\)/);
      const again = await server.nextConnection(5000);
      await again.acceptLogin();
      await cli.waitForOutput(/\* reconnected/);
      cli.type('/quit');
      assert.equal(await cli.exited, 0);
    });

    it('stops with exit 1 when the same name logs in elsewhere', async () => {
      const { cli, conn } = await session();
      conn.end({ type: 'bye', reason: 'replaced' });
      assert.equal(await cli.exited, 1);
      assert.match(cli.stdout(), /! you logged in from another connection/);
      assert.equal(server.connections.length, 1);
    });

    it('creates the identity key 0600 under $CLASSCHAT_HOME on first use', async function () {
      const { cli } = await session();
      const path = join(home, 'keys', `127.0.0.1-${server.port}`, 'alice.json');
      await cli.waitForOutput(/created your identity key in/);
      if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
      cli.type('/quit');
      await cli.exited;
    });

    it('quits on end of input', async () => {
      const { cli } = await session();
      cli.child.stdin!.end();
      assert.equal(await cli.exited, 0);
    });
  });
});
