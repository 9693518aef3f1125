/**
 * File transfers on the server: offers (stored as messages, so they reach an offline recipient
 * like any private message), uploads into the spool, downloads with a window of unacknowledged
 * chunks and socket backpressure, and the end states. The server sees sizes and ciphertext only.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ClientFrameOf, FileState } from '../../protocol/frames';
import { LIMITS } from '../../protocol/limits';
import { EVERYONE } from '../../protocol/names';
import type { SubmitResult } from '../chat-server-options';
import type { FileDesk, FileRelayServices } from '../server-services';
import type { Connection } from '../connection';
import { frameLine } from '../message-lines';
import { chunkBytes, encodeBinaryChunk, encodeFileChunk } from '../../protocol/codec';
import type { FileSpool } from './file-spool';
import { chunkLength, SpoolFile } from './spool-file';

/** Room for file records inside one server line. */
const STATUS_BUDGET = LIMITS.maxServerLineBytes - 1024;
/** Chunks a sender may have unacknowledged; more are refused rather than buffered. */
const UPLOAD_WINDOW = LIMITS.fileUploadWindowChunks;

class Download {
  reader: FileHandle | undefined;
  next: number;
  acked: number;
  pumping = false;
  stopped = false;

  constructor(
    readonly file: SpoolFile,
    from: number,
    readonly wake: () => void,
  ) {
    this.next = from;
    this.acked = from - 1;
  }
}

