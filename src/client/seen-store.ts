/**
 * Where an app keeps what it has shown: the highest seq (ChatClient's `lastSeenSeq`), so its next
 * ChatClient of the same user does not show a message again whose ack never reached the server
 * (connection cut, then the app closed), and the ids of the encrypted messages shown lately per
 * sender (RecentIds), so a replay by the server after a restart is dropped too. The CLI uses
 * `FileSeenStore` next to its key file; the VS Code extension keeps it in its global state.
 */
import { z } from 'zod';
import { LIMITS } from '../protocol/limits';
import type { Clock, Timer } from './clock';
import { readPrivateFile, writePrivateFile } from './private-file';
import { RECENT_IDS_PER_SENDER, RECENT_IDS_TOTAL, RecentIdsSnapshot } from './recent-ids';

export interface SeenState {
  lastSeenSeq: number;
  /** Absent when saved by a store or client that keeps only the seq. */
  recentIds?: RecentIdsSnapshot;
}

export interface SeenStore {
  /** What was saved (a bare seq from a store that keeps only that); undefined when nothing was saved yet. */
  load(): Promise<SeenState | number | undefined>;
  /** Saves the highest seq shown and the recent ids (a store may keep only the seq: replays after a restart are then shown). */
  save(seq: number, recentIds?: RecentIdsSnapshot): Promise<void>;
}

export class MemorySeenStore implements SeenStore {
  private state: SeenState | undefined;

  async load(): Promise<SeenState | undefined> {
    return this.state && { lastSeenSeq: this.state.lastSeenSeq, ...(this.state.recentIds ? { recentIds: copy(this.state.recentIds) } : {}) };
  }

  async save(seq: number, recentIds?: RecentIdsSnapshot): Promise<void> {
    this.state = { lastSeenSeq: seq, ...(recentIds ? { recentIds: copy(recentIds) } : {}) };
  }
}

function copy(snapshot: RecentIdsSnapshot): RecentIdsSnapshot {
  return snapshot.map(([sender, ids]) => [sender, [...ids]]);
}

const idSchema = z.string().min(1).max(LIMITS.maxClientIdLength);
const seenFileSchema = z.object({
  format: z.literal('classchat-seen-v1'),
  lastSeenSeq: z.number().refine((seq) => Number.isSafeInteger(seq) && seq >= 0),
  // Optional: files written before replays were tracked have none (and older clients ignore it).
  recentIds: z.array(z.tuple([z.string().min(1).max(64), z.array(idSchema).max(RECENT_IDS_PER_SENDER)])).max(RECENT_IDS_TOTAL).optional(),
});

/** A small JSON file only its owner may read (0600, written atomically). */
export class FileSeenStore implements SeenStore {
  constructor(readonly path: string) {}

  async load(): Promise<SeenState | undefined> {
    const text = await readPrivateFile(this.path, 'seen file', (message) => new Error(message));
    if (text === undefined) return undefined;
    const state = parseSeen(text);
    // Losing this only risks showing a message twice: say so, but do not refuse to start.
    if (state === undefined) throw new Error(`${this.path} is not a ClassChat seen file; remove it (at worst a message is shown twice)`);
    return state;
  }

  async save(seq: number, recentIds?: RecentIdsSnapshot): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-seen-v1', lastSeenSeq: seq, ...(recentIds ? { recentIds } : {}) }) + '\n');
  }
}

function parseSeen(text: string): SeenState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = seenFileSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { lastSeenSeq: parsed.data.lastSeenSeq, ...(parsed.data.recentIds ? { recentIds: parsed.data.recentIds } : {}) };
}

/** The seen file that goes with a key file: `alice.json` → `alice.seen.json` in the same directory. */
export function seenPathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.seen.json');
}

/** Saves the newest seq (with the recent ids as they are then) at most once per `intervalMs` (and at `flush`), one write at a time. */
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
    private readonly recentIds: () => RecentIdsSnapshot | undefined = () => undefined,
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
        // Ids change only with a new message, which always brings a new seq: saving on seq changes is enough.
        await this.store.save(seq, this.recentIds());
        this.saved = seq;
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.writing;
  }
}
