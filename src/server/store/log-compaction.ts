/**
 * One compaction of LogStore's log, run beside new commits. The live records (a snapshot taken
 * between two commits) are written to a temp file in slices while the store keeps appending to
 * the current log and hands each committed batch here. The store then switches: its writer is
 * held only to add those batches to the temp file, fsync it and rename it over the log. Until
 * the rename the current log is complete and in use, so any failure just leaves it in place.
 */
import { constants } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogIndex } from './log-index';
import { encodeRecord, LogRecord } from './log-records';
import { StoreFile, syncDirectory, writeAll } from './store-file';

export const COMPACT_FILE = 'classchat.log.compact';
/** Records encoded and written per turn of the event loop, so that commits interleave. */
const SLICE_RECORDS = 2000;

export interface CompactionContext {
  dataDir: string;
  logPath: string;
  openFile: (path: string, flags: number, mode: number) => Promise<StoreFile>;
  log: (message: string) => void;
}

/** What the store continues with after a switch. */
export interface CompactedLog {
  file: StoreFile;
  index: LogIndex;
  fileSize: number;
  recordCount: number;
}

export class Compaction {
  /** Settles once the snapshot is written and fsynced (true), or the attempt failed and was cleaned up (false). */
  readonly written: Promise<boolean>;
  /** True once the snapshot is on disk, until a switch is attempted: the store's writer then switches. */
  ready = false;
  private readonly started = performance.now();
  private readonly tempPath: string;
  private readonly index = new LogIndex();
  private temp: StoreFile | undefined;
  private tempSize = 0;
  /** What the store committed to the current log after the snapshot, in commit order. */
  private tail: Array<{ record: LogRecord; line: string }> = [];

  /** `records`: the live records at the snapshot; `recordsBefore`: how many the log held then. */
  constructor(
    private readonly context: CompactionContext,
    private readonly records: readonly LogRecord[],
    private readonly recordsBefore: number,
  ) {
    this.tempPath = join(context.dataDir, COMPACT_FILE);
    this.written = this.writeSnapshot();
  }

  /** A batch the store committed to the current log after the snapshot (in commit order). */
  committed(batch: ReadonlyArray<{ record: LogRecord; line: string }>): void {
    for (const { record, line } of batch) this.tail.push({ record, line });
  }

  /**
   * Adds the batches committed meanwhile, makes them durable and renames the temp file over the
   * log. The store's writer must be held (no commit may run meanwhile). `beforeRename` closes the
   * current log where an open file cannot be replaced (Windows). Undefined: the current log stays.
   */
  async switchOver(beforeRename: () => Promise<void>): Promise<CompactedLog | undefined> {
    const temp = this.temp;
    this.ready = false;
    if (!temp) return undefined;
    try {
      if (this.tail.length > 0) {
        const bytes = Buffer.from(this.tail.map((written) => written.line).join(''), 'utf8');
        writeAll(temp, bytes, this.tempSize);
        this.tempSize += bytes.length;
        await temp.datasync();
      }
      await beforeRename();
      await rename(this.tempPath, this.context.logPath);
    } catch (error) {
      await this.abandon(error);
      return undefined;
    }
    await syncDirectory(this.context.dataDir).catch((error: unknown) => this.context.log(`${this.context.dataDir}: could not fsync the directory after compaction: ${String(error)}`));
    for (const { record } of this.tail) this.index.apply(record);
    const recordCount = this.records.length + this.tail.length;
    this.context.log(
      `${this.context.logPath}: compacted ${this.recordsBefore} records to ${this.records.length} (+ ${this.tail.length} written meanwhile) in ${Math.round(performance.now() - this.started)} ms`,
    );
    return { file: temp, index: this.index, fileSize: this.tempSize, recordCount };
  }

  /** After a failure: reports it, closes and removes the temp file. */
  private async abandon(error: unknown): Promise<void> {
    this.context.log(`${this.context.logPath}: compaction failed, keeping the current log: ${String(error)}`);
    const temp = this.temp;
    this.temp = undefined;
    this.ready = false;
    this.tail = [];
    await temp?.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }

  private async writeSnapshot(): Promise<boolean> {
    try {
      this.temp = await this.context.openFile(this.tempPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o600);
      for (let start = 0; start < this.records.length; start += SLICE_RECORDS) {
        const slice = this.records.slice(start, start + SLICE_RECORDS);
        const bytes = Buffer.from(slice.map(encodeRecord).join(''), 'utf8');
        writeAll(this.temp, bytes, this.tempSize);
        this.tempSize += bytes.length;
        for (const record of slice) this.index.apply(record);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await this.temp.datasync();
      this.ready = true;
      return true;
    } catch (error) {
      await this.abandon(error);
      return false;
    }
  }
}
