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
const pinNameSchema = z.string().min(1).max(64);
// `pins` is read entry by entry (parsePins), not with z.record: that copies into a plain object,
// where a "__proto__" entry sets the prototype instead of becoming a pin (issue 14 item 14).
const trustFileSchema = z.object({ format: z.literal('classchat-trust-v1'), pins: z.unknown() });

/**
 * Pins from a JSON object of name → pin (as `JSON.parse` gives it: every name an own property,
 * "__proto__" and "constructor" included); undefined when any entry is malformed.
 */
export function parsePins(value: unknown): Map<string, Pin> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const pins = new Map<string, Pin>();
  for (const [name, raw] of Object.entries(value)) {
    const pin = pinSchema.safeParse(raw);
    if (!pinNameSchema.safeParse(name).success || !pin.success) return undefined;
    pins.set(name, pin.data);
  }
  return pins;
}

/** The pins as a JSON-ready object whose every name is an own property (the inverse of parsePins). */
export function pinsToJson(pins: ReadonlyMap<string, Pin>): Record<string, Pin> {
  // Object.fromEntries defines properties, so "__proto__" stays a name rather than a prototype.
  return Object.fromEntries([...pins].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, pin]) => [name, { ...pin }]));
}

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
    const pins = parsed.success ? parsePins(parsed.data.pins) : undefined;
    if (!pins) throw new TrustFileError(this.path, `${this.path} is not a ClassChat trust file`);
    return pins;
  }

  async save(pins: ReadonlyMap<string, Pin>): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-trust-v1', pins: pinsToJson(pins) }, null, 2) + '\n');
  }
}

/** The trust file that goes with a key file: `alice.json` → `alice.trust.json` in the same directory. */
export function trustPathFor(keyFile: string): string {
  return keyFile.replace(/(\.json)?$/i, '.trust.json');
}

function copy(pins: ReadonlyMap<string, Pin>): Map<string, Pin> {
  return new Map([...pins].map(([name, pin]) => [name, { ...pin }]));
}
