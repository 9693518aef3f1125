/** `classchat send-file`: offer and upload files, one after the other, and exit once the server holds them. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChatClient } from '../client/chat-client';
import { ChatClientError } from '../client/errors';
import { ClassChatError } from '../protocol/errors';
import type { FileState } from '../protocol/frames';
import { describeError, printable } from './classchat-format';
import { makeClient } from './classchat-connect';
import type { ConnectionSettings } from './classchat-options';
import { formatBytes, formatProgress, ProgressThrottle } from './classchat-progress';

export interface SendFilesJob {
  settings: ConnectionSettings;
  to: string;
  paths: string[];
  /** Limit for connecting, for each offer to be stored, and for any time offline in between. */
  timeoutMs: number;
}

/** Why a path cannot be sent, checked before connecting; undefined when it is a readable regular file. */
export async function checkSendable(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return `${path} is a directory; send-file sends files (pack the folder into an archive first)`;
    if (!info.isFile()) return `${path} is not a regular file`;
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`;
  }
}

/** Runs the job; returns the exit status (0: the server holds every file). */
export async function sendFiles(job: SendFilesJob, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  for (const path of job.paths) {
    const problem = await checkSendable(path);
    if (problem !== undefined) {
      err.write(`classchat: ${printable(problem)}\n`);
      return 1;
    }
  }
  // Like `classchat send`: this login must not acknowledge mail waiting for the interactive client.
  const client = makeClient(job.settings, false);
  client.on('error', () => undefined); // failures that matter reject the steps below
  const guard = new OfflineGuard(client, job.timeoutMs);
  try {
    await guard.within(client.connect(), `could not connect within ${job.timeoutMs / 1000} s`);
    checkRecipient(client, job.to);
    for (const path of job.paths) await sendOne(client, job, path, guard, out);
    return 0;
  } catch (error) {
    err.write(`classchat: ${explain(error, job.to)}\n`);
    return 1;
  } finally {
    guard.dispose();
    await client.close();
  }
}

async function sendOne(client: ChatClient, job: SendFilesJob, path: string, guard: OfflineGuard, out: NodeJS.WriteStream): Promise<void> {
  const name = printable(basename(path));
  const upload = await guard.within(client.sendFile(job.to, path), `the server did not take the offer of ${name} within ${job.timeoutMs / 1000} s`);
  const redraw = out.isTTY === true;
  const throttle = new ProgressThrottle(redraw, Date.now);
  const label = `sending ${name} to ${job.to}`;
  let drawn = false;
  let ended: string | undefined;
  const onState = (file: string, state: FileState, by: string | undefined) => {
    if (file === upload.file && state !== 'uploading' && state !== 'uploaded') ended = by ? `${state} by ${printable(by)}` : state;
  };
  client.on('fileState', onState);
  upload.on('progress', (progress) => {
    if (!throttle.shouldShow(progress.bytes, progress.total)) return;
    const line = formatProgress({ label, ...progress });
    // On a terminal the line is redrawn in place; in a pipe or log each shown step is its own line.
    out.write(redraw ? `\r${line}\x1b[K` : `${line}\n`);
    drawn = redraw;
  });
  try {
    const state = await guard.within(upload.done);
    if (drawn) out.write('\n');
    const where = state === 'delivered' ? `${job.to} received it` : `the server holds it until ${job.to} accepts it (${job.to} is ${client.roster.get(job.to)?.online ? 'online' : 'offline'})`;
    out.write(`sent ${name} (${formatBytes(upload.size)}) to ${job.to}: ${where}\n`);
  } catch (error) {
    if (drawn) out.write('\n');
    // A chunk that crossed a decline or cancel is refused as file_closed: say how the transfer ended.
    if (error instanceof ClassChatError && error.code === 'file_closed' && ended !== undefined) throw new Error(`${name}: ${ended}`);
    throw new Error(`${name}: ${explain(error, job.to)}`);
  } finally {
    client.off('fileState', onState);
  }
}

/** The server lists every registered name in its welcome: refuse an unknown one before offering anything. */
function checkRecipient(client: ChatClient, to: string): void {
  if (to === client.name) throw new Error('a file cannot be sent to yourself');
  if (!client.roster.has(to)) throw new Error(`there is no user named ${to} on this server`);
}

function explain(error: unknown, to: string): string {
  if (error instanceof ChatClientError && error.code === 'key_changed') {
    return `${to}'s key has CHANGED since you first saw it, so nothing is sent. Run classchat, compare safety numbers with /verify ${to}, or /accept-key ${to}.`;
  }
  return describeError(error);
}

/** Fails a step when the client stays offline longer than the timeout (it would otherwise retry forever). */
class OfflineGuard {
  private timer: NodeJS.Timeout | undefined;
  private readonly failed: Promise<never>;
  private fail!: (error: Error) => void;
  private readonly onState: (state: { state: string }) => void;

  constructor(
    private readonly client: ChatClient,
    private readonly timeoutMs: number,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
    this.onState = (state) => {
      if (state.state === 'connected') this.clear();
      else if (state.state === 'reconnecting' && this.timer === undefined) {
        this.timer = setTimeout(() => this.fail(new ChatClientError('timeout', `the connection to the server was lost for over ${timeoutMs / 1000} s`)), timeoutMs);
      } else if (state.state === 'closed') this.fail(new ChatClientError('closed', 'the connection to the server was closed'));
    };
    client.on('state', this.onState);
  }

  /** `work`, unless the client stays offline too long or (with `timeoutText`) `work` itself takes too long. */
  async within<T>(work: Promise<T>, timeoutText?: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const slow =
      timeoutText === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new ChatClientError('timeout', timeoutText)), this.timeoutMs);
          });
    try {
      return await Promise.race([work, this.failed, ...(slow ? [slow] : [])]);
    } finally {
      clearTimeout(timer);
    }
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.clear();
    this.client.off('state', this.onState);
  }
}
