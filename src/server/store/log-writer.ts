/**
 * The only code that touches an open LogStore's log file: records queued while one write is in
 * flight go in the next write and fsync together (group commit), are applied to the index once
 * durable, and the log is compacted beside new commits when mostly dead or when a delete erased
 * content (log-compaction.ts), the compacted file and index then taking the old ones' place.
 */
import { constants } from 'node:fs';
import { Compaction } from './log-compaction';
import type { LogIndex } from './log-index';
import { encodeRecord, LogRecord } from './log-records';
import { StoreFile, writeAll } from './store-file';

/**
 * Compaction rewrites the live records once the log holds this many times as many: each rewrite
 * copies the newest `historyLimit` messages, so at 2 a busy server rewrote about one record for
 * every record it appended; at 4, one for every three, for a log up to 4× its live size.
 */
const COMPACT_RATIO = 4;

interface PendingWrite {
  record: LogRecord;
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface LogWriterParts {
  dataDir: string;
  logPath: string;
  historyLimit: number;
  compactMinRecords: number;
  openFile: (path: string, flags: number, mode: number) => Promise<StoreFile>;
  log: (message: string) => void;
  /** Compaction starts only while the store is open (not while it closes). */
  isOpen(): boolean;
  /** Awaited before each write: the seq reservation must cover what was assigned. */
  beforeCommit(): Promise<void> | undefined;
}

/** The log as recovery left it. */
export interface OpenedLog {
  file: StoreFile;
  index: LogIndex;
  fileSize: number;
  recordCount: number;
}

export class LogWriter {
  /** The index every committed record is applied to (a compaction replaces it). */
  index: LogIndex;
  private file: StoreFile | undefined;
  private fileSize: number;
  private recordCount: number;
  /** Bytes may have been written past `fileSize` by a failed write: cut them before the next. */
  private tailDirty = false;
  private nextCompactionCheck = 0;
  /** A rewrite in progress beside new commits (startCompaction). */
  private compaction: Compaction | undefined;
  /** `index.erasures` when the last compaction started: more since means deleted bytes to erase. */
  private erasuresCompacted = 0;
  private queue: PendingWrite[] = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly parts: LogWriterParts,
    opened: OpenedLog,
  ) {
    this.file = opened.file;
    this.index = opened.index;
    this.fileSize = opened.fileSize;
    this.recordCount = opened.recordCount;
  }

  /** Queues a record; resolves once it is on disk and applied to the index. */
  write(record: LogRecord): Promise<void> {
    const written = this.enqueue(record);
    this.start();
    return written;
  }

  /** Queues without starting the writer (a batch of delayed acks calls `start` once after). */
  enqueue(record: LogRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => this.queue.push({ record, line: encodeRecord(record), resolve, reject }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  /**
   * Resolves once nothing is being written or compacted (close waits for this; tests use it to
   * see a compaction's outcome).
   */
  async settled(): Promise<void> {
    while (this.compaction || this.running) {
      await this.compaction?.written;
      await this.whenIdle();
    }
  }

  /** A delete erased stored content: the log is rewritten at once, so the bytes leave the disk (PROTOCOL.md 20.5). */
  compactIfErased(): void {
    if (!this.compaction && this.parts.isOpen() && this.index.erasures > this.erasuresCompacted) this.startCompaction();
  }

  /** After `settled`: makes the log durable and closes it. */
  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.datasync();
    await file?.close();
  }

  private whenIdle(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  /** One commit or compaction switch at a time. */
  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.compaction?.ready) {
        if (this.compaction?.ready) {
          await this.switchToCompacted();
          // A delete committed while that snapshot was written: its target's bytes are in the new log too.
          this.compactIfErased();
          continue;
        }
        // Everything requested while the previous write was in flight goes in one write + fsync.
        await this.commit(this.queue.splice(0));
        this.compactIfErased();
        if (!this.compaction && this.parts.isOpen() && this.compactionDue()) this.startCompaction();
      }
    } finally {
      // No await between the loop's last check and here, so no record can be stranded.
      this.running = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    const { logPath, log } = this.parts;
    try {
      // Only after a failed compaction on Windows, which had to close the log to replace it.
      this.file ??= await this.parts.openFile(logPath, constants.O_RDWR, 0o600);
      const file = this.file;
      if (this.tailDirty) {
        await file.truncate(this.fileSize);
        this.tailDirty = false;
      }
      const reserving = this.parts.beforeCommit();
      if (reserving) await reserving;
      const bytes = Buffer.from(batch.map((pending) => pending.line).join(''), 'utf8');
      this.tailDirty = true;
      writeAll(file, bytes, this.fileSize);
      await file.datasync();
      this.tailDirty = false;
      this.fileSize += bytes.length;
      this.recordCount += batch.length;
    } catch (error) {
      log(`${logPath}: could not write ${batch.length} record(s): ${String(error)}`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) {
      const problem = this.index.apply(pending.record);
      if (problem) log(`${logPath}: record written but not applied: ${problem}`);
      pending.resolve();
    }
    this.compaction?.committed(batch);
  }

  private compactionDue(): boolean {
    const { compactMinRecords, historyLimit } = this.parts;
    if (this.recordCount < compactMinRecords || this.recordCount < this.nextCompactionCheck) return false;
    // Counting live records is a scan: do it again only after the log grew by an eighth.
    this.nextCompactionCheck = this.recordCount + Math.max(Math.ceil(compactMinRecords / 4), Math.ceil(this.recordCount / 8));
    return this.index.countLive(historyLimit) * COMPACT_RATIO < this.recordCount;
  }

  /**
   * Starts rewriting the log as its live records (a snapshot taken now, between two commits),
   * beside new commits; switchToCompacted finishes it. On failure the current log stays in use.
   */
  private startCompaction(): void {
    const { dataDir, logPath, openFile, log, historyLimit } = this.parts;
    const compaction = new Compaction({ dataDir, logPath, openFile, log }, this.index.liveRecords(historyLimit), this.recordCount);
    this.compaction = compaction;
    this.erasuresCompacted = this.index.erasures;
    void compaction.written.then((ok) => {
      if (!ok) {
        this.compaction = undefined;
        return;
      }
      this.start();
    });
  }

  /** Run between commits: the compacted file, with what was committed meanwhile, replaces the log. */
  private async switchToCompacted(): Promise<void> {
    const compaction = this.compaction!;
    // Windows will not replace a file that is open; elsewhere the old handle simply goes stale.
    const compacted = await compaction.switchOver(async () => {
      if (process.platform === 'win32') await this.closeLogFile();
    });
    this.compaction = undefined;
    if (!compacted) return;
    await this.closeLogFile();
    this.file = compacted.file;
    this.index = compacted.index;
    // The new index counts only the deletes written meanwhile, whose targets the snapshot still had.
    this.erasuresCompacted = 0;
    this.fileSize = compacted.fileSize;
    this.recordCount = compacted.recordCount;
    this.tailDirty = false;
    this.nextCompactionCheck = 0;
  }

  private async closeLogFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close().catch((error: unknown) => this.parts.log(`${this.parts.logPath}: closing the log: ${String(error)}`));
  }
}
