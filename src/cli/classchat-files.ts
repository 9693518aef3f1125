/**
 * File transfers in the interactive client: offers numbered per session, /send, /accept,
 * /decline, /cancel and /files, with progress and completion lines. The transfers themselves
 * (encryption, chunks, resumption) live in src/client.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import type { ChatClient } from '../client/chat-client';
import type { IncomingFile } from '../client/file-download';
import type { FileOfferView, TransferProgress } from '../client/file-transfer-types';
import type { FileStatus } from '../client/file-transfers';
import type { OutgoingFile } from '../client/file-upload';
import { ClassChatError } from '../protocol/errors';
import type { FileState } from '../protocol/frames';
import { describeError, printable } from './classchat-format';
import type { TransferRef } from './classchat-input';
import { formatBytes, formatProgress, percentDone, ProgressThrottle } from './classchat-progress';

/** Where a transfer stands, as this session sees it. */
type Phase = 'offered' | 'receiving' | 'sending' | 'uploaded' | 'closed';

interface Transfer {
  number: number;
  file: string;
  direction: 'in' | 'out';
  peer: string;
  /** Display name, printable (see classchat-format). */
  name: string;
  size: number;
  phase: Phase;
  /** What the last line said about it ("saved to …", "declined by bob"). */
  outcome?: string;
  bytes: number;
  /** The last end the server reported while the transfer was still moving bytes (its own end may come later). */
  seen?: { state: FileState; by: string | undefined };
  active?: OutgoingFile | IncomingFile;
  throttle?: ProgressThrottle;
}

const TERMINAL: ReadonlySet<FileState> = new Set(['delivered', 'declined', 'cancelled', 'failed', 'expired']);

/** "~/x" → the home directory's x; anything else resolved against the current directory. */
export function expandPath(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return resolve(home, path.slice(2));
  return resolve(path);
}

/** `bob offers report.pdf (2.1 MiB) — /accept 3 [dir] or /decline 3`. */
export function formatOffer(number: number, from: string, name: string, size: number): string {
  return `* ${printable(from)} offers ${printable(name)} (${formatBytes(size)}) — /accept ${number} [dir] or /decline ${number}`;
}

export class FileDesk {
  private readonly byFile = new Map<string, Transfer>();
  private readonly byNumber = new Map<number, Transfer>();
  private nextNumber = 1;

  constructor(
    private readonly client: ChatClient,
    private readonly print: (line: string) => void,
    private readonly downloadDir: string,
  ) {}

  /** A file offered to this user: numbered and announced once. */
  offered(offer: FileOfferView): void {
    if (this.byFile.has(offer.file)) return;
    const transfer = this.add(offer.file, 'in', offer.from, offer.name, offer.size, 'offered');
    this.print(formatOffer(transfer.number, offer.from, offer.name, offer.size));
  }

  /** After each login: offers still waiting (also those seen by an earlier session and not answered). */
  async loggedIn(): Promise<void> {
    let files: FileStatus[];
    try {
      files = await this.client.listFiles();
    } catch (error) {
      this.print(`! could not list waiting files: ${describeError(error)}`);
      return;
    }
    // Oldest first, so numbers grow in the order the offers were made.
    for (const status of [...files].reverse()) {
      if (status.to === this.client.name && !TERMINAL.has(status.state)) this.offered(status);
    }
  }

  send(to: string, rawPath: string): void {
    const path = expandPath(rawPath);
    if (to === this.client.name) return this.print('! a file cannot be sent to yourself');
    if (!this.client.roster.has(to)) return this.print(`! there is no user named ${to}; /who lists the class`);
    if (this.client.state !== 'connected') this.print('* offline: the file will be offered when the connection is back');
    this.client.sendFile(to, path).then(
      (upload) => {
        const transfer = this.add(upload.file!, 'out', to, basename(path), upload.size, 'sending', upload);
        this.print(`* sending ${transfer.name} (${formatBytes(upload.size)}) to ${to} as #${transfer.number}; /cancel ${transfer.number} stops it`);
        this.follow(transfer, upload);
        upload.done.then(
          (state) => {
            if (state === 'delivered' || transfer.seen?.state === 'delivered') return this.close(transfer, `${to} received it`, `* ${to} received ${transfer.name} (#${transfer.number})`);
            transfer.phase = 'uploaded';
            transfer.outcome = `on the server, waiting for ${to}`;
            this.print(`* sent ${transfer.name} (#${transfer.number}): the server holds it until ${to} accepts it`);
          },
          (error: unknown) => {
            if (error instanceof ClassChatError && error.code === 'file_closed') {
              // A chunk crossed the other side's decline or cancel: say what the server reports it ended as.
              transfer.phase = 'uploaded';
              if (transfer.seen) this.stateChanged(transfer.file, transfer.seen.state, transfer.seen.by);
              return;
            }
            this.close(transfer, describeError(error), `! #${transfer.number} ${transfer.name}: ${describeError(error)}`);
          },
        );
      },
      (error: unknown) => this.print(`! could not send ${printable(rawPath)} to ${to}: ${describeError(error)}`),
    );
  }

