/**
 * TLS from the command line: `classchat-server gen-cert`, the server's --tls-cert/--tls-key
 * (with clear failures for bad files), and `classchat --tls-fingerprint / --tls-ca / --tls`.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ChatClient } from '../../src/client';
import { MemoryKeyStore } from '../../src/client/key-store';
import type { ReceivedMessage } from '../../src/client/types';
import { parseCli } from '../../src/cli/classchat-options';
import { UsageError } from '../../src/cli/options';
import { fingerprintOfPem } from '../../src/protocol/cert-fingerprint';
import { SERVER_BIN, ServerProcess, spawnServer } from '../helpers/server-process';
import { CliProcess, spawnCli, stopCli } from '../client/helpers/cli-process';
import { until } from '../client/helpers/wait';

const run = promisify(execFile);

async function serverCommand(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SERVER_BIN, ...args]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('classchat options for TLS', () => {
  const parse = (...argv: string[]) => parseCli(argv, { CLASSCHAT_HOME: '/home/test/.classchat' }, () => 'alice');
  const fp = 'ab'.repeat(32);

  it('takes a fingerprint with or without colons and a CA file; each implies TLS', () => {
    const pinned = parse('--tls-fingerprint', fp);
    assert.ok(pinned.kind === 'chat');
    assert.deepEqual(pinned.settings.tls, { fingerprint: 'AB:'.repeat(31) + 'AB' });
    const withCa = parse('--tls-ca', 'certs/ca.pem');
    assert.ok(withCa.kind === 'chat');
    assert.deepEqual(withCa.settings.tls, { caFile: resolve('certs/ca.pem') });
    const system = parse('--tls');
    assert.ok(system.kind === 'chat');
    assert.deepEqual(system.settings.tls, {});
    const plain = parse();
    assert.ok(plain.kind === 'chat' && plain.settings.tls === undefined);
  });

  it('refuses a malformed fingerprint with a usage error', () => {
    assert.throws(() => parse('--tls-fingerprint', 'AB:CD:EF'), (error: unknown) => error instanceof UsageError && /64 hex digits/.test(error.message));
  });
});

describe('TLS on the command line', function () {
  this.timeout(30_000);
  let dir: string;
  const running: Array<ServerProcess | CliProcess> = [];
  const clients: ChatClient[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'classchat-tls-'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    for (const proc of running.splice(0)) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function genCert(...args: string[]): Promise<{ code: number; out: string; certPath: string; keyPath: string }> {
    const out = join(dir, 'tls');
    const result = await serverCommand(['gen-cert', '--out', out, ...args]);
    return { ...result, certPath: join(out, 'cert.pem'), keyPath: join(out, 'key.pem') };
  }

  it('gen-cert writes a certificate and a 0600 key, and prints the fingerprint and the flags to use', async () => {
    const made = await genCert('--host', 'chat.school', '--host', '10.1.2.3', '--days', '30');
    assert.equal(made.code, 0, made.out);
    assert.equal((await stat(made.keyPath)).mode & 0o777, 0o600);
    const certPem = await readFile(made.certPath, 'utf8');
    const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]{95})\n/.exec(made.out)?.[1];
    assert.equal(fingerprint, fingerprintOfPem(certPem));
    const cert = new X509Certificate(certPem);
    for (const name of ['DNS:chat.school', 'IP Address:10.1.2.3', 'DNS:localhost', 'IP Address:127.0.0.1']) assert.ok(cert.subjectAltName?.includes(name), `${name} in ${cert.subjectAltName}`);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(Math.abs(days - 30) < 1, `valid for ${days} days`);
    assert.ok(made.out.includes(`--tls-cert ${made.certPath} --tls-key ${made.keyPath}`), made.out);
    assert.ok(made.out.includes(`npx classchat --host chat.school --tls-fingerprint ${fingerprint}`), made.out);
    assert.ok(made.out.includes(`"classchat.tls.fingerprint": "${fingerprint}"`), made.out);
  });

  it('gen-cert does not overwrite an existing key without --force', async () => {
    const first = await genCert();
    assert.equal(first.code, 0, first.out);
    const before = await readFile(first.keyPath, 'utf8');
    const again = await genCert();
    assert.equal(again.code, 1);
    assert.match(again.out, /already exists; use --force/);
    assert.equal(await readFile(first.keyPath, 'utf8'), before);
    const forced = await genCert('--force');
    assert.equal(forced.code, 0, forced.out);
    assert.notEqual(await readFile(first.keyPath, 'utf8'), before);
    assert.equal((await stat(first.keyPath)).mode & 0o777, 0o600);
  });

  it('gen-cert refuses a bad host or day count with usage', async () => {
    const badHost = await genCert('--host', 'not a host');
    assert.equal(badHost.code, 2);
    assert.match(badHost.out, /--host: "not a host" is not a host name or IP address/);
    const badDays = await genCert('--days', '0');
    assert.equal(badDays.code, 2);
    assert.match(badDays.out, /--days must be from 1 to 3650/);
  });

  it('the server exits with a clear message when a TLS file is missing, not PEM, or not a pair', async () => {
    const made = await genCert();
    const missing = await serverCommand(['--port', '0', '--data-dir', join(dir, 'data'), '--tls-cert', join(dir, 'nope.pem'), '--tls-key', made.keyPath]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /--tls-cert .*nope\.pem: cannot read the certificate \(no such file\)/);
    const garbage = join(dir, 'garbage.pem');
    await writeFile(garbage, 'hello');
    const notPem = await serverCommand(['--port', '0', '--data-dir', join(dir, 'data'), '--tls-cert', made.certPath, '--tls-key', garbage]);
    assert.equal(notPem.code, 1);
    assert.match(notPem.out, /--tls-key .*garbage\.pem: not a PEM private key/);
    const other = await serverCommand(['gen-cert', '--out', join(dir, 'other')]);
    assert.equal(other.code, 0, other.out);
    const mismatch = await serverCommand(['--port', '0', '--data-dir', join(dir, 'data'), '--tls-cert', made.certPath, '--tls-key', join(dir, 'other', 'key.pem')]);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.out, /is not the private key of the certificate/);
    const alone = await serverCommand(['--port', '0', '--tls-cert', made.certPath]);
    assert.equal(alone.code, 2);
    assert.match(alone.out, /--tls-cert and --tls-key go together/);
  });

  it('a TLS server prints its fingerprint; classchat connects by fingerprint or CA file, and without TLS is told why not', async () => {
    const made = await genCert();
    const fingerprint = /SHA-256 fingerprint: ([0-9A-F:]{95})\n/.exec(made.out)![1];
    const server = await spawnServer(['--data-dir', join(dir, 'data'), '--tls-cert', made.certPath, '--tls-key', made.keyPath]);
    running.push(server);
    assert.match(server.output(), /with TLS only/);
    assert.ok(server.output().includes(`--tls-fingerprint ${fingerprint}`), server.output());

    const bob = new ChatClient({ host: '127.0.0.1', port: server.port, name: 'bob', keyStore: new MemoryKeyStore(), tls: { fingerprint } });
    clients.push(bob);
    bob.on('error', () => undefined);
    const got: ReceivedMessage[] = [];
    bob.on('message', (message) => got.push(message));
    await bob.connect();

    const home = join(dir, 'home');
    const cli = (...args: string[]) => {
      const proc = spawnCli(['--port', String(server.port), ...args], { CLASSCHAT_HOME: home });
      running.push(proc);
      return proc;
    };
    const pinned = cli('send', '--name', 'alice', '--tls-fingerprint', fingerprint.replace(/:/g, '').toLowerCase(), '--to', 'bob', 'pinned hello');
    assert.equal(await pinned.exited, 0, pinned.stderr());
    const withCa = cli('send', '--name', 'alice', '--tls-ca', made.certPath, '--to', 'bob', 'CA hello');
    assert.equal(await withCa.exited, 0, withCa.stderr());
    await until(() => got.length === 2, 'two messages at bob', 5000);
    assert.deepEqual(got.map((m) => m.text), ['pinned hello', 'CA hello']);

    const plain = cli('send', '--name', 'alice', '--to', 'bob', 'plain hello');
    assert.equal(await plain.exited, 1);
    assert.match(plain.stderr(), /accepts only TLS connections/);
    const untrusted = cli('send', '--name', 'alice', '--tls', '--to', 'bob', 'untrusted hello');
    assert.equal(await untrusted.exited, 1);
    assert.match(untrusted.stderr(), /not trusted \(self-signed\)/);
    const missingCa = cli('send', '--name', 'alice', '--tls-ca', join(dir, 'none.pem'), '--to', 'bob', 'x');
    assert.equal(await missingCa.exited, 1);
    assert.match(missingCa.stderr(), /--tls-ca .*none\.pem: cannot read the certificate \(no such file\)/);
    await Promise.all([pinned, withCa, plain, untrusted, missingCa].map(stopCli));
  });
});
