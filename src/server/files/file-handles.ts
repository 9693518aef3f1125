/**
 * Write handles of uploads in the spool. An upload holds its `.part` open only while chunks
 * come: one whose sender went quiet (closed the laptop, lost the network) would otherwise keep
 * a descriptor for up to the file's whole lifetime, and enough of them exhaust the server's.
 */
import type { SpoolFile } from './spool-file';

/**
 * Closes `file`'s writer once the writes queued before it are done, if it is still idle then;
 * queued behind the writes, so a chunk that comes later simply reopens the file.
 */
export function closeIdleWriter(file: SpoolFile, stillIdle: () => boolean): Promise<void> {
  const closing = file.writes.then(async () => {
    while (file.syncing) await file.syncing;
    const writer = file.writer;
    // A chunk queued meanwhile would reopen it at once: keep it.
    if (!writer || file.pendingWrites > 0 || !stillIdle()) return;
    file.writer = undefined;
    await writer.close();
  });
  file.writes = closing.then(
    () => undefined,
    () => undefined,
  );
  return closing;
}
