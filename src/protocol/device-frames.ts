/**
 * Protocol v4's linked-device frames (PROTOCOL.md section 22): the signed device list, linking a
 * new device (request, nonces, approval with a sealed provisioning bundle), removal, recovery,
 * and the per-device key boxes of a private message. Not served until a server lists 4 in
 * `hello.versions`.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { base64, base64Bytes, boxSchema, clientId, publicKeySchema, rawName, seq, signatureSchema } from './primitives';

/** The `hello.features` entry of a server that serves linked devices. */
export const DEVICES_FEATURE = 'devices';

/** A device id: 1-32 of A-Z a-z 0-9 _ -, chosen at random by the device. */
export const deviceIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxDeviceIdLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-32 of A-Z a-z 0-9 _ -');

// C0 and C1 controls and DEL: a label is shown to classmates on one line.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function isDeviceLabel(label: string): boolean {
  const bytes = Buffer.byteLength(label, 'utf8');
  return bytes >= 1 && bytes <= LIMITS.maxDeviceLabelBytes && !CONTROL_CHARACTER.test(label);
}

export const deviceLabelSchema = z.string().refine(isDeviceLabel, `a label is 1-${LIMITS.maxDeviceLabelBytes} UTF-8 bytes without control characters`);
const userName = z.string().min(1).max(32);
const millis = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const deviceEntrySchema = z.strictObject({ id: deviceIdSchema, publicKey: publicKeySchema, label: deviceLabelSchema, added: millis });
export type DeviceEntry = z.infer<typeof deviceEntrySchema>;

/**
 * A device list as it travels; its order, uniqueness and signature are checked by
 * src/crypto/device-list.ts (verifyDeviceList), which a client must run before using it.
 */
export const deviceListSchema = z.strictObject({
  user: userName,
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  primary: deviceIdSchema,
  devices: z.array(deviceEntrySchema).min(1).max(LIMITS.maxDevices),
  signature: signatureSchema,
});
export type DeviceListWire = z.infer<typeof deviceListSchema>;

const nonce32 = base64Bytes(32);
const linkId = clientId;
/** The sealed bundle: crypto_box_seal of signature ‖ JSON, base64. */
const sealedBundle = base64(LIMITS.maxBundleBase64);

/** One device's key box of a v4 private message (22.6): K and the body's hash, sealed device to device. */
export const deviceKeyBoxSchema = z.strictObject({
  user: userName,
  device: deviceIdSchema,
  nonce: base64(64),
  ciphertext: base64(LIMITS.maxDeviceKeyBoxBase64),
});
export type DeviceKeyBoxWire = z.infer<typeof deviceKeyBoxSchema>;
/** `send.keys`: every device of the recipient's list and the sender's other devices (none: a note to yourself from your only device). */
export const sendKeysSchema = z.array(deviceKeyBoxSchema).max(LIMITS.maxSendKeys);
/** How a device receives its own key box in `msg.key`. */
export const msgKeySchema = z.strictObject({ nonce: base64(64), ciphertext: base64(LIMITS.maxDeviceKeyBoxBase64) });

// ---- client → server ----

export const linkRequestFrame = z.object({
  type: z.literal('link_request'),
  rid: clientId,
  name: rawName,
  device: deviceIdSchema,
  deviceKey: publicKeySchema,
  ephemeralKey: publicKeySchema,
  label: deviceLabelSchema,
  commitment: nonce32,
});
export const linkNonceFrame = z.object({ type: z.literal('link_nonce'), link: linkId, nonce: nonce32 });
export const linkRevealFrame = z.object({ type: z.literal('link_reveal'), link: linkId, nonce: nonce32 });
export const linkApproveFrame = z.object({ type: z.literal('link_approve'), link: linkId, list: deviceListSchema, bundle: sealedBundle });
export const LINK_CANCEL_REASONS = ['refused', 'mismatch', 'cancelled'] as const;
export const linkCancelFrame = z.object({ type: z.literal('link_cancel'), link: linkId, reason: z.enum(LINK_CANCEL_REASONS) });
export const deviceListSetFrame = z.object({ type: z.literal('device_list_set'), rid: clientId, list: deviceListSchema });
export const deviceLeaveFrame = z.object({ type: z.literal('device_leave'), rid: clientId });
export const recoverySetFrame = z.object({ type: z.literal('recovery_set'), rid: clientId, box: boxSchema });
export const recoveryGetFrame = z.object({ type: z.literal('recovery_get'), rid: clientId, name: rawName });

