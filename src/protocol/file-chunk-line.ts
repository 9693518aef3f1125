/**
 * File chunks are the bulk of the traffic: ~87 KB lines, thousands per file. Both directions get
 * a path that skips JSON: `encodeFileChunk` writes the line straight into bytes, and
 * `parseFileChunkLine` recognises exactly that form (before any UTF-8 decoding or JSON.parse).
 * A line in any other form, valid or not, goes through the general parser as before, so the
 * protocol is unchanged: this is only a shortcut for the canonical spelling.
 */
import { decodeBase64 } from './frames';
import type { ClientFrameOf } from './frames';
import { LIMITS } from './limits';
import { isDigit, isIdByte, startsWithAt } from './byte-scan';

/** A file_chunk as the fast path reads it, with `data` already decoded (checking it decodes it). */
export type FileChunkFrame = ClientFrameOf<'file_chunk'> & { bytes?: Buffer };

/** A chunk's bytes: decoded once by the fast path, or now for a frame the general parser read. */
export function chunkBytes(frame: { data: string; bytes?: Buffer }): Buffer {
  return frame.bytes ?? Buffer.from(frame.data, 'base64');
}

const HEAD = Buffer.from('{"type":"file_chunk","file":"', 'latin1');
const AFTER_FILE = Buffer.from('","index":', 'latin1');
const AFTER_INDEX = Buffer.from(',"data":"', 'latin1');
const TAIL = Buffer.from('"}', 'latin1');
const MAX_FILE_ID = LIMITS.maxClientIdLength;
const MAX_DATA = Math.ceil(LIMITS.maxFileChunkBytes / 3) * 4;
const MAX_INDEX_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * The line as encodeFileChunk writes it. Every part is ASCII (file ids are [A-Za-z0-9_-], data is
 * base64), so latin1 copies are exact.
 */
export function encodeFileChunk(file: string, index: number, data: Uint8Array): Buffer {
  const head = `{"type":"file_chunk","file":"${file}","index":${index},"data":"`;
  const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  const line = Buffer.allocUnsafe(head.length + base64.length + 3);
  line.write(head, 0, 'latin1');
  line.write(base64, head.length, 'latin1');
  line.write('"}\n', head.length + base64.length, 'latin1');
  return line;
}

/**
 * The frame, when `line` (without its newline) is a file_chunk spelled exactly as encodeFileChunk
 * spells it and every field is valid; otherwise undefined, and the caller parses it generally.
 */
export function parseFileChunkLine(line: Buffer): FileChunkFrame | undefined {
  if (line.length > HEAD.length + MAX_FILE_ID + AFTER_FILE.length + MAX_INDEX_DIGITS + AFTER_INDEX.length + MAX_DATA + TAIL.length) return undefined;
  if (!startsWithAt(line, HEAD, 0)) return undefined;
  let at = HEAD.length;
  const fileStart = at;
  while (at < line.length && at - fileStart <= MAX_FILE_ID && isIdByte(line[at])) at++;
  const fileEnd = at;
  if (fileEnd === fileStart || fileEnd - fileStart > MAX_FILE_ID || !startsWithAt(line, AFTER_FILE, at)) return undefined;
  at += AFTER_FILE.length;
  const indexStart = at;
  while (at < line.length && at - indexStart <= MAX_INDEX_DIGITS && isDigit(line[at])) at++;
  const digits = at - indexStart;
  if (digits === 0 || digits > MAX_INDEX_DIGITS || (digits > 1 && line[indexStart] === 0x30)) return undefined;
  const index = Number(line.toString('latin1', indexStart, at));
  if (!Number.isSafeInteger(index) || !startsWithAt(line, AFTER_INDEX, at)) return undefined;
  at += AFTER_INDEX.length;
  const dataEnd = line.length - TAIL.length;
  if (dataEnd < at || dataEnd - at > MAX_DATA || !startsWithAt(line, TAIL, dataEnd)) return undefined;
  // latin1 maps every byte to one character, so a stray (even non-ASCII) byte fails isBase64.
  const data = line.toString('latin1', at, dataEnd);
  const bytes = decodeBase64(data);
  if (!bytes) return undefined;
  return { type: 'file_chunk', file: line.toString('latin1', fileStart, fileEnd), index, data, bytes };
}
