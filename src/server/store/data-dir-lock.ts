/**
 * The LOCK file that keeps two servers (or a server and an operator command) from writing one
 * data directory at once. It holds the owner's pid; a lock whose process is gone is stale and is
 * taken over. Two processes racing to take over the same stale lock at the same instant are not
 * excluded: this guards against mistakes, not adversaries.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'LOCK';

/** Data directories held by stores open in this process (the pid alone cannot tell them apart). */
const heldHere = new Set<string>();

/** The pid of the live process holding `dataDir`, or undefined when it is free (or the lock is stale). */
export function isDataDirLocked(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = parsePid(text);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/** Takes the lock or throws "data directory X is in use by process PID". */
export async function acquireDataDirLock(dataDir: string): Promise<void> {
  const key = resolve(dataDir);
  if (heldHere.has(key)) throw new Error(`data directory ${dataDir} is already open in this process`);
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      heldHere.add(key);
      return;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const pid = parsePid(await readFile(path, 'utf8').catch(() => ''));
    // Our own pid in a lock we do not hold is a leftover of an earlier process that had the same
    // pid (common in containers, where the server is always pid 1).
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
      throw new Error(`data directory ${dataDir} is in use by process ${pid}`);
    }
    await unlink(path).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }
  throw new Error(`could not take the lock ${path}: another process keeps creating it`);
}

/** Removes the lock if it is still ours. */
export async function releaseDataDirLock(dataDir: string): Promise<void> {
  heldHere.delete(resolve(dataDir));
  const path = join(dataDir, LOCK_FILE);
  const pid = parsePid(await readFile(path, 'utf8').catch(() => ''));
  if (pid === process.pid) {
    await unlink(path).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }
}

function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[1-9][0-9]{0,9}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

export function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
