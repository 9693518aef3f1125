/**
 * "Send File to Classmate…": from the explorer (one or several files), the editor title, a
 * classmate in the tree (classmate preselected) or the command palette (an open dialog). Each
 * file gets a cancellable progress notification; its card shows in the conversation.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { IncomingFile } from '../client/file-download';
import type { OutgoingFile } from '../client/file-upload';
import { percentOf } from '../../webview/file-format';
import type { ChatSession } from './chat-session';
import { fileRecipientPicks } from './classmate-items';
import * as notices from './notices';

/** What the file flows need from the controller. */
export interface FileFlowHost {
  /** The current session, undefined while disconnected. */
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  /** Shows a conversation in the chat view (without moving the focus there). */
  showConversation(name: string): void;
  readonly output: vscode.LogOutputChannel;
}

/** What the command was invoked with: files (from menus) and/or a classmate (from the tree). */
interface SendArguments {
  files: vscode.Uri[];
  to?: string;
}

export class FileSender {
  constructor(private readonly host: FileFlowHost) {}

  /** The command handler: explorer gives (uri, uris[]), the editor title (uri), the tree (name). */
  async run(...args: unknown[]): Promise<void> {
    if (!this.host.session()) {
      const choice = await notices.info('ClassChat: connect before sending a file.', 'Connect');
      if (choice === 'Connect') await this.host.connect();
      return;
    }
    const given = sendArguments(args);
    let uris = given.files;
    if (uris.length === 0) {
      const picked = await notices.openFiles({
        openLabel: 'Send',
        title: given.to ? `ClassChat: send files to ${given.to}` : 'ClassChat: send files to a classmate',
      });
      if (!picked || picked.length === 0) return;
      uris = picked;
    }
    const paths = await this.sendablePaths(uris);
    if (paths.length === 0) return;
    const to = given.to ?? (await this.pickRecipient(paths));
    const session = this.host.session();
    if (to === undefined || !session) return;
    this.host.showConversation(to);
    await Promise.all(paths.map((path) => this.sendOne(session, to, path)));
  }

  /** Regular files on this computer; anything else is reported and left out. */
  private async sendablePaths(uris: readonly vscode.Uri[]): Promise<string[]> {
    const paths: string[] = [];
    for (const uri of uris) {
      if (uri.scheme !== 'file') {
        void notices.error(`ClassChat: ${uri.toString()} is not a file on this computer; save it to disk first.`);
        continue;
      }
      const info = await stat(uri.fsPath).catch(() => undefined);
      if (info?.isFile()) paths.push(uri.fsPath);
      else void notices.error(`ClassChat: ${basename(uri.fsPath)} ${info ? 'is a folder; only files can be sent' : 'cannot be read (was it moved or deleted?)'}.`);
    }
    return paths;
  }

  private async pickRecipient(paths: readonly string[]): Promise<string | undefined> {
    const session = this.host.session();
    if (!session) return undefined;
    const picks = fileRecipientPicks(session.conversations.classmates());
    if (picks.length === 0) {
      void notices.info('ClassChat: nobody in this class can receive files yet.');
      return undefined;
    }
    const what = paths.length === 1 ? basename(paths[0]) : `${paths.length} files`;
    return notices.pick(
      picks.map((p) => ({ ...p, value: p.label })),
      { title: `ClassChat: send ${what} to…`, placeHolder: 'Type a name', matchOnDescription: true },
    );
  }

  /** One file already chosen and named (a pasted or dropped one): same progress and notices. */
  async sendPath(to: string, path: string): Promise<void> {
    const session = this.host.session();
    if (!session) throw new Error('not connected');
    this.host.showConversation(to);
    await this.sendOne(session, to, path);
  }

  private async sendOne(session: ChatSession, to: string, path: string): Promise<void> {
    const name = basename(path);
    const outcome = await runTransfer(
      `Sending ${name} to ${to}`,
      () => session.sendFile(to, path),
      (upload) => upload.done,
      (upload) => {
        if (upload.file !== undefined) cancelTransfer(session, upload.file, this.host.output);
      },
    );
    if (outcome.ok) {
      const offline = session.conversations.classmates().find((c) => c.name === to)?.online !== true;
      const text = outcome.value !== 'delivered' && offline ? `Sent ${name}, stored for ${to}, who is offline` : `Sent ${name} to ${to}`;
      this.host.output.info(text);
      void notices.info(text);
      return;
    }
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    this.host.output.warn(`sending ${path} to ${to}: ${message}`);
    if (outcome.cancelledByUser) void notices.statusMessage(`ClassChat: cancelled sending ${name}`, 4000);
    else void notices.error(`ClassChat: could not send ${name} to ${to}: ${message}`);
  }
}

/** Cancels a transfer, logging (not throwing) when the connection is down. */
export function cancelTransfer(session: ChatSession, file: string, output: vscode.LogOutputChannel): void {
  try {
    session.cancelFile(file);
  } catch (error) {
    output.warn(`cancelling file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function isUri(value: unknown): value is vscode.Uri {
  return typeof value === 'object' && value !== null && 'fsPath' in value && typeof value.fsPath === 'string' && 'scheme' in value && typeof value.scheme === 'string';
}

function sendArguments(args: readonly unknown[]): SendArguments {
  const [first, second] = args;
  if (typeof first === 'string') return { files: [], to: first };
  // Several files selected in the explorer: the second argument lists them all (first included).
  if (Array.isArray(second) && second.length > 0 && second.every(isUri)) return { files: second };
  return { files: isUri(first) ? [first] : [] };
}

export type TransferOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown; cancelledByUser: boolean };

/**
 * One transfer under a cancellable progress notification, in whole percents. A cancel that comes
 * before `start` has given the transfer cancels it as soon as it exists.
 */
export function runTransfer<T extends OutgoingFile | IncomingFile, R>(
  title: string,
  start: () => Promise<T>,
  done: (transfer: T) => Promise<R>,
  cancel: (transfer: T) => void,
): Thenable<TransferOutcome<R>> {
  return notices.progress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let transfer: T | undefined;
    let cancelled = false;
    const subscription = token.onCancellationRequested(() => {
      cancelled = true;
      if (transfer) cancel(transfer);
    });
    try {
      transfer = await start();
      if (cancelled) cancel(transfer);
      let reported = 0;
      transfer.on('progress', (p) => {
        const percent = percentOf(p.bytes, p.total);
        if (percent <= reported) return;
        progress.report({ increment: percent - reported, message: `${percent}%` });
        reported = percent;
      });
      return { ok: true, value: await done(transfer) };
    } catch (error) {
      return { ok: false, error, cancelledByUser: cancelled && errorCode(error) === 'cancelled' };
    } finally {
      subscription.dispose();
    }
  });
}
