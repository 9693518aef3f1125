/**
 * Trust-on-first-use pins (the classmates' keys this user has seen or verified) in the
 * extension's global state, one entry per server and user name. Not secret, but must survive
 * restarts: forgetting a pin would hide a key change. Written against a small Memento-like
 * interface so it is tested without vscode.
 */
import { z } from 'zod';
import type { SeenStore } from '../client/seen-store';
import type { Pin, TrustStore } from '../client/trust-store';
import { publicKeySchema } from '../protocol/frames';

export interface MementoLike {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

const pinnedName = z.string().min(1).max(64);
const pinSchema = z.object({ publicKey: publicKeySchema, verified: z.boolean(), pinnedAt: z.number().int().min(0) });

export function trustKeyName(host: string, port: number, name: string): string {
  return `classchat.trust/${host.toLowerCase()}:${port}/${name}`;
}

export class MementoTrustStore implements TrustStore {
  constructor(
    private readonly memento: MementoLike,
    readonly key: string,
  ) {}

  async load(): Promise<Map<string, Pin>> {
    const value = this.memento.get(this.key);
    if (value === undefined) return new Map();
    // Never reset silently: that would forget which keys were verified.
    const damaged = new Error(`the saved classmate keys (${this.key}) are damaged`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged;
    // Entry by entry into a Map: parsing into an object (z.record) drops a classmate named
    // "__proto__", whose next key would then be pinned without a warning (issue 14, item 14).
    const pins = new Map<string, Pin>();
    for (const [name, raw] of Object.entries(value)) {
      const pin = pinSchema.safeParse(raw);
      if (!pinnedName.safeParse(name).success || !pin.success) throw damaged;
      pins.set(name, pin.data);
    }
    return pins;
  }

  async save(pins: ReadonlyMap<string, Pin>): Promise<void> {
    // Object.fromEntries defines own properties, "__proto__" included, and JSON keeps them.
    await this.memento.update(this.key, Object.fromEntries([...pins].map(([name, pin]) => [name, { ...pin }])));
  }
}

export function seenKeyName(host: string, port: number, name: string): string {
  return `classchat.seen/${host.toLowerCase()}:${port}/${name}`;
}

/** The last seq shown to this user on this server (see SeenStore), in the same global state. */
export class MementoSeenStore implements SeenStore {
  constructor(
    private readonly memento: MementoLike,
    readonly key: string,
  ) {}

  async load(): Promise<number | undefined> {
    const value = this.memento.get(this.key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`the saved position (${this.key}) is damaged`);
    return value;
  }

  async save(seq: number): Promise<void> {
    await this.memento.update(this.key, seq);
  }
}
