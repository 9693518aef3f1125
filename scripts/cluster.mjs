#!/usr/bin/env node
/**
 * npm run cluster -- --nodes 2 [--port 5050]: a local try-out of several ClassChat nodes on one
 * PostgreSQL (issue 20). Starts a private PostgreSQL from the system's packages in a temporary
 * directory (as the postgres user when run as root), then N classchat-server nodes on it on
 * consecutive ports, prints how to connect, and stops and deletes everything on Ctrl+C.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '2' }, port: { type: 'string', default: '5050' } } });
const count = Number(values.nodes);
const firstPort = Number(values.port);
if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error(`--nodes must be 1-16, not ${values.nodes}`);

const root = '/usr/lib/postgresql';
const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
if (versions.length === 0) {
  console.error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): sudo apt-get install postgresql');
  process.exit(1);
}
const bin = join(root, versions[0], 'bin');
const asPostgres = process.getuid?.() === 0;
const tool = (name, args) => {
  const [command, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  execFileSync(command, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
};

const dir = mkdtempSync(join(tmpdir(), 'classchat-cluster-'));
if (asPostgres) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
const data = join(dir, 'data');
const pgPort = await freePort();
const nodes = [];
let stopping = false;

try {
  tool('initdb', ['-D', data, '-U', 'classchat', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  tool('pg_ctl', ['start', '-w', '-D', data, '-l', join(dir, 'postgresql.log'), '-o', `-c listen_addresses=127.0.0.1 -p ${pgPort} -c unix_socket_directories=${dir}`]);
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  throw error;
}
const url = `postgres://classchat@127.0.0.1:${pgPort}/postgres`;
const server = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'classchat-server.js');
for (let i = 0; i < count; i++) {
  const port = firstPort + i;
  const files = join(dir, `node${i + 1}`);
  const child = spawn(process.execPath, [server, '--store', url, '--data-dir', files, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => process.stdout.write(prefix(i, chunk)));
  child.stderr.on('data', (chunk) => process.stderr.write(prefix(i, chunk)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`node ${i + 1} (port ${port}) exited (${code ?? signal})`);
  });
  nodes.push({ child, port });
}
const addresses = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
console.log(`
ClassChat: ${count} node(s) on one PostgreSQL (${url}, data in ${dir})
  connect:  node dist/cli/classchat.js --server ${addresses} --name alice
  one node: nc 127.0.0.1 ${firstPort}   (plain text)
  kill one: kill -9 ${nodes.map((n) => n.child.pid).join(' or ')}   (its clients move to another node)
Ctrl+C stops the nodes and PostgreSQL and deletes ${dir}.
`);

const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(nodes.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))))));
  try {
    tool('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

function prefix(index, chunk) {
  return String(chunk).replace(/^(?=.)/gm, `[node ${index + 1}] `);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
