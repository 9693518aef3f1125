/** Turns decoded lines into validated frames, and frames into lines. */
import { z } from 'zod';
import { CLIENT_FRAME_SCHEMAS, ClientFrame, SERVER_FRAME_SCHEMAS, ServerFrame } from './frames';
import { ErrorCode } from './errors';
import { BINARY_CHUNK_TYPE } from './binary-chunk';

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; code: ErrorCode; detail: string; id?: string; rid?: string };

type SchemaTable = Record<string, z.ZodType>;

function parseWith<F>(table: SchemaTable, line: string): ParseResult<F> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: 'bad_json', detail: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_json', detail: 'a frame must be a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string') return { ok: false, code: 'invalid_frame', detail: '"type" must be a string' };
  // Raw bytes may follow a binary chunk header, so one the byte-level reader did not take loses the framing.
  if (type === BINARY_CHUNK_TYPE) return { ok: false, code: 'bad_binary_frame', detail: 'a binary chunk header is spelled exactly as in PROTOCOL 19.1' };
  const schema = Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
  if (!schema) return { ok: false, code: 'unknown_type', detail: `unknown frame type "${type.slice(0, 32)}"` };
  const parsed = schema.safeParse(value);
  // Echo an id only if an error frame may carry it: the reply must itself be a valid frame.
  const id = echoableId(record.id);
  const rid = echoableId(record.rid);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : type;
    if (issue?.message === 'text_too_long') return { ok: false, code: 'text_too_long', detail: 'text is too long', id, rid };
    return { ok: false, code: 'invalid_frame', detail: `${where}: ${issue?.message ?? 'invalid'}`, id, rid };
  }
  return { ok: true, frame: parsed.data as F };
}

const ECHOABLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function echoableId(value: unknown): string | undefined {
  return typeof value === 'string' && ECHOABLE_ID.test(value) ? value : undefined;
}

/** Parses and validates one line a client sent. */
export function parseClientFrame(line: string): ParseResult<ClientFrame> {
  return parseWith<ClientFrame>(CLIENT_FRAME_SCHEMAS, line);
}

/** Parses and validates one line a server sent. */
export function parseServerFrame(line: string): ParseResult<ServerFrame> {
  return parseWith<ServerFrame>(SERVER_FRAME_SCHEMAS, line);
}

/** One frame as one line, newline included. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame) + '\n';
}

export { chunkBytes, encodeFileChunk, parseFileChunkLine } from './file-chunk-line';
export { BINARY_CHUNKS_FEATURE, encodeBinaryChunk } from './binary-chunk';
