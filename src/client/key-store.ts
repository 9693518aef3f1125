/**
 * Where a client keeps its identity key pair. The VS Code extension implements `KeyStore` over
 * SecretStorage; the CLI uses `FileKeyStore`; tests use `MemoryKeyStore`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { generateIdentity, Identity } from '../crypto/identity';

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
    let mode: number;
    try {
      mode = (await stat(this.path)).mode;
    } catch (error) {
      if (isNodeError(error) && error.code === 'ENOENT') return undefined;
      throw error;
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(3, '0');
      throw new KeyFileError(this.path, `key file ${this.path} can be read by other users (mode ${octal}); run: chmod 600 "${this.path}"`);
    }
    let value: unknown;
    try {
      value = JSON.parse(await readFile(this.path, 'utf8'));
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
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const body = JSON.stringify({ format: 'classchat-identity-v1', ...identity }, null, 2) + '\n';
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(body, 'utf8');
      await file.sync();
    } catch (error) {
      await file.close();
      await rm(temp, { force: true });
      throw error;
    }
    await file.close();
    // The umask can only remove bits, but be explicit in case the temp file was pre-created.
    await chmod(temp, 0o600);
    await rename(temp, this.path);
    await syncDir(dir);
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

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

/** The stored identity, or a new one generated and saved on first use. */
export async function loadOrCreateIdentity(store: KeyStore): Promise<Identity> {
  const stored = await store.load();
  if (stored) return stored;
  const fresh = await generateIdentity();
  await store.save(fresh);
  return fresh;
}
