/**
 * The `postgres` bench target (npm run bench -- --store postgres --nodes N, issue 20): N
 * classchat-server nodes on one private PostgreSQL, all on the server core, their users
 * registered before they start (so every node's roster has them and a message to a user first
 * seen on another node is never refused). The PostgreSQL server itself is not pinned: its CPU is
 * not in the server column.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnNode, stop, waitListening } from './procs.mjs';

const require = createRequire(import.meta.url);

export class PostgresNodes {
  constructor(root, tmp) {
    this.root = root;
    this.tmp = tmp;
    this.databases = 0;
    this.pg = undefined;
  }

  async start() {
    const { TestPostgres } = require(join(this.root, 'out/test/helpers/postgres.js'));
    this.pg = await TestPostgres.start();
  }

  async close() {
    await this.pg?.stop();
  }

  /** A fresh database with every user of `keysFile` registered, and `count` nodes on it. */
  async startNodes(count, keysFile, baseArgs, core) {
    const url = await this.pg.createDatabase(`bench${++this.databases}`);
    const { PostgresStore } = require(join(this.root, 'out/src/server/store/postgres/postgres-store.js'));
    const setup = new PostgresStore({ url });
    await setup.open();
    const users = JSON.parse(readFileSync(keysFile, 'utf8'));
    for (let i = 0; i < users.length; i += 200) await Promise.all(users.slice(i, i + 200).map((u) => setup.putUser({ name: u.name, publicKey: u.publicKey })));
    await setup.close();
    const files = join(this.tmp, `pg-files-${this.databases}`);
    mkdirSync(files, { recursive: true });
    const children = [];
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      const child = spawnNode([...baseArgs, '--store', url, '--data-dir', join(this.tmp, `pg-node-${this.databases}-${i}`), '--files-dir', files], { core, cwd: this.root });
      child.port = await waitListening(child);
      children.push(child);
    }
    return {
      pid: children[0].pid,
      pids: children.map((c) => c.pid),
      port: children[0].port,
      ports: children.map((c) => c.port),
      startSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      stop: () => Promise.all(children.map((c) => stop(c))),
    };
  }
}
