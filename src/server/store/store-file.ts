/** The few file operations LogStore needs, kept apart so tests can put faults between them. */
import { open } from 'node:fs/promises';

/** The part of a file handle LogStore uses; node's FileHandle satisfies it. */
export interface StoreFile {
  readFile(): Promise<Buffer>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export function openStoreFile(path: string, flags: number, mode: number): Promise<StoreFile> {
  return open(path, flags, mode);
}

/** Writes all of `bytes` at `position` (positional, so a retry overwrites a failed attempt). */
export async function writeAll(file: StoreFile, bytes: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset, position + offset);
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
