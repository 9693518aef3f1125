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
import { decodeAnyEnvelope, encodeContentEnvelope, encodeEnvelope, Envelope, EnvelopeHead, EnvelopeV2, OpenedEnvelope } from './envelope';
import { fromBase64, Sodium, toBase64 } from './sodium';

export { decodeEnvelope, encodeEnvelope, ENVELOPE_PADDING, ENVELOPE_VERSION } from './envelope';
export type { Envelope } from './envelope';

/** Why a box was not shown: authentication failed (tampered, truncated, wrong key) or it was meant for another conversation or id. */
export type OpenError = 'could_not_decrypt' | 'misaddressed';

export type OpenResult = { ok: true; text: string } | { ok: false; error: OpenError };

/** An opened box of either envelope version; `version` 1 content is always `{text}`. */
export type OpenContentResult = { ok: true; version: 1 | 2; content: OpenedEnvelope['content'] } | { ok: false; error: OpenError };

/** A public key that does not convert to an X25519 key (not a valid Ed25519 point). */
export class InvalidPeerKeyError extends Error {
  constructor(readonly publicKey: string) {
    super('the public key is not a valid Ed25519 key');
    this.name = 'InvalidPeerKeyError';
  }
}

const MAX_SHARED_KEYS = 1024;

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

  /** Encrypts a version-1 envelope for `peerPublicKey` (Ed25519, base64). Throws InvalidPeerKeyError. */
  seal(peerPublicKey: string, envelope: Envelope): Box {
    return this.sealBytes(peerPublicKey, encodeEnvelope(envelope));
  }

  /**
   * Encrypts content for `peerPublicKey`: as a version-1 envelope when it is only text (older
   * clients read it), as version 2 otherwise. Throws InvalidPeerKeyError, EnvelopeContentError.
   */
  sealContent(peerPublicKey: string, envelope: EnvelopeV2): Box {
    return this.sealBytes(peerPublicKey, encodeContentEnvelope(envelope));
  }

  /** Opens a box exchanged with `peerPublicKey` and returns its text (of either envelope version); the envelope must match `expect`. Never throws. */
  open(peerPublicKey: string, box: Box, expect: EnvelopeHead): OpenResult {
    const opened = this.openContent(peerPublicKey, box, expect);
    if (!opened.ok) return opened;
    const text = opened.content.text;
    return text === undefined ? { ok: false, error: 'could_not_decrypt' } : { ok: true, text };
  }

  /** Opens a box of either envelope version exchanged with `peerPublicKey`; from, to and id must match `expect`. Never throws. */
  openContent(peerPublicKey: string, box: Box, expect: EnvelopeHead): OpenContentResult {
    const plain = this.openBytes(peerPublicKey, box);
    const envelope = plain && decodeAnyEnvelope(plain);
    if (!envelope) return { ok: false, error: 'could_not_decrypt' };
    if (envelope.from !== expect.from || envelope.to !== expect.to || envelope.id !== expect.id) return { ok: false, error: 'misaddressed' };
    return { ok: true, version: envelope.version, content: envelope.content };
  }

  private sealBytes(peerPublicKey: string, plain: Uint8Array): Box {
    const key = this.sharedKey(peerPublicKey);
    if (!key) throw new InvalidPeerKeyError(peerPublicKey);
    const nonce = this.sodium.randombytes_buf(this.sodium.crypto_box_NONCEBYTES);
    const ciphertext = this.sodium.crypto_box_easy_afternm(plain, nonce, key);
    return { nonce: toBase64(this.sodium, nonce), ciphertext: toBase64(this.sodium, ciphertext) };
  }

  private openBytes(peerPublicKey: string, box: Box): Uint8Array | undefined {
    const key = this.sharedKey(peerPublicKey);
    if (!key) return undefined;
    try {
      const nonce = fromBase64(this.sodium, box.nonce);
      if (nonce.length !== this.sodium.crypto_box_NONCEBYTES) return undefined;
      return this.sodium.crypto_box_open_easy_afternm(fromBase64(this.sodium, box.ciphertext), nonce, key);
    } catch {
      return undefined;
    }
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
