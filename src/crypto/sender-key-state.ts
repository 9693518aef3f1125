/**
 * What a client saves of its room sender keys (its own, and those members handed it), and the
 * schema it is checked against when loaded: the file is outside input like any other.
 */
import { z } from 'zod';
import { CHAIN_KEY_BYTES, KEY_ID_BYTES, MAX_ITERATION } from './sender-key-chain';

const base64Of = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .refine((text) => text.length % 4 === 0 && Buffer.from(text, 'base64').length === bytes, { message: `must be base64 of ${bytes} bytes` });

const roomName = z.string().min(1).max(32);
const iteration = z.number().int().min(0).max(MAX_ITERATION + 1);

/** This device's sending key for one room. */
export const ownSenderKeySchema = z.strictObject({
  room: roomName,
  keyId: base64Of(KEY_ID_BYTES),
  iteration,
  chainKey: base64Of(CHAIN_KEY_BYTES),
  signingPublicKey: base64Of(32),
  signingSecretKey: base64Of(64),
});
export type OwnSenderKeyState = z.infer<typeof ownSenderKeySchema>;

/** A member's sender key as received (or this device's own copy, to read its sent messages back). */
export const receivedSenderKeySchema = z.strictObject({
  keyId: base64Of(KEY_ID_BYTES),
  signingKey: base64Of(32),
  iteration,
  chainKey: base64Of(CHAIN_KEY_BYTES),
  messageKeys: z.array(z.tuple([z.number().int().min(0).max(MAX_ITERATION), base64Of(32)])).max(100_000),
});
export type ReceivedSenderKeyState = z.infer<typeof receivedSenderKeySchema>;

export const roomKeysStateSchema = z.strictObject({
  version: z.literal(1),
  own: z.array(ownSenderKeySchema),
  /** Per room and member, oldest key first. */
  received: z.array(z.strictObject({ room: roomName, member: z.string().min(1).max(64), keys: z.array(receivedSenderKeySchema) })),
});
export type RoomKeysState = z.infer<typeof roomKeysStateSchema>;
