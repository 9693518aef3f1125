/**
 * The identity key pair in VS Code's SecretStorage (the OS keychain), one per server and name.
 * Written against a two-method interface so it is tested without vscode; `context.secrets` fits it.
 */
import type { KeyStore } from '../client/key-store';
import type { Identity } from '../crypto/identity';

export interface SecretStorageLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
}

/** A stored secret that is not a ClassChat identity: refused rather than silently replaced. */
export class StoredKeyError extends Error {
  constructor(readonly key: string) {
    super(`the identity key stored for ${key} is damaged; remove it (it belongs to this extension) or use another name`);
    this.name = 'StoredKeyError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The SecretStorage key for one server and user name. */
export function secretKeyName(host: string, port: number, name: string): string {
  return `classchat.identity/${host.toLowerCase()}:${port}/${name}`;
}

export class SecretKeyStore implements KeyStore {
  constructor(
    private readonly secrets: SecretStorageLike,
    readonly key: string,
  ) {}

  async load(): Promise<Identity | undefined> {
    const text = await this.secrets.get(this.key);
    if (text === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new StoredKeyError(this.key);
    }
    if (typeof value !== 'object' || value === null || !('publicKey' in value) || !('secretKey' in value)) throw new StoredKeyError(this.key);
    const { publicKey, secretKey } = value;
    if (typeof publicKey !== 'string' || typeof secretKey !== 'string' || publicKey.length !== 44 || secretKey.length !== 88 || !BASE64.test(publicKey) || !BASE64.test(secretKey)) {
      throw new StoredKeyError(this.key);
    }
    // Ed25519 secret keys are seed ‖ public key: a mismatch means damage.
    if (Buffer.from(secretKey, 'base64').subarray(32).toString('base64') !== publicKey) throw new StoredKeyError(this.key);
    return { publicKey, secretKey };
  }

  async save(identity: Identity): Promise<void> {
    await this.secrets.store(this.key, JSON.stringify({ format: 'classchat-identity-v1', publicKey: identity.publicKey, secretKey: identity.secretKey }));
  }
}