  async accept(ref: TransferRef, rawDir: string | undefined): Promise<void> {
    const transfer = await this.find(ref);
    if (typeof transfer === 'string') return this.print(`! ${transfer}`);
    if (transfer.direction === 'out') return this.print(`! #${transfer.number} is a file you are sending; /cancel ${transfer.number} stops it`);
    if (transfer.phase !== 'offered') return this.print(`! #${transfer.number} ${transfer.name}: ${transfer.phase === 'receiving' ? 'already being received' : (transfer.outcome ?? 'already finished')}`);
    const dir = expandPath(rawDir ?? this.downloadDir);
    transfer.phase = 'receiving';
    await this.receive(transfer, dir);
  }

  async decline(ref: TransferRef): Promise<void> {
    const transfer = await this.find(ref);
    if (typeof transfer === 'string') return this.print(`! ${transfer}`);
    if (transfer.direction === 'out') return this.print(`! #${transfer.number} is a file you are sending; /cancel ${transfer.number} stops it`);
    if (transfer.phase !== 'offered') return this.print(`! #${transfer.number} ${transfer.name}: ${transfer.phase === 'receiving' ? 'being received; /cancel stops it' : (transfer.outcome ?? 'already finished')}`);
    try {
      this.client.declineFile(transfer.file);
      this.close(transfer, 'you declined it', `* declined #${transfer.number} ${transfer.name} from ${transfer.peer}`);
    } catch (error) {
      this.print(`! /decline ${transfer.number}: ${describeError(error)}`);
    }
  }

  async cancel(ref: TransferRef): Promise<void> {
    const transfer = await this.find(ref);
    if (typeof transfer === 'string') return this.print(`! ${transfer}`);
    if (transfer.phase === 'closed') return this.print(`! #${transfer.number} ${transfer.name}: ${transfer.outcome ?? 'already finished'}`);
    try {
      // An active transfer reports its own end (its `done` rejects); otherwise say it here.
      const active = transfer.active?.isActive === true;
      this.client.cancelFile(transfer.file);
      if (!active) this.close(transfer, 'you cancelled it', `* cancelled #${transfer.number} ${transfer.name}`);
    } catch (error) {
      this.print(`! /cancel ${transfer.number}: ${describeError(error)}`);
    }
  }

