/**
 * The records of LogStore's append-only log and their line format:
 * `<crc32 of the JSON, 8 lower-case hex digits> <compact JSON>\n`, one record per line.
 * Decoding validates everything: a line read back from disk is outside data.
 */
import * as zlib from 'node:zlib';
import { z } from 'zod';
import { REF_RELATIONS } from '../../protocol/references';
import { eventSchema, ROLES } from '../../protocol/room-frames';
import type { StoredMessage } from './store';

const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const nameSchema = z.string().min(1);
/** Deliberately looser than the protocol's box schema: a later change of limits must not make stored records unreadable. */
const boxSchema = z.strictObject({ nonce: z.string(), ciphertext: z.string() });

/** A user registered or bound a key; `acked` is its ackedSeq at that moment. */
const userRecord = z.strictObject({
  t: z.literal('user'),
  name: nameSchema,
  key: z.string().min(1).nullable(),
  acked: seqSchema,
  /** Private history before this seq belongs to an earlier owner of the name (absent: 0). */
  since: seqSchema.optional(),
});
/** Operator reset: the user and its ack are forgotten, its messages stay. */
const deleteUserRecord = z.strictObject({ t: z.literal('deluser'), name: nameSchema });
const messageRecord = z.strictObject({
  t: z.literal('msg'),
  seq: seqSchema.min(1),
  from: nameSchema,
  id: z.string().min(1),
  to: nameSchema,
  ts: z.number(),
  text: z.string().optional(),
  box: boxSchema.optional(),
  plain: z.literal(true).optional(),
  file: z.strictObject({ id: z.string().min(1), size: z.number().int().min(0), chunkBytes: z.number().int().min(1) }).optional(),
  event: eventSchema.optional(),
  ref: z.strictObject({ seq: seqSchema, rel: z.enum(REF_RELATIONS), author: nameSchema.optional() }).optional(),
  edited: z.strictObject({ seq: seqSchema, id: z.string().min(1), ts: z.number() }).optional(),
  deleted: z.strictObject({ by: nameSchema, ts: z.number() }).optional(),
  hidden: z.literal(true).optional(),
  held: z.literal(true).optional(),
  device: z.string().min(1).optional(),
  keys: z.array(z.strictObject({ user: nameSchema, device: z.string().min(1), nonce: z.string(), ciphertext: z.string() })).optional(),
});
/**
 * A user's device record (v4) as the server accepted it. The list is checked when it is accepted
 * and kept as it was signed; here only its shape is read back (a limit change must not break it).
 */
const storedDeviceList = z.strictObject({
  user: nameSchema,
  version: seqSchema,
  primary: z.string().min(1),
  devices: z.array(z.strictObject({ id: z.string().min(1), publicKey: z.string(), label: z.string(), added: seqSchema })),
  signature: z.string(),
});
const devicesRecord = z.strictObject({
  t: z.literal('devices'),
  name: nameSchema,
  list: storedDeviceList,
  removed: z.array(z.string().min(1)),
  cursors: z.record(z.string(), seqSchema),
  recovery: boxSchema.optional(),
  past: z.array(storedDeviceList).optional(),
});
/** One device acknowledged everything up to seq. */
const deviceAckRecord = z.strictObject({ t: z.literal('dack'), name: nameSchema, device: z.string().min(1), seq: seqSchema });
/** What moderation left in force, written by compaction (the events themselves may be dropped). */
const moderationRecord = z.strictObject({
  t: z.literal('mod'),
  mutes: z.array(z.tuple([nameSchema, z.number().int().min(0)])),
  banned: z.array(nameSchema),
  readOnly: z.boolean(),
});
/** The operator gave a name a role (`student`: back to none). */
const roleRecord = z.strictObject({ t: z.literal('role'), name: nameSchema, role: z.enum(ROLES) });
/** A user blocked (`on`) or unblocked another (PROTOCOL.md 20.9). */
const blockRecord = z.strictObject({ t: z.literal('block'), name: nameSchema, blocked: nameSchema, on: z.boolean() });
const ackRecord = z.strictObject({ t: z.literal('ack'), name: nameSchema, seq: seqSchema });
/**
 * The highest sequence number ever assigned, written first by compaction so that sequence
 * numbers are never reused even when every message was compacted away.
 */
