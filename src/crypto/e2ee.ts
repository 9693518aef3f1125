/**
 * End-to-end encryption of private messages (PROTOCOL.md, "End-to-end encryption").
 *
 * crypto_box (X25519 + XSalsa20-Poly1305) between encryption keys derived from both users'
 * Ed25519 identity keys, so the roster's `publicKey` is all a sender needs. A fresh random
 * 24-byte nonce per message. The box holds an envelope naming sender, recipient and message id:
 * a box replayed under another name or id is reported as misaddressed, never shown.
 *
 * crypto_box's shared key is the same from both sides, so the sender opens its own sent
 * messages (from history) with the recipient's public key and its own secret key.
 */
import type { Box } from '../protocol/frames';
import type { Identity } from './identity';
import { fromBase64, Sodium, toBase64 } from './sodium';

/** What the box protects: the text, bound to who sent it, to whom, and under which id. */
export interface Envelope {
  from: string;
  to: string;
  id: string;
  text: string;
}

/** Why a box was not shown: authentication failed (tampered, truncated, wrong key) or it was meant for another conversation or id. */
export type OpenError = 'could_not_decrypt' | 'misaddressed';

export type OpenResult = { ok: true; text: string } | { ok: false; error: OpenError };

/** A public key that does not convert to an X25519 key (not a valid Ed25519 point). */
export class InvalidPeerKeyError extends Error {
  constructor(readonly publicKey: string) {
    super('the public key is not a valid Ed25519 key');
    this.name = 'InvalidPeerKeyError';
  }
}

export const ENVELOPE_VERSION = 1;
/** The plaintext is padded with zero bytes to a multiple of this, so the server learns less about lengths. */
export const ENVELOPE_PADDING = 32;
const MAX_SHARED_KEYS = 1024;

/**
 * Envelope bytes: version (1 byte) · len+from · len+to · len+id (1 length byte each, ASCII) ·
 * text length (4 bytes, big-endian) · text (UTF-8) · zero padding.
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const ascii = (value: string, what: string, max: number) => {
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length < 1 || bytes.length > max || !/^[\x21-\x7e]+$/.test(value)) throw new RangeError(`envelope ${what} must be 1-${max} printable ASCII characters`);
    return bytes;
  };
  const from = ascii(envelope.from, 'from', 255);
  const to = ascii(envelope.to, 'to', 255);
  const id = ascii(envelope.id, 'id', 255);
  const text = Buffer.from(envelope.text, 'utf8');
  const length = 1 + 1 + from.length + 1 + to.length + 1 + id.length + 4 + text.length;
  const padded = Math.ceil(length / ENVELOPE_PADDING) * ENVELOPE_PADDING;
  const out = Buffer.alloc(padded);
  let at = 0;
  out[at++] = ENVELOPE_VERSION;
  for (const part of [from, to, id]) {
    out[at++] = part.length;
    at += part.copy(out, at);
  }
  out.writeUInt32BE(text.length, at);
  at += 4;
  text.copy(out, at);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The envelope, or undefined for anything malformed (unknown version, bad lengths, bad UTF-8, non-zero padding). */
export function decodeEnvelope(bytes: Uint8Array): Envelope | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let at = 0;
  if (buf.length < 1 || buf[at++] !== ENVELOPE_VERSION) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (at >= buf.length) return undefined;
    const length = buf[at++];
    if (length === 0 || at + length > buf.length) return undefined;
    const part = buf.toString('latin1', at, at + length);
    if (!/^[\x21-\x7e]+$/.test(part)) return undefined;
    parts.push(part);
    at += length;
  }
  if (at + 4 > buf.length) return undefined;
  const textLength = buf.readUInt32BE(at);
  at += 4;
  if (at + textLength > buf.length) return undefined;
  let text: string;
  try {
    text = utf8.decode(buf.subarray(at, at + textLength));
  } catch {
    return undefined;
  }
  for (let i = at + textLength; i < buf.length; i++) if (buf[i] !== 0) return undefined;
  const [from, to, id] = parts as [string, string, string];
  return { from, to, id, text };
}

/**
 * One user's private-message keys: seals boxes to peers and opens boxes from (or, for the
 * user's own sent messages, to) them. Shared keys are cached per peer key (crypto_box_beforenm).
 */
export class PrivateBoxes {
  private readonly secretKey: Uint8Array;
  private readonly shared = new Map<string, Uint8Array>();

  constructor(
    private readonly sodium: Sodium,
    identity: Identity,
  ) {
    this.secretKey = sodium.crypto_sign_ed25519_sk_to_curve25519(fromBase64(sodium, identity.secretKey));
  }

  /** Encrypts the envelope for `peerPublicKey` (Ed25519, base64). Throws InvalidPeerKeyError. */
  seal(peerPublicKey: string, envelope: Envelope): Box {
    const key = this.sharedKey(peerPublicKey);
    if (!key) throw new InvalidPeerKeyError(peerPublicKey);
    const nonce = this.sodium.randombytes_buf(this.sodium.crypto_box_NONCEBYTES);
    const ciphertext = this.sodium.crypto_box_easy_afternm(encodeEnvelope(envelope), nonce, key);
    return { nonce: toBase64(this.sodium, nonce), ciphertext: toBase64(this.sodium, ciphertext) };
  }

  /** Opens a box exchanged with `peerPublicKey`; the envelope must match `expect` exactly. Never throws. */
  open(peerPublicKey: string, box: Box, expect: Omit<Envelope, 'text'>): OpenResult {
    const key = this.sharedKey(peerPublicKey);
    if (!key) return { ok: false, error: 'could_not_decrypt' };
    let plain: Uint8Array;
    try {
      const nonce = fromBase64(this.sodium, box.nonce);
      const ciphertext = fromBase64(this.sodium, box.ciphertext);
      if (nonce.length !== this.sodium.crypto_box_NONCEBYTES) return { ok: false, error: 'could_not_decrypt' };
      plain = this.sodium.crypto_box_open_easy_afternm(ciphertext, nonce, key);
    } catch {
      return { ok: false, error: 'could_not_decrypt' };
    }
    const envelope = decodeEnvelope(plain);
    if (!envelope) return { ok: false, error: 'could_not_decrypt' };
    if (envelope.from !== expect.from || envelope.to !== expect.to || envelope.id !== expect.id) return { ok: false, error: 'misaddressed' };
    return { ok: true, text: envelope.text };
  }

  /** Wipes the secret and shared keys from memory. */
  dispose(): void {
    this.sodium.memzero(this.secretKey);
    this.forgetSharedKeys();
  }

  private forgetSharedKeys(): void {
    for (const key of this.shared.values()) this.sodium.memzero(key);
    this.shared.clear();
  }

  private sharedKey(peerPublicKey: string): Uint8Array | undefined {
    const cached = this.shared.get(peerPublicKey);
    if (cached) return cached;
    let key: Uint8Array;
    try {
      const peer = fromBase64(this.sodium, peerPublicKey);
      if (peer.length !== this.sodium.crypto_sign_PUBLICKEYBYTES) return undefined;
      key = this.sodium.crypto_box_beforenm(this.sodium.crypto_sign_ed25519_pk_to_curve25519(peer), this.secretKey);
    } catch {
      return undefined;
    }
    // Bounded by the roster in practice; the cap only guards against a server inventing keys.
    if (this.shared.size >= MAX_SHARED_KEYS) this.forgetSharedKeys();
    this.shared.set(peerPublicKey, key);
    return key;
  }
}
