/**
 * A file layer for LogStore that can simulate a full disk: while `full` is set, every write puts
 * half its bytes in the file and then fails with ENOSPC, as a real full disk does; with
 * `failSync` too, a write goes through but its fsync fails with ENOSPC (delayed allocation).
 */
import type { StoreFile } from '../../src/server/store/log-store';
import { openStoreFile } from '../../src/server/store/store-file';

export class DiskFullFiles {
  full = false;
  failSync = false;
  /** Writes refused with ENOSPC so far. */
  refused = 0;

  readonly open = async (path: string, flags: number, mode: number): Promise<StoreFile> => {
    const real = await openStoreFile(path, flags, mode);
    return {
      readFile: () => real.readFile(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
      datasync: async () => {
        if (this.full && this.failSync) {
          this.refused++;
          throw enospc('fsync');
        }
        return real.datasync();
      },
      write: (buffer, offset, length, position) => {
        if (!this.full || this.failSync) return real.write(buffer, offset, length, position);
        this.refused++;
        real.write(buffer, offset, Math.ceil(length / 2), position);
        throw enospc('write');
      },
    };
  };
}

function enospc(call: string): Error {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${call} (simulated)`), { code: 'ENOSPC' });
}
