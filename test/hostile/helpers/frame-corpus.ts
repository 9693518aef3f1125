/**
 * Hostile frames generated from the protocol's own frame list (CLIENT_FRAME_SCHEMAS): for every
 * client frame type a valid sample, and from it one case per field (nested fields too) per
 * value of the wrong type, plus one per required field left out. A frame type or field added
 * to the protocol without a sample here fails the corpus's own check.
 */
import { z } from 'zod';
import { CLIENT_FRAME_SCHEMAS, ClientFrameType } from '../../../src/protocol/frames';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Sample = { [key: string]: Json };

const KEY32 = Buffer.alloc(32, 7).toString('base64');
const SIG64 = Buffer.alloc(64, 9).toString('base64');
const BOX = { nonce: Buffer.alloc(24, 1).toString('base64'), ciphertext: Buffer.alloc(40, 2).toString('base64') };
/** A device list of the right shape (v4, PROTOCOL.md 22.2); the schema does not check its signature. */
const DEVICE_LIST = { user: 'prober', version: 2, primary: 'dev_a', devices: [{ id: 'dev_a', publicKey: KEY32, label: 'Laptop', added: 1 }], signature: SIG64 };
const KEY_BOX = { user: 'steady_b', device: 'dev_b', nonce: Buffer.alloc(24, 3).toString('base64'), ciphertext: Buffer.alloc(96, 4).toString('base64') };

/** Valid frames with every optional field present; `send` needs two (text, and box with a file). */
export const VALID_SAMPLES: Record<ClientFrameType, Sample[]> = {
  login: [{ type: 'login', v: 1, name: 'prober', publicKey: KEY32, signature: SIG64, joinCode: 'code', ackedSeq: 0, client: 'hostile-test', features: ['binary-chunks'], device: 'dev_a', deviceList: DEVICE_LIST }],
  send: [
    { type: 'send', id: 'send_text', to: '*', text: 'hello' },
    { type: 'send', id: 'send_file', to: 'steady_b', box: BOX, file: { size: 10, chunkBytes: 10 } },
    { type: 'send', id: 'send_hidden', to: 'steady_b', box: BOX, hidden: true },
    { type: 'send', id: 'send_reply', to: '*', text: 'yes', ref: { seq: 1, rel: 'reply' } },
    { type: 'send', id: 'send_keys', to: 'steady_b', box: BOX, keys: [KEY_BOX] },
  ],
  ack: [{ type: 'ack', seq: 1 }],
  history: [{ type: 'history', rid: 'hist1', with: '*', before: 10, limit: 5 }],
  file_chunk: [{ type: 'file_chunk', file: 'f1', index: 0, data: 'AAAA' }],
  file_ack: [{ type: 'file_ack', file: 'f1', index: 0 }],
  file_get: [{ type: 'file_get', file: 'f1', from: 0 }],
  file_done: [{ type: 'file_done', file: 'f1' }],
  file_cancel: [{ type: 'file_cancel', file: 'f1', reason: 'cancelled' }],
  file_status: [{ type: 'file_status', rid: 'stat1', file: 'f1' }],
  ping: [{ type: 'ping', rid: 'ping1' }],
  bye: [{ type: 'bye' }],
  room_create: [{ type: 'room_create', rid: 'room1', room: '#probe-room', kind: 'group', encrypted: true, readOnly: false, members: ['steady_b'] }],
  room_join: [{ type: 'room_join', rid: 'room2', room: 'probe-room' }],
  room_leave: [{ type: 'room_leave', rid: 'room3', room: 'probe-room' }],
  room_add: [{ type: 'room_add', rid: 'room4', room: 'probe-room', members: ['steady_b'] }],
  room_remove: [{ type: 'room_remove', rid: 'room5', room: 'probe-room', name: 'steady_b' }],
  room_list: [{ type: 'room_list', rid: 'room6' }],
  room_members: [{ type: 'room_members', rid: 'room7', room: 'probe-room' }],
  moderate: [{ type: 'moderate', rid: 'mod1', action: 'mute', name: 'steady_b', minutes: 5 }],
  block: [{ type: 'block', rid: 'blk1', name: 'steady_b' }],
  unblock: [{ type: 'unblock', rid: 'blk2', name: 'steady_b' }],
  block_list: [{ type: 'block_list', rid: 'blk3' }],
  link_request: [{ type: 'link_request', rid: 'link1', name: 'steady_b', device: 'dev_n', deviceKey: KEY32, ephemeralKey: KEY32, label: 'Lab PC 12', commitment: KEY32 }],
  link_nonce: [{ type: 'link_nonce', link: 'lk1', nonce: KEY32 }],
  link_reveal: [{ type: 'link_reveal', link: 'lk1', nonce: KEY32 }],
  link_approve: [{ type: 'link_approve', link: 'lk1', list: DEVICE_LIST, bundle: 'AAAA' }],
  link_cancel: [{ type: 'link_cancel', link: 'lk1', reason: 'refused' }],
  device_list_set: [{ type: 'device_list_set', rid: 'dls1', list: DEVICE_LIST }],
  device_leave: [{ type: 'device_leave', rid: 'dl1' }],
  recovery_set: [{ type: 'recovery_set', rid: 'rs1', box: BOX }],
  recovery_get: [{ type: 'recovery_get', rid: 'rg1', name: 'steady_b' }],
};

