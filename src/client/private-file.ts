/**
 * Small JSON files only their owner may touch (the identity key, the trust pins): written 0600
 * atomically (temp file, fsync, rename, fsync the 0700 directory) so a crash never leaves half a
 * file, and refused on load when group or others have any access (POSIX), like ssh does.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file's text; undefined when it does not exist. `refuse(message)` builds the error for an exposed file. */
export async function readPrivateFile(path: string, what: string, refuse: (message: string) => Error): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw refuse(`${what} ${path} can be read or changed by other users (mode ${octal}); run: chmod 600 "${path}"`);
  }
  return readFile(path, 'utf8');
}

export async function writePrivateFile(path: string, body: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(body, 'utf8');
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  // The umask can only remove bits, but be explicit in case the temp file was pre-created.
  await chmod(temp, 0o600);
  await rename(temp, path);
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
