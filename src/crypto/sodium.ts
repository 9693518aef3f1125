/** The one place libsodium is loaded; everything else awaits `sodiumReady()`. */
import sodiumModule from 'libsodium-wrappers';

export type Sodium = typeof sodiumModule;

let ready: Promise<Sodium> | undefined;

export function sodiumReady(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => sodiumModule);
  return ready;
}

const B64 = sodiumModule.base64_variants?.ORIGINAL;

export function toBase64(sodium: Sodium, bytes: Uint8Array): string {
  return sodium.to_base64(bytes, B64 ?? sodium.base64_variants.ORIGINAL);
}

export function fromBase64(sodium: Sodium, text: string): Uint8Array {
  return sodium.from_base64(text, B64 ?? sodium.base64_variants.ORIGINAL);
}
