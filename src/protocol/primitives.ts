/**
 * The value types frames are built from (base64, ids, seqs, names, text, boxes, file sizes),
 * shared by the v1/v2 frames (frames.ts) and the v3 room and reference frames.
 */
import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * Standard base64: length a multiple of 4, "=" only as one or two final characters, nothing
 * outside the alphabet. Checked by decoding: Node's decoder skips characters outside its alphabet,
 * so any stray character shows as missing bytes; it also takes the URL-safe "-" and "_", which are
 * ruled out first. On 87 KB file chunks this is ~3× cheaper than a regex scan.
 */
export function isBase64(text: string): boolean {
  return decodeBase64(text) !== undefined;
}

/** The bytes of canonical standard base64 (padded, no URL-safe characters); undefined otherwise. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const firstEquals = text.indexOf('=');
  if (firstEquals !== -1 && firstEquals < text.length - padding) return undefined;
  // Node skips characters outside the alphabet: a short result means there were some.
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

export const base64 = (maxLength: number) => z.string().max(maxLength).refine(isBase64, 'must be base64');
/** Canonical base64 of exactly `bytes` bytes (right padding, no stray bits). */
export const base64Bytes = (bytes: number) =>
  z
    .string()
    .length(Math.ceil(bytes / 3) * 4)
    .refine(isBase64, 'must be base64')
    .refine((text) => {
      const decoded = Buffer.from(text, 'base64');
      return decoded.length === bytes && decoded.toString('base64') === text;
    }, `must be the base64 of exactly ${bytes} bytes`);

export const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const clientId = z
  .string()
  .min(1)
  .max(LIMITS.maxClientIdLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-64 of A-Z a-z 0-9 _ -');
/** Raw user name as sent; the server normalises and checks it (names.ts) to give a precise code. */
export const rawName = z.string().min(1).max(64);
/** A recipient: a user name or "*" for everyone. */
export const recipient = z.string().min(1).max(64);

export const publicKeySchema = base64Bytes(32);
export const signatureSchema = base64Bytes(64);

/** Text measured in UTF-8 bytes, not UTF-16 units. */
export const textSchema = z
  .string()
  .refine((text) => Buffer.byteLength(text, 'utf8') <= LIMITS.maxTextBytes, { message: 'text_too_long' });

/** An end-to-end encrypted payload: the server relays it and cannot read it. */
export const boxSchema = z.strictObject({
  nonce: base64(64),
  ciphertext: base64(LIMITS.maxBoxBase64),
});
export type Box = z.infer<typeof boxSchema>;

/** A server-chosen file transfer id. */
export const fileIdSchema = clientId;
export const chunkIndex = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** One chunk of a file's ciphertext, base64. */
export const chunkData = base64(Math.ceil(LIMITS.maxFileChunkBytes / 3) * 4);
export const fileSize = z.number().int().min(1).max(LIMITS.maxFileBytes);
export const chunkBytes = z.number().int().min(1).max(LIMITS.maxFileChunkBytes);

/** What a file offer tells the server: sizes only; name and key travel in the message's box. */
export const fileOfferSchema = z.strictObject({ size: fileSize, chunkBytes });
export type FileOffer = z.infer<typeof fileOfferSchema>;
/** How a file offer appears in a delivered `msg`. */
export const fileRefSchema = z.strictObject({ id: fileIdSchema, size: fileSize, chunkBytes });
export type FileRef = z.infer<typeof fileRefSchema>;

export const FILE_STATES = ['uploading', 'uploaded', 'delivered', 'declined', 'cancelled', 'failed', 'expired'] as const;
export type FileState = (typeof FILE_STATES)[number];
/** Why a party ends a transfer early. */
export const FILE_CANCEL_REASONS = ['declined', 'cancelled', 'failed'] as const;
