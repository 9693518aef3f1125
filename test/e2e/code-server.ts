/**
 * A throwaway code-server (VS Code's workbench and extension host, served to a browser): its own
 * user-data, extensions and config folders, loopback only, no auth. Installed by scripts/e2e.mjs
 * into test/e2e/code-server with the Node 24 it needs (test/e2e/node24).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const E2E = join(__dirname, '..', '..', '..', 'test', 'e2e');
export const NODE24 = join(E2E, 'node24', 'node_modules', 'node', 'bin', 'node');
const CODE_SERVER = join(E2E, 'code-server', 'node_modules', 'code-server');
const ENTRY = join(CODE_SERVER, 'out', 'node', 'entry.js');
/** The VS Code server inside code-server (used directly for the in-editor suite). */
export const VSCODE_SERVER_MAIN = join(CODE_SERVER, 'lib', 'vscode', 'out', 'server-main.js');
const STARTUP_MS = 60_000;

export interface CodeServerOptions {
  /** Parent folder for user-data, extensions and config (a fresh temp dir). */
  root: string;
  vsix: string;
  /** Written to the user's settings.json before start. */
  settings: Record<string, unknown>;
}

export class CodeServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly userDataDir: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    for (const path of [NODE24, ENTRY]) {
      if (!existsSync(path)) throw new Error(`${path} is missing: run the end-to-end test with "npm run test:e2e" (it installs code-server)`);
    }
    const userDataDir = join(options.root, 'user-data');
    await mkdir(join(userDataDir, 'User'), { recursive: true });
    await writeFile(join(userDataDir, 'User', 'settings.json'), JSON.stringify(options.settings, null, 2));
    const common = commonArgs(options.root, userDataDir);
    const env = codeServerEnv(options.root);
    const install = await promisify(execFile)(NODE24, [ENTRY, ...common, '--install-extension', options.vsix], { env, timeout: STARTUP_MS });
    if (!/successfully installed/i.test(install.stdout)) throw new Error(`code-server did not install the VSIX:\n${install.stdout}${install.stderr}`);
    const child = spawn(
      NODE24,
      [ENTRY, ...common, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-workspace-trust', '--disable-update-check', '--disable-getting-started-override'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Port 0: code-server picks a free port and says which.
    const url = (await waitForOutput(child, /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/, 'code-server'))[1]!;
    return new CodeServer(child, url, userDataDir);
  }

  /** The workbench URL with `folder` open. */
  workbenchUrl(folder: string): string {
    return `${this.url}?folder=${encodeURIComponent(folder)}`;
  }

  /** Copies code-server's own output and every VS Code log (extension host, ClassChat channel) into `dir`. */
  async saveLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'code-server.log'), this.output);
    const logs = join(this.userDataDir, 'logs');
    if (existsSync(logs)) await cp(logs, join(dir, 'vscode-logs'), { recursive: true });
  }

  /** The ClassChat output channel's log as written by the extension host ('' if not found). */
  async classChatLog(): Promise<string> {
    const found = await findFiles(join(this.userDataDir, 'logs'), (name) => /ClassChat\.log$/.test(name));
    const texts = await Promise.all(found.map((path) => readFile(path, 'utf8')));
    return texts.join('\n');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function commonArgs(root: string, userDataDir: string): string[] {
  return ['--config', join(root, 'config.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', join(root, 'extensions')];
}

/** code-server writes config and state under XDG folders: keep them in the throwaway root. */
function codeServerEnv(root: string): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: join(root, 'xdg-config'), XDG_DATA_HOME: join(root, 'xdg-data'), XDG_CACHE_HOME: join(root, 'xdg-cache') };
}

/** Resolves with the match once `child` prints `pattern`; kills it if it exits or takes too long. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${STARTUP_MS} ms:\n${seen}`)), STARTUP_MS);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) done(() => resolve(match));
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}) before listening:\n${seen}`));
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    const fail = (error: Error) => done(() => {
      child.kill('SIGKILL');
      reject(error);
    });
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function findFiles(dir: string, wanted: (name: string) => boolean): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && wanted(entry.name)).map((entry) => join(entry.parentPath, entry.name));
}
