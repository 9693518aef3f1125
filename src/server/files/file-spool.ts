/**
 * The server's file spool: each offered file's ciphertext in `<dir>/<id>.part` and its state in
 * `<id>.json`. The bytes go through disk whether or not the recipient is online, so a transfer
 * survives either side reconnecting and the server restarting, and memory stays bounded by
 * chunks in flight, never by file size. Chunks are acknowledged once written; the file is
 * fsynced before it counts as uploaded, and after a crash the upload resumes from the whole
 * chunks found on disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box, FileInfo, FileState } from '../../protocol/frames';
import { syncDirectory } from '../store/store-file';
import { closeIdleWriter } from './file-handles';
import { DEFAULT_FILE_LIMITS, FileLimits, FileQuotas, FileRefusal } from './file-quotas';
import { chunkLength, FileMeta, isOpenState, metaSchema, SpoolFile } from './spool-file';
import { adoptShared, readSharedMeta, SHARED_POLL_MS, sharedChunks } from './spool-sharing';

/** Chunks written between fsyncs while a sender keeps its window full (2 MiB of 64 KiB chunks). */
const SYNC_EVERY = 32;
/** In a shared directory, a temporary record this old was left by a node that crashed while writing it. */
const STALE_TEMP_MS = 60_000;

export interface SpoolSharing {
  /** Other nodes use the same directory (spool-sharing.ts). */
  shared?: boolean;
}

