/**
 * A v4 private message's crypto (PROTOCOL.md 22.6): the envelope in a secretbox under a fresh
 * key K, and K with the body's hash and both list versions in a crypto_box from the sending
 * device to each receiving device (X25519 keys derived from their Ed25519 device keys).
 */
import type { Box } from '../../protocol/primitives';
import { decodeAnyEnvelope, encodeContentEnvelope, OpenedEnvelope } from '../../crypto/envelope';
import { fromBase64, Sodium, toBase64 } from '../../crypto/sodium';

export interface KeyTarget {
  user: string;
  device: string;
  /** The device's Ed25519 key (base64), from a verified list. */
  publicKey: string;
}

export interface SealedMessage {
  box: Box;
  keys: Array<{ user: string; device: string; nonce: string; ciphertext: string }>;
}

const INNER_BYTES = 32 + 32 + 8 + 8;

/** Seals `text` from `from` to `to` under message id `id`, keyed to every target. */
export function sealForDevices(
  sodium: Sodium,
  deviceSecretKey: string,
  envelope: { from: string; to: string; id: string; text: string },
  targets: readonly KeyTarget[],
  versions: { recipient: number; sender: number },
): SealedMessage {
  const key = sodium.randombytes_buf(32);
  const nonce = sodium.randombytes_buf(24);
  const ciphertext = sodium.crypto_secretbox_easy(encodeContentEnvelope({ from: envelope.from, to: envelope.to, id: envelope.id, content: { text: envelope.text } }), nonce, key);
  const bodyHash = sodium.crypto_generichash(32, Buffer.concat([Buffer.from(nonce), Buffer.from(ciphertext)]), null);
  const inner = Buffer.concat([Buffer.from(key), Buffer.from(bodyHash), uint64(versions.recipient), uint64(versions.sender)]);
  const secret = sodium.crypto_sign_ed25519_sk_to_curve25519(fromBase64(sodium, deviceSecretKey));
  const keys = targets.map((target) => {
    const keyNonce = sodium.randombytes_buf(24);
    const sealed = sodium.crypto_box_easy(inner, keyNonce, sodium.crypto_sign_ed25519_pk_to_curve25519(fromBase64(sodium, target.publicKey)), secret);
    return { user: target.user, device: target.device, nonce: toBase64(sodium, keyNonce), ciphertext: toBase64(sodium, sealed) };
  });
  sodium.memzero(key);
  return { box: { nonce: toBase64(sodium, nonce), ciphertext: toBase64(sodium, ciphertext) }, keys };
}

export type OpenedDeviceMessage = { ok: true; envelope: OpenedEnvelope; versions: { recipient: number; sender: number } } | { ok: false; problem: 'could_not_decrypt' | 'body_mismatch' | 'malformed' };

/** Opens a received message's key box (from the sending device's key) and then its box. Never throws. */
export function openFromDevice(sodium: Sodium, deviceSecretKey: string, senderDeviceKey: string, key: { nonce: string; ciphertext: string }, box: Box): OpenedDeviceMessage {
  let inner: Uint8Array;
  let plain: Uint8Array;
  try {
    const secret = sodium.crypto_sign_ed25519_sk_to_curve25519(fromBase64(sodium, deviceSecretKey));
    inner = sodium.crypto_box_open_easy(fromBase64(sodium, key.ciphertext), fromBase64(sodium, key.nonce), sodium.crypto_sign_ed25519_pk_to_curve25519(fromBase64(sodium, senderDeviceKey)), secret);
  } catch {
    return { ok: false, problem: 'could_not_decrypt' };
  }
  if (inner.length !== INNER_BYTES) return { ok: false, problem: 'malformed' };
  const bytes = Buffer.from(inner);
  try {
    const nonce = fromBase64(sodium, box.nonce);
    const ciphertext = fromBase64(sodium, box.ciphertext);
    const hash = sodium.crypto_generichash(32, Buffer.concat([Buffer.from(nonce), Buffer.from(ciphertext)]), null);
    if (!sodium.memcmp(hash, bytes.subarray(32, 64))) return { ok: false, problem: 'body_mismatch' };
    plain = sodium.crypto_secretbox_open_easy(ciphertext, nonce, bytes.subarray(0, 32));
  } catch {
    return { ok: false, problem: 'could_not_decrypt' };
  }
  const envelope = decodeAnyEnvelope(plain);
  if (!envelope) return { ok: false, problem: 'malformed' };
  return { ok: true, envelope, versions: { recipient: Number(bytes.readBigUInt64BE(64)), sender: Number(bytes.readBigUInt64BE(72)) } };
}

function uint64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}
