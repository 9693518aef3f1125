/** Identity keys (Ed25519) and the login challenge signature. */
import { fromBase64, sodiumReady, toBase64 } from './sodium';

/** A user's identity: what the key store keeps. Keys are base64 (standard alphabet). */
export interface Identity {
  publicKey: string;
  secretKey: string;
}

export async function generateIdentity(): Promise<Identity> {
  const sodium = await sodiumReady();
  const pair = sodium.crypto_sign_keypair();
  return { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) };
}

/**
 * The bytes a login signs: binds the signature to this protocol, this server challenge and
 * this name, so it cannot be replayed on another connection or for another name.
 */
export function loginMessage(challenge: string, name: string): Uint8Array {
  return new TextEncoder().encode(`classchat-login-v1\n${challenge}\n${name}`);
}

export async function signLogin(identity: Identity, challenge: string, name: string): Promise<string> {
  const sodium = await sodiumReady();
  const signature = sodium.crypto_sign_detached(loginMessage(challenge, name), fromBase64(sodium, identity.secretKey));
  return toBase64(sodium, signature);
}

/** True when `signature` is `publicKey`'s signature of the login message; false on any malformed input. */
export async function verifyLogin(publicKey: string, signature: string, challenge: string, name: string): Promise<boolean> {
  const sodium = await sodiumReady();
  try {
    return sodium.crypto_sign_verify_detached(
      fromBase64(sodium, signature),
      loginMessage(challenge, name),
      fromBase64(sodium, publicKey),
    );
  } catch {
    return false;
  }
}

export async function randomChallenge(): Promise<string> {
  const sodium = await sodiumReady();
  return toBase64(sodium, sodium.randombytes_buf(32));
}
