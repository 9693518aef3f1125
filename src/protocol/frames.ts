/**
 * Every frame of ClassChat protocol v1 and v2, as zod schemas (runtime validation) and the
 * TypeScript types inferred from them; v3's room, moderation and reference frames are in
 * room-frames.ts and references.ts, v4's linked-device frames in device-frames.ts. PROTOCOL.md documents the same frames for implementers.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { ErrorCode, isErrorCode } from './errors';
import {
  base64Bytes,
  boxSchema,
  chunkBytes,
  chunkData,
  chunkIndex,
  clientId,
  fileIdSchema,
  fileOfferSchema,
  fileRefSchema,
  FILE_CANCEL_REASONS,
  FILE_STATES,
  fileSize,
  publicKeySchema,
  rawName,
  recipient,
  seq,
  signatureSchema,
  textSchema,
} from './primitives';

import { deletedSchema, editedSchema, refSchema, sendContentProblem, sendReferenceFields } from './references';
import { eventSchema, MODERATION_CLIENT_FRAME_SCHEMAS, ROOM_CLIENT_FRAME_SCHEMAS, ROOM_SERVER_FRAME_SCHEMAS } from './room-frames';
import { BLOCK_CLIENT_FRAME_SCHEMAS, BLOCK_SERVER_FRAME_SCHEMAS } from './block-frames';
import { DEVICE_CLIENT_FRAME_SCHEMAS, DEVICE_SERVER_FRAME_SCHEMAS, deviceIdSchema, deviceListSchema, loginDeviceFields, msgKeySchema, sendKeysSchema } from './device-frames';

export { boxSchema, decodeBase64, fileIdSchema, fileOfferSchema, fileRefSchema, FILE_CANCEL_REASONS, FILE_STATES, isBase64, publicKeySchema, signatureSchema, textSchema } from './primitives';
export type { Box, FileOffer, FileRef, FileState } from './primitives';

// ---- client → server ----

export const loginFrame = z.object({
  type: z.literal('login'),
  v: z.number().int(),
  name: rawName,
  publicKey: publicKeySchema,
  signature: signatureSchema,
  joinCode: z.string().max(256).optional(),
  ackedSeq: seq.optional(),
  client: z.string().max(64).optional(),
  /** Features the client takes from those the server offered: today only `binary-chunks`. */
  features: z.array(z.string().max(64)).max(16).optional(),
  /** v4: the device logging in (its key signs), and a new device list signed by the identity. */
  ...loginDeviceFields,
});

