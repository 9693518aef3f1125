/**
 * The temporary file a download is written to, in the folder it will be saved in (so the final
 * move is a rename or link on one file system). Its name is random and it is created
 * exclusively without following symlinks: another local user who can write in that folder
 * cannot plant a link that makes the recipient write through it into one of their own files.
 */
import { randomBytes } from 'node:crypto';
import { constants, open, FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** O_NOFOLLOW does not exist on Windows; O_EXCL alone already refuses an existing link there. */
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);
/** Names tried before giving up: a clash with a random 128-bit name means someone planted it. */
const ATTEMPTS = 16;

export function randomTemporaryName(): string {
  return `.classchat-${randomBytes(16).toString('hex')}.part`;
}

/** Creates a new, empty, private (0600) file in `dir` under a fresh name; never opens one that exists. */
export async function createTemporaryFile(dir: string, nextName: () => string = randomTemporaryName): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const path = join(dir, nextName());
    try {
      return { path, handle: await open(path, CREATE_NEW, 0o600) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ELOOP: O_NOFOLLOW met a symlink (some systems report that instead of EEXIST).
      if ((code !== 'EEXIST' && code !== 'ELOOP') || attempt >= ATTEMPTS) throw error;
    }
  }
}