const headRecord = z.strictObject({ t: z.literal('head'), seq: seqSchema });

export const logRecordSchema = z.discriminatedUnion('t', [
  userRecord,
  deleteUserRecord,
  messageRecord,
  ackRecord,
  headRecord,
  roleRecord,
  moderationRecord,
  devicesRecord,
  deviceAckRecord,
  blockRecord,
]);
export type DevicesRecord = z.infer<typeof devicesRecord>;
export type LogRecord = z.infer<typeof logRecordSchema>;
export type MessageRecord = z.infer<typeof messageRecord>;

export function messageToRecord(message: StoredMessage): MessageRecord {
  const record: MessageRecord = { t: 'msg', seq: message.seq, from: message.from, id: message.id, to: message.to, ts: message.ts };
  if (message.text !== undefined) record.text = message.text;
  if (message.box !== undefined) record.box = { nonce: message.box.nonce, ciphertext: message.box.ciphertext };
  if (message.plain) record.plain = true;
  if (message.file !== undefined) record.file = { id: message.file.id, size: message.file.size, chunkBytes: message.file.chunkBytes };
  if (message.event !== undefined) record.event = message.event;
  if (message.ref !== undefined) record.ref = { seq: message.ref.seq, rel: message.ref.rel, ...(message.ref.author !== undefined ? { author: message.ref.author } : {}) };
  if (message.edited !== undefined) record.edited = { seq: message.edited.seq, id: message.edited.id, ts: message.edited.ts };
  if (message.deleted !== undefined) record.deleted = { by: message.deleted.by, ts: message.deleted.ts };
  if (message.hidden) record.hidden = true;
  if (message.held) record.held = true;
  if (message.device !== undefined) record.device = message.device;
  if (message.keys !== undefined) record.keys = message.keys.map((key) => ({ user: key.user, device: key.device, nonce: key.nonce, ciphertext: key.ciphertext }));
  return record;
}

export function recordToMessage(record: MessageRecord): StoredMessage {
  const message: StoredMessage = { seq: record.seq, from: record.from, id: record.id, to: record.to, ts: record.ts };
  if (record.text !== undefined) message.text = record.text;
  if (record.box !== undefined) message.box = record.box;
  if (record.plain) message.plain = true;
  if (record.file !== undefined) message.file = record.file;
  if (record.event !== undefined) message.event = record.event;
  if (record.ref !== undefined) message.ref = record.ref;
  if (record.edited !== undefined) message.edited = record.edited;
  if (record.deleted !== undefined) message.deleted = record.deleted;
  if (record.hidden) message.hidden = true;
  if (record.held) message.held = true;
  if (record.device !== undefined) message.device = record.device;
  if (record.keys !== undefined) message.keys = record.keys;
  return message;
}

/** One log line, newline included. */
export function encodeRecord(record: LogRecord): string {
  const json = JSON.stringify(record);
  return `${hex8(crc32(json))} ${json}\n`;
}

export type DecodeResult = { ok: true; record: LogRecord } | { ok: false; reason: string };

/** Decodes one line (without its newline). */
export function decodeRecord(line: Buffer): DecodeResult {
  if (line.length < 10 || line[8] !== 0x20) return { ok: false, reason: 'not a "<crc> <json>" line' };
  const crcText = line.toString('latin1', 0, 8);
  if (!/^[0-9a-f]{8}$/.test(crcText)) return { ok: false, reason: 'bad checksum field' };
  const body = line.subarray(9);
  if (crc32(body) !== parseInt(crcText, 16)) return { ok: false, reason: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const parsed = logRecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `invalid record: ${parsed.error.issues[0]?.message ?? 'unknown'}` };
  return { ok: true, record: parsed.data };
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE) in plain JavaScript, for hosts whose Node predates zlib.crc32 (20.15). */
export function crc32Fallback(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc32: ((data: Uint8Array | string) => number) | undefined = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/** CRC-32 of bytes, or of a string's UTF-8 (zlib encodes it natively: no Buffer per record). */
export function crc32(data: Uint8Array | string): number {
  if (nativeCrc32) return nativeCrc32(data);
  return crc32Fallback(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}
