/**
 * File contents are encrypted with a fresh key per file in libsodium's secretstream
 * (XChaCha20-Poly1305): each chunk is authenticated and numbered by the stream state, and the
 * last one carries the FINAL tag, so a reordered, dropped, truncated or altered chunk fails.
 * The key and header reach the recipient inside a private-message box with the file's name.
 */
import { z } from 'zod';
import { fromBase64, Sodium, sodiumReady, toBase64 } from './sodium';

/** Plaintext bytes per chunk; every chunk but the last is full. */
export const FILE_PLAIN_CHUNK = 64 * 1024;
/** Bytes secretstream adds to each chunk. */
export const FILE_CHUNK_OVERHEAD = 17;

/** What the offer's box carries (as JSON): the recipient needs all of it to fetch and open the file. */
export const fileSecretsSchema = z.strictObject({
  kind: z.literal('classchat-file'),
  v: z.literal(1),
  name: z.string().min(1).max(1024),
  /** Plaintext size in bytes. */
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Plaintext bytes per chunk. */
  chunk: z.number().int().min(1).max(FILE_PLAIN_CHUNK),
  key: z.string().min(1).max(64),
  header: z.string().min(1).max(64),
});
export type FileSecrets = z.infer<typeof fileSecretsSchema>;

/** Ciphertext size and chunking the server is told about, for `size` bytes of plaintext. */
export function cipherLayout(size: number, chunk = FILE_PLAIN_CHUNK): { cipherSize: number; chunkBytes: number; chunks: number } {
  const chunks = Math.max(1, Math.ceil(size / chunk));
  return { cipherSize: size + chunks * FILE_CHUNK_OVERHEAD, chunkBytes: chunk + FILE_CHUNK_OVERHEAD, chunks };
}

/** Parses the decrypted text of an offer's box; undefined when it is not a valid file offer. */
export function parseFileSecrets(text: string): FileSecrets | undefined {
  try {
    const parsed = fileSecretsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class FileEncryptor {
  private chunksLeft: number;

  private constructor(
    private readonly sodium: Sodium,
    private readonly state: unknown,
    readonly secrets: FileSecrets,
  ) {
    this.chunksLeft = cipherLayout(secrets.size, secrets.chunk).chunks;
  }

  static async create(name: string, size: number, chunk = FILE_PLAIN_CHUNK): Promise<FileEncryptor> {
    const sodium = await sodiumReady();
    const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
    const secrets: FileSecrets = { kind: 'classchat-file', v: 1, name, size, chunk, key: toBase64(sodium, key), header: toBase64(sodium, header) };
    sodium.memzero(key);
    return new FileEncryptor(sodium, state, secrets);
  }

  /** Encrypts the next chunk, in order; the last chunk gets the FINAL tag. */
  encrypt(plain: Uint8Array): Uint8Array {
    if (this.chunksLeft <= 0) throw new Error('every chunk of this file is already encrypted');
    this.chunksLeft--;
    const tag = this.chunksLeft === 0 ? this.sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : this.sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    return this.sodium.crypto_secretstream_xchacha20poly1305_push(this.state as never, plain, null, tag);
  }
}

export class FileDecryptor {
  private finished = false;

  private constructor(
    private readonly sodium: Sodium,
    private readonly state: unknown,
  ) {}

  /** Throws when the key or header is malformed. */
  static async create(secrets: FileSecrets): Promise<FileDecryptor> {
    const sodium = await sodiumReady();
    const key = fromBase64(sodium, secrets.key);
    const header = fromBase64(sodium, secrets.header);
    if (key.length !== sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES || header.length !== sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES) {
      throw new Error('the file key or header has the wrong length');
    }
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
    sodium.memzero(key);
    return new FileDecryptor(sodium, state);
  }

  /** True once the chunk with the FINAL tag has been opened. */
  get complete(): boolean {
    return this.finished;
  }

  /** Opens the next chunk, or returns undefined when it fails verification (tampered, reordered, wrong key). */
  decrypt(cipher: Uint8Array, expectFinal: boolean): Uint8Array | undefined {
    if (this.finished) return undefined;
    let result: { message: Uint8Array; tag: number } | false;
    try {
      result = this.sodium.crypto_secretstream_xchacha20poly1305_pull(this.state as never, cipher, null) as { message: Uint8Array; tag: number } | false;
    } catch {
      return undefined;
    }
    if (!result) return undefined;
    const isFinal = result.tag === this.sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    // A FINAL tag early means a truncated stream; none at the end means chunks were cut off.
    if (isFinal !== expectFinal) return undefined;
    this.finished = isFinal;
    return result.message;
  }
}
