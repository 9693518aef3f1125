/**
 * Linking a new device (PROTOCOL.md 22.3, 22.4): the new device's commitment, the transcript
 * both sides hash, the 6-digit code the user compares, and the provisioning bundle the primary
 * signs with the identity key and seals to the new device's ephemeral key.
 *
 * The commitment is what makes 6 digits enough: the new device is bound to its nonce before it
 * sees the primary's, so a server in the middle cannot search for keys that make two codes agree.
 */
import { decodeBase64 } from '../protocol/primitives';
import { provisioningBundleSchema, ProvisioningBundle } from '../protocol/device-frames';
import { LIMITS } from '../protocol/limits';
import type { Identity } from './identity';
import { DeviceListProblem, verifyDeviceList } from './device-list';
import { fromBase64, Sodium, toBase64 } from './sodium';

export const LINK_CODE_DIGITS = 6;
const COMMIT_DOMAIN = 'classchat-link-commit-v1';
const TRANSCRIPT_DOMAIN = 'classchat-link-v1';
const CODE_DOMAIN = 'classchat-link-code-v1';
const BUNDLE_DOMAIN = 'classchat-link-bundle-v1';
const SIGNATURE_BYTES = 64;

/** Everything both sides hash into the transcript; keys and nonces are base64 of 32 bytes. */
export interface LinkParameters {
  name: string;
  identityKey: string;
  device: string;
  deviceKey: string;
  ephemeralKey: string;
  label: string;
  /** The new device's nonce (revealed in link_reveal). */
  deviceNonce: string;
  /** The primary's nonce (sent in link_nonce). */
  primaryNonce: string;
}

/** `H("classchat-link-commit-v1" ‖ D ‖ E ‖ rN)`, base64: sent in link_request before rN. */
export function linkCommitment(sodium: Sodium, deviceKey: string, ephemeralKey: string, deviceNonce: string): string {
  const input = Buffer.concat([Buffer.from(COMMIT_DOMAIN, 'ascii'), raw32(deviceKey), raw32(ephemeralKey), raw32(deviceNonce)]);
  return toBase64(sodium, sodium.crypto_generichash(32, input, null));
}

/** True when the revealed nonce matches the commitment the request carried. Never throws. */
export function checkLinkCommitment(sodium: Sodium, commitment: string, deviceKey: string, ephemeralKey: string, deviceNonce: string): boolean {
  try {
    return sodium.memcmp(fromBase64(sodium, commitment), fromBase64(sodium, linkCommitment(sodium, deviceKey, ephemeralKey, deviceNonce)));
  } catch {
    return false;
  }
}

/** The 32-byte transcript T both sides compute (22.3 step 5). Throws RangeError on a malformed key, nonce or field. */
export function linkTranscript(sodium: Sodium, link: LinkParameters): Uint8Array {
  const input = Buffer.concat([
    Buffer.from(TRANSCRIPT_DOMAIN, 'ascii'),
    short(link.name),
    raw32(link.identityKey),
    short(link.device),
    raw32(link.deviceKey),
    raw32(link.ephemeralKey),
    short(link.label),
    raw32(link.deviceNonce),
    raw32(link.primaryNonce),
  ]);
  return sodium.crypto_generichash(32, input, null);
}

