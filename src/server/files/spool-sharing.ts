/**
 * A spool directory shared by several server nodes on one PostgreSQL (issue 20): the operator
 * mounts one directory on every node (--files-dir), so an upload to one node is downloaded from
 * another. The directory is the only shared state: a node reads a file's record and counts its
 * whole chunks on disk when it is asked for a file it does not know, or whose state another node
 * may have changed, and while a download waits for chunks another node is writing.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileMeta, metaSchema, SpoolFile } from './spool-file';

/** How often a download waiting on another node's upload looks for new chunks. */
export const SHARED_POLL_MS = 250;

/** Server-made file ids (randomBytes base64url); anything else never names a path. */
const SPOOL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The record of file `id` as the directory holds it now; undefined when there is none (or it is unreadable). */
export async function readSharedMeta(dir: string, id: string, log: (message: string) => void): Promise<FileMeta | undefined> {
  if (!SPOOL_ID.test(id)) return undefined;
  let text: string;
  try {
    text = await readFile(join(dir, `${id}.json`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`could not read file record ${id}: ${String(error)}`);
    return undefined;
  }
  try {
    const parsed = metaSchema.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.file === id) return parsed.data;
  } catch {
    // A record half-replaced cannot be seen (records are renamed into place); this is damage.
  }
  log(`ignoring unreadable file record ${id}`);
  return undefined;
}

/** Whole chunks of `file` readable in the directory (all of them once it is uploaded). */
export async function sharedChunks(partPath: string, file: SpoolFile): Promise<number> {
  if (file.meta.state === 'uploaded') return file.total;
  const size = await stat(partPath).then(
    (info) => info.size,
    () => 0,
  );
  return Math.min(file.total, Math.floor(size / file.meta.chunkBytes));
}

/**
 * Brings a file this node knows up to date with the directory; returns whether anything changed.
 * Chunks never go backwards: what this node wrote itself is already on disk.
 */
export function adoptShared(file: SpoolFile, meta: FileMeta, chunks: number): { changed: boolean; closed: boolean } {
  const wasOpen = file.isOpen;
  let changed = false;
  if (meta.state !== file.meta.state || meta.seq !== file.meta.seq || meta.by !== file.meta.by) {
    file.meta.state = meta.state;
    file.meta.seq = meta.seq;
    if (meta.by !== undefined) file.meta.by = meta.by;
    changed = true;
  }
  if (file.isOpen && chunks > file.uploaded) {
    file.uploaded = chunks;
    file.expected = Math.max(file.expected, chunks);
    file.synced = Math.max(file.synced, chunks);
    changed = true;
  }
  return { changed, closed: wasOpen && !file.isOpen };
}
