/**
 * Where an app keeps the highest seq it has shown (ChatClient's `lastSeenSeq`), so its next
 * ChatClient of the same user does not show a message again whose ack never reached the server
 * (connection cut, then the app closed). The CLI uses `FileSeenStore` next to its key file; the
 * VS Code extension keeps it in its global state.
 */
import type { Clock, Timer } from './clock';
import { readPrivateFile, writePrivateFile } from './private-file';

export interface SeenStore {
  /** The saved seq; undefined when nothing was saved yet. */
  load(): Promise<number | undefined>;
  save(seq: number): Promise<void>;
}

export class MemorySeenStore implements SeenStore {
  private seq: number | undefined;

  async load(): Promise<number | undefined> {
    return this.seq;
  }

  async save(seq: number): Promise<void> {
    this.seq = seq;
  }
}

/** A one-number JSON file only its owner may read (0600, written atomically). */
export class FileSeenStore implements SeenStore {
  constructor(readonly path: string) {}

  async load(): Promise<number | undefined> {
    const text = await readPrivateFile(this.path, 'seen file', (message) => new Error(message));
    if (text === undefined) return undefined;
    const seq = parseSeen(text);
    // Losing this only risks showing a message twice: say so, but do not refuse to start.
    if (seq === undefined) throw new Error(`${this.path} is not a ClassChat seen file; remove it (at worst a message is shown twice)`);
    return seq;
  }

  async save(seq: number): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-seen-v1', lastSeenSeq: seq }) + '\n');
  }
}

function parseSeen(text: string): number | undefined {
  try {
    const value = JSON.parse(text) as { format?: unknown; lastSeenSeq?: unknown };
    const seq = value.lastSeenSeq;
    return value.format === 'classchat-seen-v1' && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** The seen file that goes with a key file: `alice.json` → `alice.seen.json` in the same directory. */
export function seenPathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.seen.json');
}

/** Saves the newest seq at most once per `intervalMs` (and at `flush`), one write at a time. */
export class SeenSaver {
  private latest: number | undefined;
  private saved: number | undefined;
  private timer: Timer | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SeenStore,
    private readonly clock: Clock,
    private readonly onError: (error: Error) => void,
    private readonly intervalMs = 1000,
  ) {}

  changed(seq: number): void {
    this.latest = seq;
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.intervalMs);
  }

  /** Writes what is pending now (closing). */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.write();
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const seq = this.latest;
      if (seq === undefined || seq === this.saved) return;
      try {
        await this.store.save(seq);
        this.saved = seq;
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.writing;
  }
}