/** The code shown on both devices: 6 digits from the transcript, as "123 456". */
export function linkCode(sodium: Sodium, transcript: Uint8Array): string {
  const hash = Buffer.from(sodium.crypto_generichash(32, Buffer.concat([Buffer.from(CODE_DOMAIN, 'ascii'), Buffer.from(transcript)]), null));
  const digits = String(hash.readUIntBE(0, 5) % 10 ** LINK_CODE_DIGITS).padStart(LINK_CODE_DIGITS, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}

/** True when what the user typed is the code (spaces ignored). */
export function sameLinkCode(typed: string, code: string): boolean {
  return typed.replace(/\s+/g, '') === code.replace(/\s+/g, '');
}

/** The ephemeral X25519 key pair of one link (22.3): base64, used once. */
export interface EphemeralKeyPair {
  publicKey: string;
  secretKey: string;
}

export function generateEphemeralKeyPair(sodium: Sodium): EphemeralKeyPair {
  const pair = sodium.crypto_box_keypair();
  return { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
}

export class BundleTooLargeError extends Error {
  constructor(readonly length: number) {
    super(`the sealed bundle is ${length} base64 characters, over ${LIMITS.maxBundleBase64}`);
    this.name = 'BundleTooLargeError';
  }
}

/**
 * The primary's side: signs the bundle with the identity key over the transcript and seals it
 * to the new device's ephemeral key. Returns base64 for `link_approve.bundle`. Throws
 * BundleTooLargeError when it would not fit the frame (send fewer pins).
 */
export function sealBundle(sodium: Sodium, identity: Identity, transcript: Uint8Array, ephemeralKey: string, bundle: ProvisioningBundle): string {
  const json = Buffer.from(JSON.stringify(bundle), 'utf8');
  const signature = sodium.crypto_sign_detached(bundleSignedBytes(sodium, transcript, json), fromBase64(sodium, identity.secretKey));
  const sealed = toBase64(sodium, sodium.crypto_box_seal(Buffer.concat([Buffer.from(signature), json]), raw32(ephemeralKey)));
  if (sealed.length > LIMITS.maxBundleBase64) throw new BundleTooLargeError(sealed.length);
  return sealed;
}

export type BundleProblem = 'could_not_open' | 'bad_signature' | 'malformed' | 'wrong_transcript' | 'wrong_identity' | 'device_not_listed' | `list_${DeviceListProblem}`;
export type BundleResult = { ok: true; bundle: ProvisioningBundle } | { ok: false; problem: BundleProblem };

/**
 * The new device's side: opens the bundle with the ephemeral secret and accepts it only if the
 * identity key of its own transcript signed it over that transcript, and the list in it verifies
 * and lists this device with its key. Never throws.
 */
export function openBundle(sodium: Sodium, sealed: string, ephemeral: EphemeralKeyPair, link: LinkParameters): BundleResult {
  let plain: Uint8Array;
  let transcript: Uint8Array;
  try {
    transcript = linkTranscript(sodium, link);
    plain = sodium.crypto_box_seal_open(fromBase64(sodium, sealed), raw32(ephemeral.publicKey), raw32(ephemeral.secretKey));
  } catch {
    return { ok: false, problem: 'could_not_open' };
  }
  if (plain.length <= SIGNATURE_BYTES) return { ok: false, problem: 'malformed' };
  const signature = plain.subarray(0, SIGNATURE_BYTES);
  const json = plain.subarray(SIGNATURE_BYTES);
  let signed = false;
  try {
    signed = sodium.crypto_sign_verify_detached(signature, bundleSignedBytes(sodium, transcript, json), raw32(link.identityKey));
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, problem: 'bad_signature' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const parsed = provisioningBundleSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: 'malformed' };
  const bundle = parsed.data;
  if (bundle.transcript !== toBase64(sodium, transcript)) return { ok: false, problem: 'wrong_transcript' };
  if (bundle.name !== link.name || bundle.identityKey !== link.identityKey) return { ok: false, problem: 'wrong_identity' };
  const list = verifyDeviceList(sodium, bundle.list, link.identityKey, link.name);
  if (!list.ok) return { ok: false, problem: `list_${list.problem}` };
  if (!list.list.devices.some((device) => device.id === link.device && device.publicKey === link.deviceKey)) return { ok: false, problem: 'device_not_listed' };
  return { ok: true, bundle };
}

/** `"classchat-link-bundle-v1" ‖ T ‖ H(json)`: what the identity key signs. */
function bundleSignedBytes(sodium: Sodium, transcript: Uint8Array, json: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(BUNDLE_DOMAIN, 'ascii'), Buffer.from(transcript), Buffer.from(sodium.crypto_generichash(32, json, null))]);
}

function raw32(base64: string): Buffer {
  const bytes = decodeBase64(base64);
  if (bytes?.length !== 32) throw new RangeError('expected the base64 of 32 bytes');
  return bytes;
}

function short(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0 || bytes.length > 255) throw new RangeError('a transcript field is 1-255 bytes');
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}
