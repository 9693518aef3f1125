/** How much the file spool holds at most, per file, per recipient, per sender and in all. */

export interface FileLimits {
  /** Largest file accepted (default 100 MiB). */
  maxFileBytes: number;
  /** Bytes of open files waiting for one recipient (default 1 GiB). */
  maxRecipientBytes: number;
  /** Age after which an undelivered file is deleted (default 7 days). */
  ttlMs: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxFileBytes: 100 * 1024 * 1024,
  maxRecipientBytes: 1024 * 1024 * 1024,
  ttlMs: 7 * 24 * 3600 * 1000,
};
