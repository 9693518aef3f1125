/**
 * Where a client keeps its trust-on-first-use pins: the key it first saw for each classmate and
 * whether the user verified it. The CLI uses `FileTrustStore` (next to its key file); the VS
 * Code extension implements `TrustStore` over its global state; tests use `MemoryTrustStore`.
 */
import { z } from 'zod';
import { publicKeySchema } from '../protocol/frames';
import { readPrivateFile, writePrivateFile } from './private-file';

export interface Pin {
  /** The classmate's Ed25519 public key (base64). */
  publicKey: string;
  /** The user compared safety numbers and marked this key verified. */
  verified: boolean;
  /** When this key was pinned (first seen or accepted), ms since the epoch. */
  pinnedAt: number;
}

export interface TrustStore {
  /** Every stored pin by user name (empty when nothing was saved yet). */
  load(): Promise<Map<string, Pin>>;
  /** Replaces the stored pins with these, durably. */
  save(pins: ReadonlyMap<string, Pin>): Promise<void>;
}

export class MemoryTrustStore implements TrustStore {
  private pins = new Map<string, Pin>();

  async load(): Promise<Map<string, Pin>> {
    return copy(this.pins);
  }

  async save(pins: ReadonlyMap<string, Pin>): Promise<void> {
    this.pins = copy(pins);
  }
}

const pinSchema = z.object({ publicKey: publicKeySchema, verified: z.boolean(), pinnedAt: z.number().int().min(0) });
const trustFileSchema = z.object({ format: z.literal('classchat-trust-v1'), pins: z.record(z.string().min(1).max(64), pinSchema) });

/** A damaged or exposed trust file. Never reset silently: that would forget every pin. */
export class TrustFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrustFileError';
  }
}

/** The pins as a JSON file only its owner may read or change (0600, written atomically). */
export class FileTrustStore implements TrustStore {
  constructor(readonly path: string) {}

  async load(): Promise<Map<string, Pin>> {
    const text = await readPrivateFile(this.path, 'trust file', (message) => new TrustFileError(this.path, message));
    if (text === undefined) return new Map();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new TrustFileError(this.path, `trust file ${this.path} is not valid JSON; fix or remove it (removing it forgets which keys you verified)`);
    }
    const parsed = trustFileSchema.safeParse(value);
    if (!parsed.success) throw new TrustFileError(this.path, `${this.path} is not a ClassChat trust file`);
    return new Map(Object.entries(parsed.data.pins));
  }

  async save(pins: ReadonlyMap<string, Pin>): Promise<void> {
    const sorted = Object.fromEntries([...pins.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-trust-v1', pins: sorted }, null, 2) + '\n');
  }
}

/** The trust file that goes with a key file: `alice.json` → `alice.trust.json` in the same directory. */
export function trustPathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.trust.json');
}

function copy(pins: ReadonlyMap<string, Pin>): Map<string, Pin> {
  return new Map([...pins].map(([name, pin]) => [name, { ...pin }]));
}
