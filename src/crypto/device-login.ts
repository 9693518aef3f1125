/**
 * A v4 login (PROTOCOL.md 22.5): the device key signs the server's challenge, the name and the
 * device id, so a login proves which listed device is speaking and cannot be replayed for another.
 */
import type { Sodium } from './sodium';
import { fromBase64, toBase64 } from './sodium';

export function deviceLoginMessage(challenge: string, name: string, device: string): Uint8Array {
  return new TextEncoder().encode(`classchat-login-v4\n${challenge}\n${name}\n${device}`);
}

/** Signs a v4 login with the device's Ed25519 secret key (base64). */
export function signDeviceLogin(sodium: Sodium, deviceSecretKey: string, challenge: string, name: string, device: string): string {
  return toBase64(sodium, sodium.crypto_sign_detached(deviceLoginMessage(challenge, name, device), fromBase64(sodium, deviceSecretKey)));
}

/** True when `signature` is the device key's signature of this login; false on any malformed input. */
export function verifyDeviceLogin(sodium: Sodium, deviceKey: string, signature: string, challenge: string, name: string, device: string): boolean {
  try {
    return sodium.crypto_sign_verify_detached(fromBase64(sodium, signature), deviceLoginMessage(challenge, name, device), fromBase64(sodium, deviceKey));
  } catch {
    return false;
  }
}