  /** /files: everything this session numbered, plus what the server still holds for or from this user. */
  async list(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.print(`! could not ask the server about files (${describeError(error)}); showing this session's transfers`);
    }
    if (this.byNumber.size === 0) return this.print('* no file transfers');
    for (const transfer of this.byNumber.values()) this.print(describeTransfer(transfer));
  }

  /** Numbers the transfers the server holds for or from this user that this session has not seen. */
  private async refresh(): Promise<void> {
    const files = await this.client.listFiles();
    for (const status of [...files].reverse()) {
      if (this.byFile.has(status.file) || TERMINAL.has(status.state)) continue;
      const out = status.from === this.client.name;
      this.add(status.file, out ? 'out' : 'in', out ? status.to : status.from, status.name, status.size, out ? (status.state === 'uploaded' ? 'uploaded' : 'sending') : 'offered');
    }
  }

  /** The server reported a state change; active transfers report their own end. */
  stateChanged(file: string, state: FileState, by: string | undefined): void {
    const transfer = this.byFile.get(file);
    if ((transfer?.phase === 'sending' || transfer?.phase === 'receiving') && TERMINAL.has(state)) transfer.seen = { state, by };
    if (!transfer || transfer.phase === 'closed' || transfer.phase === 'sending' || transfer.phase === 'receiving' || !TERMINAL.has(state)) return;
    const who = by === this.client.name ? 'you' : printable(by ?? transfer.peer);
    const what =
      state === 'delivered'
        ? transfer.direction === 'out'
          ? `${transfer.peer} received it`
          : 'received in another session'
        : state === 'expired'
          ? 'expired on the server'
          : state === 'failed'
            ? 'failed'
            : `${state} by ${who}`;
    this.close(transfer, what, `* #${transfer.number} ${transfer.name} ${transfer.direction === 'out' ? 'to' : 'from'} ${transfer.peer}: ${what}`);
  }

  /** Transfers still moving bytes (they stop when the client closes). */
  get activeCount(): number {
    let count = 0;
    for (const transfer of this.byFile.values()) if (transfer.active?.isActive) count++;
    return count;
  }

  private async receive(transfer: Transfer, dir: string): Promise<void> {
    const problem = await stat(dir).then(
      (info) => (info.isDirectory() ? undefined : `${printable(dir)} is not a directory`),
      () => `${printable(dir)} does not exist`,
    );
    if (problem !== undefined) {
      transfer.phase = 'offered';
      return this.print(`! /accept ${transfer.number}: ${problem}`);
    }
    let download: IncomingFile;
    try {
      download = await this.client.acceptFile(transfer.file, dir);
    } catch (error) {
      transfer.phase = 'offered';
      return this.print(`! /accept ${transfer.number}: ${describeError(error)}`);
    }
    transfer.active = download;
    this.print(`* receiving #${transfer.number} ${transfer.name} from ${transfer.peer} into ${printable(dir)}`);
    this.follow(transfer, download);
    download.done.then(
      (path) => this.close(transfer, `saved to ${printable(path)}`, `* saved #${transfer.number} ${transfer.name} from ${transfer.peer} to ${printable(path)}`),
      (error: unknown) => this.close(transfer, describeError(error), `! #${transfer.number} ${transfer.name}: ${describeError(error)}`),
    );
  }

  private follow(transfer: Transfer, active: OutgoingFile | IncomingFile): void {
    transfer.throttle = new ProgressThrottle(false, Date.now);
    active.on('progress', (progress: TransferProgress) => {
      transfer.bytes = progress.bytes;
      if (!transfer.throttle!.shouldShow(progress.bytes, progress.total)) return;
      const label = `  #${transfer.number} ${transfer.direction === 'out' ? `sending ${transfer.name} to` : `receiving ${transfer.name} from`} ${transfer.peer}`;
      this.print(formatProgress({ label, ...progress }));
    });
  }

  private add(file: string, direction: 'in' | 'out', peer: string, name: string, size: number, phase: Phase, active?: OutgoingFile): Transfer {
    const transfer: Transfer = { number: this.nextNumber++, file, direction, peer: printable(peer), name: printable(name), size, phase, bytes: 0, active };
    this.byFile.set(file, transfer);
    this.byNumber.set(transfer.number, transfer);
    return transfer;
  }

  private close(transfer: Transfer, outcome: string, line: string): void {
    if (transfer.phase === 'closed') return;
    transfer.phase = 'closed';
    transfer.outcome = outcome;
    this.print(line);
  }

  /** The transfer a typed number or full id means; a full id this session has not seen is looked up on the server. */
  private async find(ref: TransferRef): Promise<Transfer | string> {
    const known = typeof ref === 'number' ? this.byNumber.get(ref) : this.byFile.get(ref);
    if (known) return known;
    if (typeof ref === 'string') {
      await this.refresh().catch(() => undefined);
      const found = this.byFile.get(ref);
      if (found) return found;
    }
    return typeof ref === 'number' ? `there is no file #${ref} in this session; /files lists them` : `there is no file ${printable(ref)} in this session; /files lists them`;
  }
}

/** One /files row: `#3 ← bob  report.pdf  2.1 MiB  offered: /accept 3 or /decline 3`. */
function describeTransfer(transfer: Transfer): string {
  const arrow = transfer.direction === 'out' ? `→ ${transfer.peer}` : `← ${transfer.peer}`;
  const head = `#${transfer.number} ${arrow}  ${transfer.name}  ${formatBytes(transfer.size)}  (id ${printable(transfer.file)})  `;
  switch (transfer.phase) {
    case 'offered':
      return `${head}offered: /accept ${transfer.number} or /decline ${transfer.number}`;
    case 'sending':
    case 'receiving':
      return `${head}${transfer.phase} ${percentDone(transfer.bytes, transfer.size)}%`;
    default:
      return head + (transfer.outcome ?? transfer.phase);
  }
}
