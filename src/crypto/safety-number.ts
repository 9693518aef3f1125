/**
 * Safety numbers: 60 digits (12 groups of 5) that two people compare aloud or side by side to
 * check that each holds the other's real key. Derived from both Ed25519 public keys, sorted, so
 * both sides compute the same number whatever the order.
 */
import { fromBase64, Sodium } from './sodium';

const DOMAIN = new TextEncoder().encode('classchat-safety-number-v1');
export const SAFETY_NUMBER_GROUPS = 12;

/**
 * BLAKE2b-512 over the domain and the two 32-byte keys in byte order; each of 12 groups is a
 * 5-byte (40-bit) slice of the hash taken modulo 100000 (the bias is below 1e-7).
 * Throws RangeError when a key is not 32 bytes of base64.
 */
export function safetyNumber(sodium: Sodium, publicKeyA: string, publicKeyB: string): string {
  const a = decodeKey(sodium, publicKeyA);
  const b = decodeKey(sodium, publicKeyB);
  const [first, second] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
  const input = new Uint8Array(DOMAIN.length + 64);
  input.set(DOMAIN, 0);
  input.set(first, DOMAIN.length);
  input.set(second, DOMAIN.length + 32);
  const hash = Buffer.from(sodium.crypto_generichash(64, input, null));
  const groups: string[] = [];
  for (let i = 0; i < SAFETY_NUMBER_GROUPS; i++) {
    groups.push(String(hash.readUIntBE(i * 5, 5) % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}

function decodeKey(sodium: Sodium, key: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(sodium, key);
  } catch {
    throw new RangeError('a safety number needs two base64 public keys');
  }
  if (bytes.length !== 32) throw new RangeError(`a public key is 32 bytes, not ${bytes.length}`);
  return bytes;
}
