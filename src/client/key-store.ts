/**
 * Where a client keeps its identity key pair. The VS Code extension implements `KeyStore` over
 * SecretStorage; the CLI uses `FileKeyStore`; tests use `MemoryKeyStore`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { generateIdentity, Identity } from '../crypto/identity';
import { readPrivateFile, writePrivateFile } from './private-file';

export interface KeyStore {
  /** The stored identity, or undefined when none was saved yet. */
  load(): Promise<Identity | undefined>;
  /** Stores the identity durably, replacing any earlier one. */
  save(identity: Identity): Promise<void>;
}

export class MemoryKeyStore implements KeyStore {
  constructor(private identity?: Identity) {}

  async load(): Promise<Identity | undefined> {
    return this.identity ? { ...this.identity } : undefined;
  }

  async save(identity: Identity): Promise<void> {
    this.identity = { ...identity };
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const keyFileSchema = z.object({
  format: z.literal('classchat-identity-v1'),
  publicKey: z.string().length(44).regex(BASE64),
  secretKey: z.string().length(88).regex(BASE64),
});

/** Refused because the file could leak the secret key, or it is not a key file. */
export class KeyFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/**
 * The identity as a JSON file readable only by its owner: the parent directory is created 0700,
 * the file is written 0600 to a temporary name, fsynced and renamed into place, so a crash never
 * leaves half a key. Like ssh, `load` REFUSES a file that group or others may read or write
 * (on POSIX systems): on a shared classroom machine such a key lets a classmate log in as you.
 */
export class FileKeyStore implements KeyStore {
  constructor(readonly path: string) {}

  async load(): Promise<Identity | undefined> {
    const text = await readPrivateFile(this.path, 'key file', (message) => new KeyFileError(this.path, message));
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new KeyFileError(this.path, `key file ${this.path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = keyFileSchema.safeParse(value);
    if (!parsed.success) throw new KeyFileError(this.path, `${this.path} is not a ClassChat key file`);
    // libsodium Ed25519 secret keys are seed ‖ public key: a mismatch means a damaged file.
    const secret = Buffer.from(parsed.data.secretKey, 'base64');
    if (secret.length !== 64 || secret.subarray(32).toString('base64') !== parsed.data.publicKey) {
      throw new KeyFileError(this.path, `key file ${this.path} is damaged: its public and secret keys do not match`);
    }
    return { publicKey: parsed.data.publicKey, secretKey: parsed.data.secretKey };
  }

  async save(identity: Identity): Promise<void> {
    await writePrivateFile(this.path, JSON.stringify({ format: 'classchat-identity-v1', ...identity }, null, 2) + '\n');
  }
}

/**
 * The CLI's default key file: `$CLASSCHAT_HOME` (default `~/.classchat`) /keys/<host>-<port>/<name>.json.
 * One key per server and name, so two servers cannot link your identities.
 */
export function defaultKeyPath(host: string, port: number, name: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CLASSCHAT_HOME || join(homedir(), '.classchat');
  const server = `${host.replace(/[^A-Za-z0-9.-]/g, '_')}-${port}`;
  return join(home, 'keys', server, `${name}.json`);
}

/** The stored identity, or a new one generated and saved on first use. */
export async function loadOrCreateIdentity(store: KeyStore): Promise<Identity> {
  const stored = await store.load();
  if (stored) return stored;
  const fresh = await generateIdentity();
  await store.save(fresh);
  return fresh;
}
