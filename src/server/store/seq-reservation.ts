/**
 * `classchat.seq`: the highest sequence number the store may have handed out (issue 14 item 18).
 * Seqs are reserved in blocks, the file made durable (fsync, rename, directory fsync) before any
 * seq of a block is written to the log, and on open the head is at least the reservation (a clean
 * close writes the exact head, so seqs stay dense across restarts; a crash skips at most a block). A log
 * that lost records (restored from an older copy, a disk that dropped writes) then never hands
 * out a seq again: clients skip seqs they have already seen, so a reused one is a lost message.
 */
import { constants } from 'node:fs';
import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './data-dir-lock';
import { StoreFile, syncDirectory, writeAll } from './store-file';

export const SEQ_FILE = 'classchat.seq';
const SEQ_TEMP_FILE = 'classchat.seq.tmp';
/**
 * Seqs reserved per write of the file: only a crash skips any, at most this many. Blocks of 1,000
 * cost ~4% of a burst's append rate (the file's fsyncs beside the log's); 10,000, nothing measurable.
 */
export const SEQ_BLOCK = 10_000;

export class SeqReservation {
  private reserving: Promise<void> | undefined;

  private constructor(
    private readonly dataDir: string,
    private readonly openFile: (path: string, flags: number, mode: number) => Promise<StoreFile>,
    private reserved: number,
    private readonly block: number,
  ) {}

  /** Reads the reservation; none yet is 0. A damaged file refuses to open rather than guess. */
  static async open(dataDir: string, openFile: (path: string, flags: number, mode: number) => Promise<StoreFile>, block = SEQ_BLOCK): Promise<SeqReservation> {
    const path = join(dataDir, SEQ_FILE);
    await unlink(join(dataDir, SEQ_TEMP_FILE)).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return new SeqReservation(dataDir, openFile, 0, block);
      throw error;
    }
    return new SeqReservation(dataDir, openFile, parseReservation(text, path), block);
  }

  /** Every seq up to this may have been handed out before. */
  get highWater(): number {
    return this.reserved;
  }

  /**
   * Resolves once `seq` is reserved on disk; undefined when it already is (do not await that: an
   * extra turn in every commit cost the store ~12% of its append rate).
   * A failed reservation ahead is not reported here: the commit that needs it tries again and fails.
   */
  cover(seq: number): Promise<void> | undefined {
    if (seq <= this.reserved) {
      // Half a block left: reserve the next one beside the commits, not in one of them.
      if (!this.reserving && seq > this.reserved - this.block / 2) this.reserve(this.reserved + this.block).catch(() => undefined);
      return undefined;
    }
    return this.reserve(seq + this.block);
  }

  /**
   * The store closed cleanly and handed out nothing beyond `head`: the file says exactly that,
   * so a clean restart goes on from `head` (only a crash skips the rest of a block).
   */
  async settle(head: number): Promise<void> {
    while (this.reserving) await this.reserving.catch(() => undefined);
    if (head === this.reserved || head < 0) return;
    await this.write(head);
    this.reserved = head;
  }

  private async reserve(upTo: number): Promise<void> {
    // The store's writer calls one at a time; a second caller just waits for the same write.
    while (this.reserving) await this.reserving.catch(() => undefined);
    if (upTo <= this.reserved) return;
    this.reserving = this.write(upTo);
    try {
      await this.reserving;
      this.reserved = upTo;
    } finally {
      this.reserving = undefined;
    }
  }

  private async write(upTo: number): Promise<void> {
    const temp = join(this.dataDir, SEQ_TEMP_FILE);
    const file = await this.openFile(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      writeAll(file, Buffer.from(`${JSON.stringify({ reserved: upTo })}\n`), 0);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, join(this.dataDir, SEQ_FILE));
    await syncDirectory(this.dataDir);
  }
}

function parseReservation(text: string, path: string): number {
  let reserved: unknown;
  try {
    const parsed: unknown = JSON.parse(text);
    reserved = typeof parsed === 'object' && parsed !== null ? (parsed as { reserved?: unknown }).reserved : undefined;
  } catch {
    reserved = undefined;
  }
  if (typeof reserved === 'number' && Number.isSafeInteger(reserved) && reserved >= 0) return reserved;
  throw new Error(
    `${path} is damaged (${JSON.stringify(text.slice(0, 60))}): the server will not start, because it could hand out ` +
      'sequence numbers clients already have, and they would silently drop those messages. Restore the file from a ' +
      'backup, or write {"reserved":N} into it with N at least the highest seq ever issued (a larger N is safe).',
  );
}