/** The v4 client frames, with whether each needs a login first (22.3, 22.8: linking and recovery come before it). */
export const DEVICE_CLIENT_FRAME_SCHEMAS = {
  link_request: linkRequestFrame,
  link_nonce: linkNonceFrame,
  link_reveal: linkRevealFrame,
  link_approve: linkApproveFrame,
  link_cancel: linkCancelFrame,
  device_list_set: deviceListSetFrame,
  device_leave: deviceLeaveFrame,
  recovery_set: recoverySetFrame,
  recovery_get: recoveryGetFrame,
} as const;
export type DeviceClientFrameType = keyof typeof DEVICE_CLIENT_FRAME_SCHEMAS;
/** The v4 frames a connection may send before `login` (the new device and a recovering one are not logged in). */
export const DEVICE_FRAMES_BEFORE_LOGIN: ReadonlySet<DeviceClientFrameType> = new Set(['link_request', 'link_reveal', 'link_cancel', 'recovery_get']);

/** The fields v4 adds to `login` (22.5): the device logging in, and a new list from the identity. */
export const loginDeviceFields = {
  device: deviceIdSchema.optional(),
  deviceList: deviceListSchema.optional(),
};

// ---- server → client ----

const linkPendingFrame = z.object({ type: z.literal('link_pending'), rid: clientId, link: linkId, identityKey: publicKeySchema, expires: millis });
const linkRequestNotice = z.object({
  type: z.literal('link_request'),
  link: linkId,
  device: deviceIdSchema,
  deviceKey: publicKeySchema,
  ephemeralKey: publicKeySchema,
  label: deviceLabelSchema,
  commitment: nonce32,
});
const linkNonceNotice = linkNonceFrame;
const linkRevealNotice = linkRevealFrame;
const linkApprovedFrame = z.object({ type: z.literal('link_approved'), link: linkId, bundle: sealedBundle });
export const LINK_END_REASONS = [...LINK_CANCEL_REASONS, 'expired', 'gone'] as const;
const linkCancelledFrame = z.object({ type: z.literal('link_cancelled'), link: linkId, reason: z.enum(LINK_END_REASONS) });
/** `past`: an earlier list that last listed a device since removed, only to open what it sent before (22.7). */
const deviceListNotice = z.object({ type: z.literal('device_list'), list: deviceListSchema, past: z.literal(true).optional() });
const deviceLeftNotice = z.object({ type: z.literal('device_left'), device: deviceIdSchema });
const recoveryReply = z.object({ type: z.literal('recovery'), rid: clientId, box: boxSchema, version: seq });

export const DEVICE_SERVER_FRAME_SCHEMAS = {
  link_pending: linkPendingFrame,
  link_request: linkRequestNotice,
  link_nonce: linkNonceNotice,
  link_reveal: linkRevealNotice,
  link_approved: linkApprovedFrame,
  link_cancelled: linkCancelledFrame,
  device_list: deviceListNotice,
  device_left: deviceLeftNotice,
  recovery: recoveryReply,
} as const;

// ---- inside boxes ----

export const pinSchema = z.strictObject({ name: userName, key: publicKeySchema, verified: z.boolean() });
export type BundlePin = z.infer<typeof pinSchema>;

/** The provisioning bundle's JSON (22.4), before it is signed and sealed. */
export const provisioningBundleSchema = z.strictObject({
  v: z.literal(1),
  transcript: nonce32,
  name: userName,
  identityKey: publicKeySchema,
  list: deviceListSchema,
  readSeq: seq,
  pins: z.array(pinSchema).max(LIMITS.maxBundlePins),
});
export type ProvisioningBundle = z.infer<typeof provisioningBundleSchema>;

/** What one of your devices tells the others (22.6), in a hidden private message to yourself. */
export const syncContentSchema = z.strictObject({
  pins: z.array(pinSchema.extend({ at: millis })).max(LIMITS.maxSyncPins).optional(),
  read: z.array(z.strictObject({ with: z.string().min(1).max(33), seq })).max(LIMITS.maxSyncReads).optional(),
  left: deviceIdSchema.optional(),
  /** The primary forwards a message only it could open (from a v1-v3 client, 22.9). */
  copy: z.strictObject({ from: userName, seq, id: clientId, content: z.record(z.string(), z.unknown()) }).optional(),
});
export type SyncContent = z.infer<typeof syncContentSchema>;
