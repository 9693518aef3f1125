/** Runs the built `classchat-server` (dist/) as a child process, as users run it. */
import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const SERVER_BIN = join(__dirname, '..', '..', '..', 'dist', 'cli', 'classchat-server.js');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** `nodeArgs` go to node before the script (e.g. `--expose-gc`, `-r preload.js`). */
export async function spawnServer(args: string[], timeoutMs = 10000, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, SERVER_BIN, '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (data: string) => (out += data));
  child.stderr!.setEncoding('utf8').on('data', (data: string) => (out += data));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs);
    const check = () => {
      const match = /listening on [^\s]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
  return { child, port, output: () => out, exited };
}