export const sendFrame = z
  .object({
    type: z.literal('send'),
    id: clientId,
    to: recipient,
    text: textSchema.optional(),
    box: boxSchema.optional(),
    /** Present on a file offer; the box then carries the file's name and key. */
    file: fileOfferSchema.optional(),
    /** v3: `ref` (a reply, edit, delete or reaction) and `hidden` (a room key distribution). */
    ...sendReferenceFields,
    /** v4: the body key K sealed to every device (the box is then K's secretbox: 22.6). */
    keys: sendKeysSchema.optional(),
  })
  .superRefine((frame, context) => {
    const problem = sendContentProblem(frame);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .refine((frame) => frame.ref === undefined || (frame.file === undefined && frame.hidden === undefined), { message: 'a file offer or room key carries no ref' })
  .refine((frame) => frame.file === undefined || frame.box !== undefined, { message: 'a file offer carries a box' })
  .refine((frame) => frame.hidden === undefined || (frame.box !== undefined && frame.file === undefined), { message: 'a hidden message is a box' })
  .refine((frame) => frame.keys === undefined || frame.box !== undefined, { message: 'keys go with a box' });

export const ackFrame = z.object({ type: z.literal('ack'), seq });

export const historyFrame = z.object({
  type: z.literal('history'),
  rid: clientId,
  with: recipient,
  before: seq.optional(),
  limit: z.number().int().min(1).max(LIMITS.maxHistoryPage).optional(),
});

export const fileChunkFrame = z.object({ type: z.literal('file_chunk'), file: fileIdSchema, index: chunkIndex, data: chunkData });
/** Cumulative: every chunk up to and including `index` has arrived. */
export const fileAckFrame = z.object({ type: z.literal('file_ack'), file: fileIdSchema, index: chunkIndex });
export const fileGetFrame = z.object({ type: z.literal('file_get'), file: fileIdSchema, from: chunkIndex });
export const fileDoneFrame = z.object({ type: z.literal('file_done'), file: fileIdSchema });
export const fileCancelFrame = z.object({ type: z.literal('file_cancel'), file: fileIdSchema, reason: z.enum(FILE_CANCEL_REASONS) });
export const fileStatusFrame = z.object({ type: z.literal('file_status'), rid: clientId, file: fileIdSchema.optional() });

export const pingFrame = z.object({ type: z.literal('ping'), rid: clientId.optional() });
export const byeFrame = z.object({ type: z.literal('bye') });

export const CLIENT_FRAME_SCHEMAS = {
  login: loginFrame,
  send: sendFrame,
  ack: ackFrame,
  history: historyFrame,
  file_chunk: fileChunkFrame,
  file_ack: fileAckFrame,
  file_get: fileGetFrame,
  file_done: fileDoneFrame,
  file_cancel: fileCancelFrame,
  file_status: fileStatusFrame,
  ping: pingFrame,
  bye: byeFrame,
  ...ROOM_CLIENT_FRAME_SCHEMAS,
  ...MODERATION_CLIENT_FRAME_SCHEMAS,
  ...BLOCK_CLIENT_FRAME_SCHEMAS,
  ...DEVICE_CLIENT_FRAME_SCHEMAS,
} as const;

export type ClientFrameType = keyof typeof CLIENT_FRAME_SCHEMAS;
export type ClientFrameOf<T extends ClientFrameType> = z.infer<(typeof CLIENT_FRAME_SCHEMAS)[T]>;
export type ClientFrame = { [T in ClientFrameType]: ClientFrameOf<T> }[ClientFrameType];
export type LoginFrame = ClientFrameOf<'login'>;
export type SendFrame = ClientFrameOf<'send'>;

// ---- server → client ----

export const userInfoSchema = z.object({
  name: z.string().min(1).max(32),
  /** Ed25519 public key (base64); null for a plain-text user without a key. */
  publicKey: publicKeySchema.nullable(),
  online: z.boolean(),
  /** v3: a teacher or TA (absent: a student); set by the operator. */
  role: z.enum(['teacher', 'ta']).optional(),
  /** v4: the user's signed device list (absent: one device, the identity key). */
  devices: deviceListSchema.optional(),
});
export type UserInfo = z.infer<typeof userInfoSchema>;

export const chatMessageSchema = z.object({
  type: z.literal('msg'),
  seq,
  /** The sender's client-chosen id. */
  id: clientId,
  from: z.string().min(1).max(32),
  to: recipient,
  /** Server time in milliseconds since the epoch. */
  ts: z.number().int().min(0),
  text: z.string().optional(),
  box: boxSchema.optional(),
  /** Sent over the unauthenticated plain-text mode. */
  plain: z.literal(true).optional(),
  /** A file offer: fetch it with file_get (the box holds its name and key). */
  file: fileRefSchema.optional(),
  /** v3: a membership or moderation change, instead of text or box. */
  event: eventSchema.optional(),
  /** v3: a room key distribution; a client does not show it. */
  hidden: z.literal(true).optional(),
  /** v3: a reply, edit, delete or reaction to the message with that seq (20.5). */
  ref: refSchema.optional(),
  /** v3, in history: the message's content is that of its newest edit. */
  edited: editedSchema.optional(),
  /** v3, in history: the message was deleted and its content erased. */
  deleted: deletedSchema.optional(),
  /** v4: the sending device. */
  device: deviceIdSchema.optional(),
  /** v4: this device's key box for the message's box (22.6). */
  key: msgKeySchema.optional(),
  /** v4, in history: sealed before this device was linked; no box for it. */
  otherDevices: z.literal(true).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const helloFrame = z.object({
  type: z.literal('hello'),
  protocol: z.literal('classchat'),
  versions: z.array(z.number().int()).min(1).max(16),
  server: z.string().max(64),
  challenge: base64Bytes(32),
  features: z.array(z.string().max(64)).max(64),
  joinCodeRequired: z.boolean(),
  limits: z.object({
    maxLineBytes: z.number().int().positive(),
    maxTextBytes: z.number().int().positive(),
    /** Present when the server relays files ("files" in features). */
    maxFileBytes: z.number().int().positive().optional(),
  }),
  info: z.string().max(512).optional(),
});

const welcomeFrame = z.object({
  type: z.literal('welcome'),
  v: z.number().int(),
  name: z.string().min(1).max(32),
  registered: z.boolean(),
  ackedSeq: seq,
  /** v1: the whole roster. v2: its first page, with `more` when `roster` pages follow. */
  users: z.array(userInfoSchema),
  more: z.boolean().optional(),
  /** v4: the device logged in. */
  device: deviceIdSchema.optional(),
});
/** v2: the next page of the roster, right after `welcome` and before anything else. */
const rosterFrame = z.object({ type: z.literal('roster'), users: z.array(userInfoSchema).max(LIMITS.maxRosterPage), more: z.boolean() });

const sentFrame = z.object({
  type: z.literal('sent'),
  id: clientId,
  seq,
  ts: z.number().int(),
  duplicate: z.boolean(),
  /** The file id, when the message was a file offer. */
  file: fileIdSchema.optional(),
  /** v3: kept for a name nobody has registered yet, delivered at its first login. */
  held: z.literal(true).optional(),
});
const syncedFrame = z.object({ type: z.literal('synced'), seq });
const presenceFrame = z.object({ type: z.literal('presence'), user: userInfoSchema });
const historyPageFrame = z.object({
  type: z.literal('history_page'),
  rid: clientId,
  with: recipient,
  messages: z.array(chatMessageSchema),
  more: z.boolean(),
});
const pongFrame = z.object({ type: z.literal('pong'), rid: clientId.optional() });
const errorCode = z.string().refine(isErrorCode, 'unknown error code');
const errorFrame = z.object({
  type: z.literal('error'),
  code: errorCode,
  message: z.string().max(1024),
  /** The client message id or request id the error is about. */
  id: clientId.optional(),
  rid: clientId.optional(),
  /** The server closes the connection after a fatal error. */
  fatal: z.boolean(),
});
export const fileInfoSchema = z.object({
  file: fileIdSchema,
  /** The offer message's id (its box is sealed under it). */
  id: clientId,
  from: z.string().min(1).max(32),
  to: z.string().min(1).max(32),
  size: fileSize,
  chunkBytes,
  /** Chunks the server holds (the sender resumes from here). */
  uploaded: chunkIndex,
  state: z.enum(FILE_STATES),
  /** The offer message. */
  seq,
  ts: z.number().int().min(0),
  box: boxSchema,
});
export type FileInfo = z.infer<typeof fileInfoSchema>;
const serverFileChunkFrame = fileChunkFrame;
const serverFileAckFrame = fileAckFrame;
/** A transfer changed state; `by` is who ended it. */
const fileStateFrame = z.object({ type: z.literal('file_state'), file: fileIdSchema, state: z.enum(FILE_STATES), by: z.string().max(32).optional() });
const fileStatusReplyFrame = z.object({ type: z.literal('file_status'), rid: clientId, files: z.array(fileInfoSchema).max(LIMITS.maxFileList) });
const serverByeFrame = z.object({ type: z.literal('bye'), reason: errorCode });

export const SERVER_FRAME_SCHEMAS = {
  hello: helloFrame,
  welcome: welcomeFrame,
  roster: rosterFrame,
  msg: chatMessageSchema,
  sent: sentFrame,
  synced: syncedFrame,
  presence: presenceFrame,
  history_page: historyPageFrame,
  file_chunk: serverFileChunkFrame,
  file_ack: serverFileAckFrame,
  file_state: fileStateFrame,
  file_status: fileStatusReplyFrame,
  pong: pongFrame,
  error: errorFrame,
  bye: serverByeFrame,
  ...ROOM_SERVER_FRAME_SCHEMAS,
  ...BLOCK_SERVER_FRAME_SCHEMAS,
  ...DEVICE_SERVER_FRAME_SCHEMAS,
} as const;

export type ServerFrameType = keyof typeof SERVER_FRAME_SCHEMAS;
export type ServerFrameOf<T extends ServerFrameType> = z.infer<(typeof SERVER_FRAME_SCHEMAS)[T]>;
export type ServerFrame = { [T in ServerFrameType]: ServerFrameOf<T> }[ServerFrameType];
export type HelloFrame = ServerFrameOf<'hello'>;
export type WelcomeFrame = ServerFrameOf<'welcome'>;
export type ErrorFrame = Omit<ServerFrameOf<'error'>, 'code'> & { code: ErrorCode };
