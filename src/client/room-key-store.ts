/**
 * Where a client keeps its room sender keys (RoomKeys.toJSON: its own and those members handed
 * it). Secret like the identity key: whoever reads it opens the room messages its keys cover. The
 * CLI uses `FileRoomKeyStore` next to its key file; tests use `MemoryRoomKeyStore`.
 */
import { z } from 'zod';
import { readPrivateFile, writePrivateFile } from './private-file';

export interface RoomKeyStore {
  /** What was saved (checked by RoomKeys.fromJSON); undefined when nothing was saved yet. */
  load(): Promise<unknown>;
  /** Replaces the saved state, durably. */
  save(state: unknown): Promise<void>;
}

export class MemoryRoomKeyStore implements RoomKeyStore {
  private state: string | undefined;

  async load(): Promise<unknown> {
    return this.state === undefined ? undefined : JSON.parse(this.state);
  }

  async save(state: unknown): Promise<void> {
    // A copy, as a file would keep it: later changes to the keys do not reach what was saved.
    this.state = JSON.stringify(state);
  }
}

/** A damaged or exposed room-key file. Never reset silently: that would forget every room's keys. */
export class RoomKeyFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'RoomKeyFileError';
  }
}

// The keys themselves are checked by RoomKeys.fromJSON.
const roomKeyFileSchema = z.object({ format: z.literal('classchat-room-keys-v1'), keys: z.unknown() });

/** The room keys as a JSON file only its owner may read (0600, written atomically). */
export class FileRoomKeyStore implements RoomKeyStore {
  constructor(readonly path: string) {}

  async load(): Promise<unknown> {
    const text = await readPrivateFile(this.path, 'room key file', (message) => new RoomKeyFileError(this.path, message));
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new RoomKeyFileError(this.path, `room key file ${this.path} is not valid JSON; remove it to start over (rooms' earlier messages then stay unreadable)`);
    }
    const parsed = roomKeyFileSchema.safeParse(value);
    if (!parsed.success) throw new RoomKeyFileError(this.path, `${this.path} is not a ClassChat room key file`);
    return parsed.data.keys;
  }

  async save(state: unknown): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-room-keys-v1', keys: state }) + '\n');
  }
}

/** The room key file that goes with a key file: `alice.json` → `alice.rooms.json` in the same directory. */
export function roomKeysPathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.rooms.json');
}
