/**
 * The recovery code (PROTOCOL.md 22.8): 25 random Crockford base32 symbols (125 bits) and 5
 * check symbols, shown once as 6 groups of 5. It unlocks the identity seed the primary leaves
 * on the server in a secretbox; a mistyped code is caught by the check symbols before anything
 * is sent, and a wrong one by the box, which only the right code opens.
 */
import type { Box } from '../protocol/primitives';
import type { Identity } from './identity';
import { fromBase64, Sodium, toBase64 } from './sodium';

/** Crockford's base32: digits and letters without I, L, O and U. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_DATA_SYMBOLS = 25;
export const RECOVERY_CHECK_SYMBOLS = 5;
const RECOVERY_SYMBOLS = RECOVERY_DATA_SYMBOLS + RECOVERY_CHECK_SYMBOLS;
const CHECK_DOMAIN = 'classchat-recovery-check-v1';
const KEY_MESSAGE = 'classchat-recovery-key-v1';
const BOX_DOMAIN = 'classchat-recovery-v1';
const SEED_BYTES = 32;

/** Why a typed code was refused before use: the user mistyped it. */
export type RecoveryCodeProblem = 'wrong_length' | 'bad_character' | 'bad_checksum';
export type ParsedRecoveryCode = { ok: true; symbols: string } | { ok: false; problem: RecoveryCodeProblem };

/** A fresh code, formatted for showing: `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`. */
export function generateRecoveryCode(sodium: Sodium): string {
  const random = sodium.randombytes_buf(RECOVERY_DATA_SYMBOLS);
  // 256 is a multiple of 32, so each byte modulo 32 is an unbiased symbol.
  const symbols = Array.from(random, (byte) => CROCKFORD_ALPHABET[byte % 32]).join('');
  return formatRecoveryCode(symbols + checkSymbols(sodium, symbols));
}

/** 30 symbols in groups of 5, joined by "-". */
export function formatRecoveryCode(symbols: string): string {
  return symbols.match(/.{1,5}/g)!.join('-');
}

/**
 * Reads a typed code: any case, "-" and white space ignored, O read as 0 and I, L as 1.
 * Returns the 25 data symbols, or why the code is mistyped.
 */
export function parseRecoveryCode(sodium: Sodium, typed: string): ParsedRecoveryCode {
  const cleaned = typed.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if ([...cleaned].length !== RECOVERY_SYMBOLS) return { ok: false, problem: 'wrong_length' };
  for (const symbol of cleaned) if (!CROCKFORD_ALPHABET.includes(symbol)) return { ok: false, problem: 'bad_character' };
  const symbols = cleaned.slice(0, RECOVERY_DATA_SYMBOLS);
  if (cleaned.slice(RECOVERY_DATA_SYMBOLS) !== checkSymbols(sodium, symbols)) return { ok: false, problem: 'bad_checksum' };
  return { ok: true, symbols };
}

/** The first 25 bits of `H("classchat-recovery-check-v1" ‖ symbols)`, as 5 symbols. */
function checkSymbols(sodium: Sodium, symbols: string): string {
  const hash = Buffer.from(sodium.crypto_generichash(32, Buffer.from(CHECK_DOMAIN + symbols, 'ascii'), null));
  const bits = hash.readUInt32BE(0) >>> 7;
  let check = '';
  for (let index = RECOVERY_CHECK_SYMBOLS - 1; index >= 0; index--) check += CROCKFORD_ALPHABET[(bits >>> (index * 5)) & 31];
  return check;
}

/** `K = BLAKE2b-256(key = the 25 data symbols, "classchat-recovery-key-v1")`. */
export function recoveryKey(sodium: Sodium, symbols: string): Uint8Array {
  return sodium.crypto_generichash(32, Buffer.from(KEY_MESSAGE, 'ascii'), Buffer.from(symbols, 'ascii'));
}

/** The box the primary stores with `recovery_set`: the identity seed for `name`, under the code's key. */
export function sealRecovery(sodium: Sodium, symbols: string, name: string, identity: Identity): Box {
  const seed = fromBase64(sodium, identity.secretKey).subarray(0, SEED_BYTES);
  const plain = Buffer.concat([Buffer.from(BOX_DOMAIN, 'ascii'), short(name), Buffer.from(seed)]);
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const ciphertext = sodium.crypto_secretbox_easy(plain, nonce, recoveryKey(sodium, symbols));
  sodium.memzero(plain);
  return { nonce: toBase64(sodium, nonce), ciphertext: toBase64(sodium, ciphertext) };
}

/** `wrong_code`: the box does not open with this code (or was tampered with); `wrong_user`: it is another name's. */
export type RecoveryResult = { ok: true; identity: Identity } | { ok: false; problem: 'wrong_code' | 'wrong_user' };

/** Opens a `recovery` box with a parsed code and returns the identity it holds. Never throws. */
export function openRecovery(sodium: Sodium, symbols: string, name: string, box: Box): RecoveryResult {
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_secretbox_open_easy(fromBase64(sodium, box.ciphertext), fromBase64(sodium, box.nonce), recoveryKey(sodium, symbols));
  } catch {
    return { ok: false, problem: 'wrong_code' };
  }
  const expectedHead = Buffer.concat([Buffer.from(BOX_DOMAIN, 'ascii'), short(name)]);
  const head = Buffer.from(plain.subarray(0, plain.length - SEED_BYTES));
  if (plain.length <= SEED_BYTES || !head.subarray(0, BOX_DOMAIN.length).equals(expectedHead.subarray(0, BOX_DOMAIN.length))) return { ok: false, problem: 'wrong_code' };
  if (!head.equals(expectedHead)) return { ok: false, problem: 'wrong_user' };
  const pair = sodium.crypto_sign_seed_keypair(plain.subarray(plain.length - SEED_BYTES));
  sodium.memzero(plain);
  return { ok: true, identity: { publicKey: toBase64(sodium, pair.publicKey), secretKey: toBase64(sodium, pair.privateKey) } };
}

function short(text: string): Buffer {
  const bytes = Buffer.from(text, 'ascii');
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}
