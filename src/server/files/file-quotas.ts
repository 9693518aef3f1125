/**
 * How much the file spool holds at most: per file, per recipient, per sender and in all. Every
 * open file (offered and not yet ended, whether or not its upload has begun) counts in full
 * against all three, so no single party, nor names one sender registers for itself, can fill
 * the disk or block a recipient.
 */
import type { FileMeta } from './spool-file';

export interface FileLimits {
  /** Largest file accepted (default 100 MiB). */
  maxFileBytes: number;
  /** Bytes of open files waiting for one recipient (default 1 GiB). */
  maxRecipientBytes: number;
  /** Bytes of open files one sender has on the server, to all recipients together (default 1 GiB). */
  maxSenderBytes: number;
  /** Bytes of open files on the server in all (default 10 GiB). */
  spoolBudgetBytes: number;
  /** Age after which an undelivered file is deleted (default 7 days). */
  ttlMs: number;
  /** An offer whose upload has not begun this long after it was made (or the server started) expires (default 10 min). */
  startTimeoutMs: number;
  /** An upload with no chunk this long closes its file handle until the next chunk (default 60 s). */
  idleWriterMs: number;
  /** How often expiry and idle uploads are checked (default 10 s). */
  sweepMs: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 100 * 1024 * 1024,
  maxRecipientBytes: 1024 * 1024 * 1024,
  maxSenderBytes: 1024 * 1024 * 1024,
  spoolBudgetBytes: 10 * 1024 * 1024 * 1024,
  ttlMs: 7 * 24 * 3600 * 1000,
  startTimeoutMs: 10 * 60 * 1000,
  idleWriterMs: 60_000,
  sweepMs: 10_000,
};

export interface FileRefusal {
  code: 'file_too_large' | 'quota_exceeded';
  detail: string;
}

/** Bytes of open files per recipient, per sender and in all; kept as files open and end (idempotent per file). */
export class FileQuotas {
  private readonly counted = new Set<string>();
  private readonly byRecipient = new Map<string, number>();
  private readonly bySender = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: FileLimits) {}

  /** Why an offer of `size` bytes from `from` to `to` cannot be taken now. */
  refusal(from: string, to: string, size: number): FileRefusal | undefined {
    const { maxFileBytes, maxRecipientBytes, maxSenderBytes, spoolBudgetBytes } = this.limits;
    if (size > maxFileBytes) return { code: 'file_too_large', detail: `${size} bytes is over this server's limit of ${maxFileBytes} bytes per file` };
    const waiting = this.waitingFor(to);
    if (waiting + size > maxRecipientBytes) {
      return { code: 'quota_exceeded', detail: `recipient quota: ${to} already has ${waiting} bytes of files waiting; the limit is ${maxRecipientBytes} bytes` };
    }
    const sending = this.sentBy(from);
    if (sending + size > maxSenderBytes) {
      return {
        code: 'quota_exceeded',
        detail: `sender quota: you already have ${sending} bytes of files not yet delivered; the limit per sender is ${maxSenderBytes} bytes`,
      };
    }
    if (this.total + size > spoolBudgetBytes) {
      return { code: 'quota_exceeded', detail: `server budget: the server's storage for files is full (${this.total} of ${spoolBudgetBytes} bytes in use); try again later` };
    }
    return undefined;
  }

  /** Counts an open file (created, or found open on disk at start). */
  add(meta: FileMeta): void {
    if (this.counted.has(meta.file)) return;
    this.counted.add(meta.file);
    this.adjust(meta, meta.size);
  }

  /** Stops counting a file that ended or was discarded. */
  remove(meta: FileMeta): void {
    if (!this.counted.delete(meta.file)) return;
    this.adjust(meta, -meta.size);
  }

  waitingFor(name: string): number {
    return this.byRecipient.get(name) ?? 0;
  }

  sentBy(name: string): number {
    return this.bySender.get(name) ?? 0;
  }

  get totalBytes(): number {
    return this.total;
  }

  private adjust(meta: FileMeta, bytes: number): void {
    this.total += bytes;
    addTo(this.byRecipient, meta.to, bytes);
    addTo(this.bySender, meta.from, bytes);
  }
}

function addTo(map: Map<string, number>, name: string, bytes: number): void {
  const value = (map.get(name) ?? 0) + bytes;
  if (value === 0) map.delete(name);
  else map.set(name, value);
}
