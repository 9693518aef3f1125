/** The few file operations LogStore needs, kept apart so tests can put faults between them. */
import { writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** The part of a file handle LogStore uses. */
export interface StoreFile {
  readFile(): Promise<Buffer>;
  /**
   * Synchronous: a write only reaches the page cache (microseconds), while a trip through the
   * thread pool waits for the event loop to come round, which under fan-out load took ~1 ms
   * (half of a commit's latency). Durability waits for `datasync`, which stays asynchronous.
   */
  write(buffer: Buffer, offset: number, length: number, position: number): number;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export async function openStoreFile(path: string, flags: number, mode: number): Promise<StoreFile> {
  const handle = await open(path, flags, mode);
  return {
    readFile: () => handle.readFile(),
    write: (buffer, offset, length, position) => writeSync(handle.fd, buffer, offset, length, position),
    datasync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
  };
}

/** Writes all of `bytes` at `position` (positional, so a retry overwrites a failed attempt). */
export function writeAll(file: StoreFile, bytes: Buffer, position: number): void {
  let offset = 0;
  while (offset < bytes.length) {
    const bytesWritten = file.write(bytes, offset, bytes.length - offset, position + offset);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}

/** Makes a rename durable. Windows cannot open a directory for fsync, and does not need to. */
export async function syncDirectory(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
