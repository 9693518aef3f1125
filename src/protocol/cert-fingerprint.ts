/**
 * SHA-256 certificate fingerprints as people read them: colon-separated upper-case hex, the way
 * `openssl x509 -fingerprint -sha256` prints them. Shared by the server (gen-cert, start-up
 * banner) and the client (pinning).
 */
import { createHash, X509Certificate } from 'node:crypto';

/** The fingerprint of a DER-encoded certificate, e.g. "3B:C0:…:56" (32 bytes). */
export function fingerprintOfDer(der: Buffer): string {
  return formatFingerprint(createHash('sha256').update(der).digest('hex'));
}

/** The fingerprint of the first certificate in a PEM text; throws when there is none. */
export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw);
}

/**
 * A fingerprint typed by a person, canonicalised: with or without colons (or spaces), any case.
 * Undefined when it is not 64 hex digits.
 */
export function parseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/^sha256 fingerprint=/i, '').replace(/[:\s]/g, '');
  return /^[0-9a-fA-F]{64}$/.test(hex) ? formatFingerprint(hex) : undefined;
}

function formatFingerprint(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(':');
}
