/** Runs the built `classchat` client (dist/) as a child process, as users run it. */
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLIENT_BIN = join(__dirname, '..', '..', '..', '..', 'dist', 'cli', 'classchat.js');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Waits until stdout matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Types a line into the client's stdin. */
  type(line: string): void;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  if (!existsSync(CLIENT_BIN)) throw new Error(`${CLIENT_BIN} is missing: run npm run build first`);
  const child = spawn(process.execPath, [CLIENT_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding('utf8').on('data', (data: string) => {
    out += data;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (data: string) => (err += data));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  void exited.then(notify);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    type: (line) => child.stdin!.write(line + '\n'),
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) done();
          else if (child.exitCode !== null) fail(`exited (${child.exitCode})`);
        };
        const timer = setTimeout(() => fail('timed out'), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const fail = (why: string) => {
          clearTimeout(timer);
          listeners.delete(check);
          reject(new Error(`${why} waiting for ${pattern} in classchat output:\n${out}\nstderr:\n${err}`));
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Kills a still-running client and waits for it to exit. */
export async function stopCli(cli: CliProcess): Promise<void> {
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await cli.exited;
}
