/**
 * A throwaway PostgreSQL for tests: initdb in a temporary directory, started on a free port on
 * 127.0.0.1, stopped and deleted by `stop()`. Uses the system's packages
 * (/usr/lib/postgresql/N/bin); as root (CI) it runs them as the `postgres` user, because initdb
 * refuses root. Missing PostgreSQL is an error, never a skip: CI installs it (.ci/run).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const USER = 'classchat';

/** The newest installed PostgreSQL's bin directory. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the PostgreSQL store tests need it. ' +
        'Install it with: sudo apt-get install postgresql (CI does this in .ci/run).',
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

export class TestPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly asPostgres: boolean,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A URL for database `db` on this instance. */
  url(db = 'postgres'): string {
    return `postgres://${USER}@127.0.0.1:${this.port}/${db}`;
  }

  static async start(): Promise<TestPostgres> {
    const bin = postgresBinDir();
    const asPostgres = process.getuid?.() === 0;
    const dir = await mkdtemp(join(tmpdir(), 'classchat-pg-'));
    try {
      if (asPostgres) {
        const ids = await run('id', ['-u', 'postgres']).then(async (uid) => [Number(uid.stdout), Number((await run('id', ['-g', 'postgres'])).stdout)]);
        await chown(dir, ids[0], ids[1]);
      }
      const pg = new TestPostgres(dir, await freePort(), bin, asPostgres);
      await pg.tool('initdb', ['-D', pg.dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
      await pg.startServer();
      return pg;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Starts (again) the server on the same data and port. */
  async startServer(): Promise<void> {
    const options = `-c listen_addresses=127.0.0.1 -p ${this.port} -c unix_socket_directories=${this.dir} -c max_connections=200`;
    await this.tool('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options]);
  }

  /** Stops the server at once, as a crash would (no checkpoint). */
  async stopServer(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.tool('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.dataDir]);
  }

  /** Creates an empty database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.sql(`CREATE DATABASE "${name}"`);
    return this.url(name);
  }

  /** Runs one statement on database `db`. */
  async sql(statement: string, db = 'postgres'): Promise<void> {
    const client = new Client({ connectionString: this.url(db) });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Every row of database `db` as pg_dump writes it (data only): what the database holds. */
  async dump(db: string): Promise<string> {
    const path = join(this.bin, 'pg_dump');
    const args = ['--data-only', '-h', '127.0.0.1', '-p', String(this.port), '-U', USER, db];
    const { stdout } = await run(path, args, { cwd: this.dir, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  }

  /** Stops the server and deletes everything. */
  async stop(): Promise<void> {
    try {
      // Already stopped (a test stopped it and failed before starting it again): nothing to stop.
      if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.stopServer('immediate');
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private async tool(name: string, args: string[]): Promise<void> {
    const path = join(this.bin, name);
    const [command, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(command, argv, { cwd: this.dir, timeout: 120_000 });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${name} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  }
}
