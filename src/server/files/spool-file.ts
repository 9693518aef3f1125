/** One file in the server's spool: its durable record (`<id>.json`) and the upload's live state. */
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import type { FileInfo, FileState } from '../../protocol/frames';
import { FILE_STATES } from '../../protocol/frames';

export const metaSchema = z.strictObject({
  file: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  id: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  size: z.number().int().min(1),
  chunkBytes: z.number().int().min(1),
  state: z.enum(FILE_STATES),
  seq: z.number().int().min(0),
  ts: z.number().int().min(0),
  createdAt: z.number().int(),
  box: z.strictObject({ nonce: z.string(), ciphertext: z.string() }),
  by: z.string().optional(),
});
export type FileMeta = z.infer<typeof metaSchema>;

const OPEN_STATES: ReadonlySet<FileState> = new Set(['uploading', 'uploaded']);

export function isOpenState(state: FileState): boolean {
  return OPEN_STATES.has(state);
}

export function chunkCount(size: number, chunkBytes: number): number {
  return Math.ceil(size / chunkBytes);
}

/** Bytes in chunk `index` (all full except the last). */
export function chunkLength(size: number, chunkBytes: number, index: number): number {
  return Math.min(chunkBytes, size - index * chunkBytes);
}

export class SpoolFile {
  /** Chunks written (uploaded in order, so chunks 0..uploaded-1 are on disk). */
  uploaded = 0;
  /** Next chunk index accepted from the sender (ahead of `uploaded` while writes are pending). */
  expected = 0;
  /** Called whenever `uploaded` or the state changes, for downloads waiting on new chunks. */
  readonly listeners = new Set<() => void>();
  /** Chunks known to be on disk (fsynced); only these are acknowledged to the sender. */
  synced = 0;
  pendingWrites = 0;
  /** The fsync in progress, if any. */
  syncing: Promise<void> | undefined;
  /** Told how many chunks are on disk each time that grows (the relay acknowledges them). */
  onDurable: ((chunks: number) => void) | undefined;
  writer: FileHandle | undefined;
  writes: Promise<void> = Promise.resolve();
  /** When the offer was made or loaded, or its last chunk arrived (server clock; not stored). */
  activeAt = 0;

  constructor(readonly meta: FileMeta) {}

  get id(): string {
    return this.meta.file;
  }
  get total(): number {
    return chunkCount(this.meta.size, this.meta.chunkBytes);
  }
  get isOpen(): boolean {
    return isOpenState(this.meta.state);
  }
  /** True once the sender's first chunk has been taken (or found on disk). */
  get started(): boolean {
    return this.expected > 0;
  }
  info(): FileInfo {
    const { file, id, from, to, size, chunkBytes, state, seq, ts, box } = this.meta;
    // Only fsynced chunks count: the sender resumes from here and lets go of everything below it.
    return { file, id, from, to, size, chunkBytes, uploaded: this.synced, state, seq, ts, box };
  }
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