/** One of each JSON type; for any field, those its schema refuses are the wrong ones. */
const VALUES_OF_EVERY_TYPE: Json[] = [7, 2.5, -1, 'text', '', true, null, [], ['x'], {}, { a: 1 }];

export interface HostileCase {
  label: string;
  frameType: ClientFrameType;
  frame: Sample;
  /** The id / rid the server's error must echo (the sample's, unless that field is the broken one). */
  echoId?: string;
  echoRid?: string;
}

function schemaKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function isPlainObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every field path of a sample, nested objects included (["box"], ["box", "nonce"], ...). */
function fieldPaths(sample: Sample, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(sample)) {
    if (prefix.length === 0 && key === 'type') continue;
    paths.push([...prefix, key]);
    if (isPlainObject(value)) paths.push(...fieldPaths(value, [...prefix, key]));
  }
  return paths;
}

function withField(sample: Sample, path: string[], value: Json | undefined): Sample {
  const copy = JSON.parse(JSON.stringify(sample)) as Sample;
  let target: { [key: string]: Json } = copy;
  for (const key of path.slice(0, -1)) target = target[key] as { [key: string]: Json };
  if (value === undefined) delete target[path[path.length - 1]];
  else target[path[path.length - 1]] = value;
  return copy;
}

function echo(frame: Sample, key: 'id' | 'rid'): string | undefined {
  const value = frame[key];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
}

/** Checks the samples cover the frame list and are valid; returns what is wrong (empty when fine). */
export function sampleProblems(): string[] {
  const problems: string[] = [];
  for (const [type, schema] of Object.entries(CLIENT_FRAME_SCHEMAS) as Array<[ClientFrameType, z.ZodType]>) {
    const samples = VALID_SAMPLES[type];
    if (!samples || samples.length === 0) problems.push(`no sample for ${type}`);
    const covered = new Set(samples.flatMap((sample) => Object.keys(sample)));
    for (const key of schemaKeys(schema)) if (!covered.has(key)) problems.push(`${type}.${key} has no sample`);
    for (const sample of samples) {
      const parsed = schema.safeParse(sample);
      if (!parsed.success) problems.push(`${type} sample is invalid: ${parsed.error.issues[0]?.message}`);
    }
  }
  return problems;
}

/** The wrong-type and missing-field cases for every client frame type. */
export function wrongTypeCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const [type, schema] of Object.entries(CLIENT_FRAME_SCHEMAS) as Array<[ClientFrameType, z.ZodType]>) {
    for (const sample of VALID_SAMPLES[type]) {
      const add = (label: string, frame: Sample) => {
        // Only frames the protocol refuses: a value of another type that is still valid is no case.
        if (schema.safeParse(frame).success) return;
        cases.push({ label: `${type}: ${label}`, frameType: type, frame, echoId: echo(frame, 'id'), echoRid: echo(frame, 'rid') });
      };
      for (const path of fieldPaths(sample)) {
        for (const value of VALUES_OF_EVERY_TYPE) add(`${path.join('.')} = ${JSON.stringify(value)}`, withField(sample, path, value));
        add(`${path.join('.')} missing`, withField(sample, path, undefined));
      }
    }
    // The type field itself, missing or not a string: refused before the frame is looked at,
    // so no id is echoed.
    for (const value of [...VALUES_OF_EVERY_TYPE.filter((v) => typeof v !== 'string'), undefined]) {
      const label = value === undefined ? 'type missing' : `type = ${JSON.stringify(value)}`;
      cases.push({ label: `${type}: ${label}`, frameType: type, frame: withField(VALID_SAMPLES[type][0], ['type'], value) });
    }
  }
  return cases;
}