export class FileSpool {
  readonly limits: FileLimits;
  private readonly files = new Map<string, SpoolFile>();
  private readonly quotas: FileQuotas;
  private readonly shared: boolean;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    readonly dir: string,
    limits: Partial<FileLimits> = {},
    private readonly now: () => number = Date.now,
    private readonly log: (message: string) => void = () => {},
    sharing: SpoolSharing = {},
  ) {
    this.limits = { ...DEFAULT_FILE_LIMITS, ...limits };
    this.quotas = new FileQuotas(this.limits);
    this.shared = sharing.shared === true;
  }

  /** Loads every file's state and counts the open ones against the quotas; cuts partial chunks left by a crash. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const entry of await readdir(this.dir)) {
      if (entry.endsWith('.tmp') && (await this.isOwnOrStaleTemp(entry))) await rm(join(this.dir, entry), { force: true });
      if (!entry.endsWith('.json')) continue;
      const meta = await this.readMeta(entry);
      if (!meta) continue;
      const file = new SpoolFile(meta);
      // An offer not yet started gets a whole start window after a restart, however long the server was down.
      file.activeAt = this.now();
      this.files.set(file.id, file);
      // Another node may be writing a shared file now: count its chunks, cut nothing.
      if (file.isOpen && this.shared) adoptShared(file, file.meta, await sharedChunks(this.partPath(file.id), file));
      else if (file.isOpen) await this.recover(file);
      if (file.isOpen) this.quotas.add(file.meta);
    }
    await this.expire();
    if (this.shared) {
      this.poller = setInterval(() => void this.pollWaitingDownloads(), SHARED_POLL_MS);
      this.poller.unref();
    }
  }

  /**
   * The file as the spool directory has it now: with a shared directory another node may have
   * created it, or uploaded, delivered or cancelled it, since this node last looked.
   */
  async find(id: string): Promise<SpoolFile | undefined> {
    const known = this.files.get(id);
    if (!this.shared || (known && (known.writer || known.pendingWrites > 0))) return known;
    const meta = await readSharedMeta(this.dir, id, this.log);
    if (!meta) return known;
    const current = this.files.get(id);
    if (current) {
      await this.refresh(current, meta);
      return current;
    }
    const file = new SpoolFile(meta);
    file.activeAt = this.now();
    if (file.isOpen) adoptShared(file, meta, await sharedChunks(this.partPath(id), file));
    if (this.files.has(id)) return this.files.get(id);
    this.files.set(id, file);
    if (file.isOpen) this.quotas.add(file.meta);
    return file;
  }

  private async refresh(file: SpoolFile, meta: FileMeta): Promise<void> {
    const chunks = meta.state === 'uploaded' ? file.total : isOpenState(meta.state) ? await sharedChunks(this.partPath(file.id), file) : 0;
    const { changed, closed } = adoptShared(file, meta, chunks);
    if (closed) this.quotas.remove(file.meta);
    if (changed) file.notify();
  }

  /** Downloads on this node waiting for chunks another node is writing. */
  private async pollWaitingDownloads(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const file of [...this.files.values()]) {
        if (file.listeners.size > 0 && file.isOpen && !file.writer && file.pendingWrites === 0) await this.find(file.id);
      }
    } finally {
      this.polling = false;
    }
  }

  private async isOwnOrStaleTemp(entry: string): Promise<boolean> {
    if (!this.shared) return true;
    const modified = await stat(join(this.dir, entry)).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    return Date.now() - modified > STALE_TEMP_MS;
  }

  /** Closes open writers; the on-disk state is already complete. */
  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    for (const file of this.files.values()) {
      await file.writes.catch(() => undefined);
      await file.writer?.close().catch(() => undefined);
      file.writer = undefined;
    }
  }

  get(id: string): SpoolFile | undefined {
    return this.files.get(id);
  }

  /** Open and recently closed files where `name` is sender or recipient, newest first. */
  listFor(name: string, limit: number): FileInfo[] {
    const mine = [...this.files.values()].filter((file) => file.meta.from === name || file.meta.to === name);
    mine.sort((a, b) => b.meta.createdAt - a.meta.createdAt);
    return mine.slice(0, limit).map((file) => file.info());
  }

  /** Why an offer cannot be taken, checked before any upload starts (and before create, with no await between). */
  refusal(from: string, to: string, size: number): FileRefusal | undefined {
    return this.quotas.refusal(from, to, size);
  }

  /** Reserves a new file, counted against the quotas at once (durably recorded before the offer message is stored). */
  async create(input: { id: string; from: string; to: string; size: number; chunkBytes: number; box: Box; ts: number }): Promise<SpoolFile> {
    const id = randomBytes(16).toString('base64url');
    const file = new SpoolFile({ file: id, ...input, state: 'uploading', seq: 0, createdAt: this.now() });
    file.activeAt = this.now();
    this.files.set(id, file);
    this.quotas.add(file.meta);
    try {
      await (await open(this.partPath(id), 'w', 0o600)).close();
      await this.writeMeta(file);
    } catch (error) {
      this.files.delete(id);
      this.quotas.remove(file.meta);
      await this.removeFiles(id);
      throw error;
    }
    return file;
  }

  /** Records the offer message's sequence number once it is stored. */
  async attachMessage(file: SpoolFile, seq: number): Promise<void> {
    file.meta.seq = seq;
    await this.writeMeta(file);
  }

  /** Forgets a reservation whose offer message was never stored (or was a duplicate). */
  async discard(file: SpoolFile): Promise<void> {
    this.files.delete(file.id);
    this.quotas.remove(file.meta);
    await file.writer?.close().catch(() => undefined);
    await this.removeFiles(file.id);
  }

  /**
   * Writes chunk `index` (chunks come in order; the caller checks `expected` and lengths first);
   * resolves true when it completed the upload. Durability is reported apart, through
   * `file.onDurable`: an fsync runs beside the writes every SYNC_EVERY chunks (or when the sender
   * pauses), so acknowledged chunks survive a crash and a resumed upload never needs a chunk the
   * sender has already let go of, while writing never waits for the disk to flush.
   */
  writeChunk(file: SpoolFile, index: number, data: Buffer): Promise<boolean> {
    file.expected = index + 1;
    file.activeAt = this.now();
    file.pendingWrites++;
    const done = file.writes.then(async () => {
      try {
        if (!file.isOpen) throw new Error('the transfer has ended');
        file.writer ??= await open(this.partPath(file.id), 'r+');
        await writeAll(file.writer, data, index * file.meta.chunkBytes);
      } finally {
        file.pendingWrites--;
      }
      // The transfer may have been cancelled while this chunk was being written.
      if (!file.isOpen) throw new Error('the transfer has ended');
      file.uploaded = index + 1;
      if (file.uploaded === file.total) {
        await this.completeUpload(file);
        return true;
      }
      file.notify();
      this.syncSoon(file);
      return false;
    });
    // A failed write leaves the chain usable; the caller fails the transfer.
    file.writes = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /** Starts an fsync if enough is unflushed (or the sender paused) and none is running. */
  private syncSoon(file: SpoolFile): void {
    const writer = file.writer;
    // The last chunk is flushed by completeUpload.
    if (file.syncing || !writer || file.uploaded === file.synced || file.uploaded >= file.total) return;
    if (file.pendingWrites > 0 && file.uploaded - file.synced < SYNC_EVERY) return;
    const target = file.uploaded;
    file.syncing = writer.datasync().then(
      () => {
        file.syncing = undefined;
        if (!file.isOpen || target <= file.synced) return;
        file.synced = target;
        file.onDurable?.(target);
        this.syncSoon(file);
      },
      (error: unknown) => {
        file.syncing = undefined;
        this.log(`fsync of file ${file.id} failed: ${String(error)}`);
      },
    );
  }

  private async completeUpload(file: SpoolFile): Promise<void> {
    while (file.syncing) await file.syncing;
    const writer = file.writer!;
    await writer.sync();
    await writer.close();
    file.writer = undefined;
    if (!file.isOpen) throw new Error('the transfer has ended');
    file.meta.state = 'uploaded';
    await this.writeMeta(file);
    file.synced = file.uploaded;
    file.onDurable?.(file.synced);
    file.notify();
  }

  /** Reads chunk `index` through `reader` (one handle per download). */
  async readChunk(file: SpoolFile, reader: FileHandle, index: number): Promise<Buffer> {
    const length = chunkLength(file.meta.size, file.meta.chunkBytes, index);
    const buffer = Buffer.allocUnsafe(length);
    let offset = 0;
    while (offset < length) {
      const { bytesRead } = await reader.read(buffer, offset, length - offset, index * file.meta.chunkBytes + offset);
      if (bytesRead === 0) throw new Error(`chunk ${index} of ${file.id} is missing on disk`);
      offset += bytesRead;
    }
    return buffer;
  }

  openReader(file: SpoolFile): Promise<FileHandle> {
    return open(this.partPath(file.id), 'r');
  }

  /** Ends a transfer: the ciphertext is deleted, a small record of the outcome stays until expiry. */
  async finish(file: SpoolFile, state: Exclude<FileState, 'uploading' | 'uploaded'>, by?: string): Promise<void> {
    if (!file.isOpen) return;
    file.meta.state = state;
    this.quotas.remove(file.meta);
    if (by !== undefined) file.meta.by = by;
    file.notify();
    await file.writes.catch(() => undefined);
    while (file.syncing) await file.syncing;
    await file.writer?.close().catch(() => undefined);
    file.writer = undefined;
    await rm(this.partPath(file.id), { force: true });
    await this.writeMeta(file).catch((error) => this.log(`could not record that file ${file.id} was ${state}: ${String(error)}`));
  }

  /**
   * Ends files older than the time limit and offers whose upload never began, and forgets old
   * outcome records; returns the files that expired now so their parties can be told.
   */
  async expire(): Promise<SpoolFile[]> {
    const now = this.now();
    const cutoff = now - this.limits.ttlMs;
    const expired: SpoolFile[] = [];
    // Another node may have ended a shared file: expiring it here would overwrite its outcome.
    if (this.shared) for (const file of [...this.files.values()]) if (file.isOpen) await this.find(file.id);
    for (const file of [...this.files.values()]) {
      const neverStarted = file.isOpen && !file.started && now - file.activeAt >= this.limits.startTimeoutMs;
      if (file.meta.createdAt > cutoff && !neverStarted) continue;
      if (file.isOpen) {
        await this.finish(file, 'expired');
        expired.push(file);
        this.log(`file ${file.id} from ${file.meta.from} to ${file.meta.to} expired ${neverStarted ? 'before its upload began' : 'undelivered'}`);
      } else {
        this.files.delete(file.id);
        await this.removeFiles(file.id);
      }
    }
    return expired;
  }

  /** Closes the file handles of uploads that had no chunk for `idleWriterMs`; the next chunk reopens. */
  async closeIdleWriters(): Promise<void> {
    const idle = (file: SpoolFile) => this.now() - file.activeAt >= this.limits.idleWriterMs;
    const closing = [...this.files.values()].filter((file) => file.writer && file.pendingWrites === 0 && idle(file));
    await Promise.all(closing.map((file) => closeIdleWriter(file, () => idle(file))));
  }

  /** Uploads holding a file handle now. */
  get openWriterCount(): number {
    let count = 0;
    for (const file of this.files.values()) if (file.writer) count++;
    return count;
  }

  /** Bytes of open files for `name` as recipient, as sender, and in all. */
  usage(name: string): { waiting: number; sending: number; total: number } {
    return { waiting: this.quotas.waitingFor(name), sending: this.quotas.sentBy(name), total: this.quotas.totalBytes };
  }

  private async recover(file: SpoolFile): Promise<void> {
    const path = this.partPath(file.id);
    const onDisk = await stat(path).then(
      (info) => info.size,
      () => -1,
    );
    if (onDisk < 0 || (file.meta.state === 'uploaded' && onDisk !== file.meta.size)) {
      this.log(`file ${file.id}: its data is missing or short after a restart; marking it failed`);
      file.meta.state = 'failed';
      await rm(path, { force: true });
      await this.writeMeta(file);
      return;
    }
    const whole = file.meta.state === 'uploaded' ? file.total : Math.floor(onDisk / file.meta.chunkBytes);
    const keep = Math.min(onDisk, whole * file.meta.chunkBytes);
    if (keep < onDisk) await truncate(path, keep);
    file.uploaded = whole;
    file.expected = whole;
    file.synced = whole;
  }

  private async readMeta(entry: string): Promise<FileMeta | undefined> {
    try {
      const parsed = metaSchema.safeParse(JSON.parse(await readFile(join(this.dir, entry), 'utf8')));
      if (parsed.success) return parsed.data;
      this.log(`ignoring unreadable file record ${entry}: ${parsed.error.issues[0]?.message}`);
    } catch (error) {
      this.log(`ignoring unreadable file record ${entry}: ${String(error)}`);
    }
    return undefined;
  }

  /** Atomic replace: a crash leaves the old or the new record, never half of one. */
  private async writeMeta(file: SpoolFile): Promise<void> {
    const path = join(this.dir, `${file.id}.json`);
    // Unique per write: nodes sharing the directory may write one record at once.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(file.meta));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    await syncDirectory(this.dir);
  }

  private async removeFiles(id: string): Promise<void> {
    await rm(this.partPath(id), { force: true });
    await rm(join(this.dir, `${id}.json`), { force: true });
  }

  private partPath(id: string): string {
    return join(this.dir, `${id}.part`);
  }
}

/** Writes all of `data` at `position` through the thread pool (chunks are big: keep them off the event loop). */
async function writeAll(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset, position + offset);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}