export class FileRelay implements FileDesk {
  private readonly downloads = new Map<Connection, Map<string, Download>>();
  /** Files each connection was told are closed (chunks in flight after an end get one answer). */
  private readonly closedNotices = new WeakMap<Connection, Set<string>>();
  private readonly sweepTimer: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly server: FileRelayServices,
    readonly spool: FileSpool,
  ) {
    this.sweepTimer = setInterval(() => void this.sweepExpired(), spool.limits.sweepMs);
    this.sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    for (const connection of [...this.downloads.keys()]) this.disconnected(connection);
  }

  /** A file offer: checked against the limits, reserved in the spool, then stored as a message. */
  async offer(connection: Connection, frame: ClientFrameOf<'send'>, to: string): Promise<SubmitResult & { file?: string }> {
    const from = connection.session!.name;
    const offer = frame.file!;
    if (to === EVERYONE) return { ok: false, code: 'invalid_frame', detail: 'a file goes to one person, not to everyone' };
    if (to === from) return { ok: false, code: 'invalid_frame', detail: 'a file cannot be sent to yourself' };
    const recipient = this.server.roster.get(to);
    if (!recipient) return { ok: false, code: 'unknown_user', detail: to };
    if (recipient.publicKey === null) return { ok: false, code: 'no_key', detail: to };
    const refusal = this.spool.refusal(from, to, offer.size);
    if (refusal) return { ok: false, ...refusal };
    let reserved: SpoolFile;
    try {
      reserved = await this.spool.create({ id: frame.id, from, to, size: offer.size, chunkBytes: offer.chunkBytes, box: frame.box!, ts: this.server.clock.now() });
    } catch (error) {
      this.server.log.error(`could not reserve a file from ${from}: ${String(error)}`);
      return { ok: false, code: 'storage_failed' };
    }
    const result = await this.server.mail.submit(from, {
      id: frame.id,
      to,
      box: frame.box,
      file: { id: reserved.id, size: offer.size, chunkBytes: offer.chunkBytes },
    });
    if (!result.ok || result.duplicate) {
      await this.spool.discard(reserved).catch((error) => this.server.log.error(`could not discard file ${reserved.id}: ${String(error)}`));
      return result.ok ? { ...result, file: result.message.file?.id } : result;
    }
    try {
      await this.spool.attachMessage(reserved, result.message.seq);
    } catch (error) {
      this.server.log.error(`could not record the offer of file ${reserved.id}: ${String(error)}`);
    }
    this.server.log.info(`${from} offered ${to} a file of ${offer.size} bytes (${reserved.id})`);
    return { ...result, file: reserved.id };
  }

  /**
   * Not awaited by the connection: the next chunk is read while this one is written, so writes
   * pipeline and fsyncs batch; the upload window bounds what waits in memory.
   */
  chunk(connection: Connection, frame: ClientFrameOf<'file_chunk'>): void {
    const file = this.ownFile(connection, frame.file, 'from');
    if (!file) return;
    // Acks go to whichever connection is uploading now (the sender may have reconnected).
    file.onDurable = (chunks) => {
      if (connection.isOpen) connection.transport.write(frameLine({ type: 'file_ack', file: file.id, index: chunks - 1 }));
    };
    if (!file.isOpen || file.meta.state !== 'uploading') {
      if (file.meta.state === 'uploaded') return this.ackAfterWrites(connection, file);
      return this.chunkAfterEnd(connection, file);
    }
    if (frame.index < file.expected) return this.ackAfterWrites(connection, file);
    if (frame.index > file.expected) return this.fileError(connection, 'bad_chunk', file, `expected chunk ${file.expected}, got ${frame.index}`);
    if (file.expected - file.synced >= UPLOAD_WINDOW) {
      return this.fileError(connection, 'bad_chunk', file, `more than ${UPLOAD_WINDOW} chunks unacknowledged; wait for file_ack`);
    }
    const data = chunkBytes(frame);
    const length = chunkLength(file.meta.size, file.meta.chunkBytes, frame.index);
    if (data.length !== length) return this.fileError(connection, 'bad_chunk', file, `chunk ${frame.index} must be ${length} bytes, got ${data.length}`);
    this.spool.writeChunk(file, frame.index, data).then(
      (completed) => {
        if (!completed) return;
        this.server.log.info(`file ${file.id} uploaded (${file.meta.size} bytes)`);
        this.announce(file);
      },
      async (error: unknown) => {
        if (!file.isOpen) return;
        this.server.log.error(`could not store a chunk of file ${file.id}: ${String(error)}`);
        connection.sendError('storage_failed', { id: file.id, detail: 'the server could not store the file; the transfer failed' });
        await this.end(file, 'failed', undefined);
      },
    );
  }

  async get(connection: Connection, frame: ClientFrameOf<'file_get'>): Promise<void> {
    await this.spool.find(frame.file);
    const file = this.ownFile(connection, frame.file, 'to');
    if (!file) return;
    if (!file.isOpen) {
      connection.transport.write(this.stateLine(file));
      return;
    }
    if (frame.from > file.total) return this.fileError(connection, 'bad_chunk', file, `the file has ${file.total} chunks`);
    let mine = this.downloads.get(connection);
    if (!mine) this.downloads.set(connection, (mine = new Map()));
    const previous = mine.get(file.id);
    if (previous) this.stopDownload(previous);
    const download: Download = new Download(file, frame.from, () => void this.pump(connection, download));
    mine.set(file.id, download);
    file.listeners.add(download.wake);
    download.wake();
  }

  ack(connection: Connection, frame: ClientFrameOf<'file_ack'>): void {
    const download = this.downloads.get(connection)?.get(frame.file);
    if (!download) return;
    if (frame.index >= download.next) {
      this.fileError(connection, 'bad_chunk', download.file, `chunk ${frame.index} was not sent yet`);
      return;
    }
    download.acked = Math.max(download.acked, frame.index);
    download.wake();
  }

  async done(connection: Connection, frame: ClientFrameOf<'file_done'>): Promise<void> {
    await this.spool.find(frame.file);
    const file = this.ownFile(connection, frame.file, 'to');
    if (!file) return;
    // The last chunk is readable (and may be verified by a quick recipient) while the upload is
    // still being fsynced and marked uploaded: let that finish first.
    if (file.meta.state === 'uploading' && file.uploaded === file.total) await file.writes;
    if (file.meta.state !== 'uploaded') {
      if (!file.isOpen) connection.transport.write(this.stateLine(file));
      else this.fileError(connection, 'bad_chunk', file, 'the file is not completely uploaded yet');
      return;
    }
    this.server.log.info(`file ${file.id} delivered to ${file.meta.to}`);
    await this.end(file, 'delivered', connection.session!.name);
  }

  async cancel(connection: Connection, frame: ClientFrameOf<'file_cancel'>): Promise<void> {
    const name = connection.session!.name;
    await this.spool.find(frame.file);
    const file = this.ownFile(connection, frame.file, 'either');
    if (!file) return;
    if (!file.isOpen) {
      connection.transport.write(this.stateLine(file));
      return;
    }
    // Only the recipient declines; a sender who gives up cancels.
    const state = frame.reason === 'declined' && name !== file.meta.to ? 'cancelled' : frame.reason;
    this.server.log.info(`file ${file.id} ${state} by ${name}`);
    await this.end(file, state, name);
  }

  async status(connection: Connection, frame: ClientFrameOf<'file_status'>): Promise<void> {
    const name = connection.session!.name;
    let files;
    if (frame.file !== undefined) {
      const file = await this.spool.find(frame.file);
      if (!file || (file.meta.from !== name && file.meta.to !== name)) {
        connection.sendError('unknown_file', { rid: frame.rid, detail: frame.file });
        return;
      }
      files = [file.info()];
    } else {
      const blocked = this.server.blocked;
      files = this.spool.listFor(name, LIMITS.maxFileList).filter((info) => !(blocked && info.to === name && blocked(name, info.from)));
    }
    const kept = [];
    let bytes = 0;
    for (const info of files) {
      bytes += JSON.stringify(info).length + 1;
      if (bytes > STATUS_BUDGET) break;
      kept.push(info);
    }
    connection.transport.write(frameLine({ type: 'file_status', rid: frame.rid, files: kept }));
  }

  /** A connection closed: its downloads stop (the receiver resumes with file_get). */
  disconnected(connection: Connection): void {
    const mine = this.downloads.get(connection);
    if (!mine) return;
    this.downloads.delete(connection);
    for (const download of mine.values()) this.stopDownload(download);
  }

  private async pump(connection: Connection, download: Download): Promise<void> {
    if (download.pumping || download.stopped) return;
    download.pumping = true;
    const file = download.file;
    try {
      while (!download.stopped && connection.isOpen && file.isOpen) {
        if (download.next >= file.uploaded || download.next - download.acked > LIMITS.fileWindowChunks) return;
        if (connection.transport.congested) {
          connection.transport.onceDrained(download.wake);
          return;
        }
        download.reader ??= await this.spool.openReader(file);
        const index = download.next;
        const data = await this.spool.readChunk(file, download.reader, index);
        if (download.stopped || !file.isOpen) return;
        download.next = index + 1;
        connection.transport.write(connection.session?.binaryChunks ? encodeBinaryChunk(file.id, index, data) : encodeFileChunk(file.id, index, data));
      }
    } catch (error) {
      if (!download.stopped && file.isOpen) {
        this.server.log.error(`could not read file ${file.id}: ${String(error)}`);
        connection.sendError('storage_failed', { id: file.id, detail: 'the server could not read the file' });
        this.stopDownload(download);
      }
    } finally {
      download.pumping = false;
    }
    // Stopped because the transfer ended: release the reader now rather than at disconnect.
    if (!file.isOpen) this.stopDownload(download);
  }

  private stopDownload(download: Download): void {
    download.stopped = true;
    download.file.listeners.delete(download.wake);
    const reader = download.reader;
    download.reader = undefined;
    void reader?.close().catch(() => undefined);
  }

  private async end(file: SpoolFile, state: Exclude<FileState, 'uploading' | 'uploaded'>, by: string | undefined): Promise<void> {
    // finish() changes the state before its first await. A transfer cut short is told at once,
    // before the clean-up, so a sender hears why its chunks in flight are refused; a delivery
    // (nothing in flight) is told once the server's copy is gone.
    const finishing = this.spool.finish(file, state, by);
    if (state !== 'delivered') this.announce(file);
    try {
      await finishing;
    } catch (error) {
      this.server.log.error(`could not remove file ${file.id}: ${String(error)}`);
    }
    if (state === 'delivered') this.announce(file);
  }

  /**
   * A chunk for a transfer that has ended: the sender may have a window of them in flight when
   * the recipient cancels or declines, so this is no fault of the sender's. One file_closed per
   * file and connection; the rest are dropped.
   */
  private chunkAfterEnd(connection: Connection, file: SpoolFile): void {
    let told = this.closedNotices.get(connection);
    if (!told) this.closedNotices.set(connection, (told = new Set()));
    if (told.has(file.id)) return;
    told.add(file.id);
    connection.sendError('file_closed', { id: file.id, detail: `the transfer is ${file.meta.state}` });
  }

  /** Tells every session of both parties the file's state. */
  private announce(file: SpoolFile): void {
    const line = Buffer.from(this.stateLine(file), 'utf8');
    for (const name of [file.meta.from, file.meta.to]) {
      for (const session of this.server.mail.sessionsOf(name)) if (session.kind === 'json') session.transport.write(line);
    }
  }

  private stateLine(file: SpoolFile): string {
    return frameLine({ type: 'file_state', file: file.id, state: file.meta.state, ...(file.meta.by ? { by: file.meta.by } : {}) });
  }

  private async sweepExpired(): Promise<void> {
    // A sweep slower than the interval (a slow disk) is not run twice at once.
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const file of await this.spool.expire()) this.announce(file);
      await this.spool.closeIdleWriters();
    } catch (error) {
      this.server.log.error(`file expiry sweep failed: ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }

  /** The file, if `connection`'s user is its sender / recipient; otherwise an unknown_file error. */
  private ownFile(connection: Connection, id: string, role: 'from' | 'to' | 'either'): SpoolFile | undefined {
    const name = connection.session!.name;
    const file = this.spool.get(id);
    const isParty = file !== undefined && (role === 'either' ? file.meta.from === name || file.meta.to === name : file.meta[role] === name);
    if (isParty) return file;
    if (!this.server.penalties.penalise(connection)) connection.sendError('unknown_file', { id, detail: `no file ${id} ${role === 'from' ? 'sent by' : 'for'} you` });
    return undefined;
  }

  private ackAfterWrites(connection: Connection, file: SpoolFile): void {
    void file.writes.then(() => {
      if (file.synced > 0) connection.transport.write(frameLine({ type: 'file_ack', file: file.id, index: file.synced - 1 }));
    });
  }

  private fileError(connection: Connection, code: 'bad_chunk' | 'file_closed', file: SpoolFile, detail: string): void {
    if (!this.server.penalties.penalise(connection)) connection.sendError(code, { id: file.id, detail });
  }
}
