/**
 * Keeps the room keys saved: the sender keys (RoomKeys.toJSON) and the rooms whose key must be
 * rotated before the next send (a member left while this user was about to send: forgetting
 * that over a restart would send under a key the departed member holds). Saves never overlap;
 * changes made while one runs share the next.
 */
import { z } from 'zod';
import type { RoomKeys } from '../crypto/sender-keys';
import { ChatClientError } from './errors';
import type { RoomKeyStore } from './room-key-store';
import { toError } from './rules';

const savedSchema = z.strictObject({ version: z.literal(1), keys: z.unknown(), rotate: z.array(z.string().min(1).max(32)).max(1000) });
export type SavedRoomKeys = z.infer<typeof savedSchema>;

export class RoomKeyPersistence {
  private keys: RoomKeys | undefined;
  private readonly rotate = new Set<string>();
  private saving: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly store: RoomKeyStore,
    /** Failures of saves nobody awaits. */
    private readonly onSaveError: (error: Error) => void,
  ) {}

  /** What was saved; undefined when nothing was. Throws ChatClientError room_keys_failed. */
  async load(): Promise<SavedRoomKeys | undefined> {
    let value: unknown;
    try {
      await this.flush();
      value = await this.store.load();
    } catch (error) {
      throw new ChatClientError('room_keys_failed', `could not load the room keys: ${toError(error).message}`);
    }
    if (value === undefined) return undefined;
    const parsed = savedSchema.safeParse(value);
    if (!parsed.success) throw new ChatClientError('room_keys_failed', 'the saved room keys are not in a known format; remove the room key file to start over');
    return parsed.data;
  }

  /** The keys to save from now on (undefined: closed, nothing more is saved). */
  attach(keys: RoomKeys | undefined, rotate: readonly string[]): void {
    this.keys = keys;
    this.rotate.clear();
    for (const room of rotate) this.rotate.add(room);
  }

  rotationDue(room: string): boolean {
    return this.rotate.has(room);
  }

  markRotation(room: string): void {
    if (this.rotate.has(room)) return;
    this.rotate.add(room);
    this.changed();
  }

  /** `room`'s sender key was just replaced or forgotten. */
  rotated(room: string): void {
    this.rotate.delete(room);
    this.changed();
  }

  /** The keys changed (a chain moved, a key arrived): save soon. */
  changed(): void {
    this.persist().catch((error: unknown) => this.onSaveError(toError(error)));
  }

  /** Closed: saves the keys as they are now (they may be wiped right after), then nothing more. */
  close(): Promise<void> {
    const keys = this.keys;
    const state: SavedRoomKeys | undefined = keys && { version: 1, keys: keys.toJSON(), rotate: [...this.rotate] };
    this.keys = undefined;
    this.queued = undefined;
    if (state) this.saving = this.saving.catch(() => undefined).then(() => this.store.save(state));
    const done = this.saving;
    done.catch((error: unknown) => this.onSaveError(toError(error)));
    return done.catch(() => undefined);
  }

  /** Waits for the pending saves. */
  async flush(): Promise<void> {
    await this.saving.catch(() => undefined);
  }

  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.saving
      .catch(() => undefined)
      .then(async () => {
        this.queued = undefined;
        const keys = this.keys;
        if (!keys) return;
        const state: SavedRoomKeys = { version: 1, keys: keys.toJSON(), rotate: [...this.rotate] };
        await this.store.save(state);
      });
    this.queued = next;
    this.saving = next;
    return next;
  }
}
