/**
 * Splits a byte stream into newline-terminated lines with a hard length limit.
 * Splits on the byte 0x0A, which never occurs inside a multi-byte UTF-8 sequence, so a
 * chunk boundary anywhere (even mid-character) is safe; each whole line is then decoded
 * strictly. It knows nothing of sockets: it is fed bytes and returns results. With
 * `binaryChunks` on, a binary chunk header line is followed by raw bytes (binary-chunk.ts).
 */
import { isBinaryChunkHeader, parseBinaryChunkHeader } from './binary-chunk';
import { FileChunkFrame, parseFileChunkLine } from './file-chunk-line';

export type LineResult =
  | { kind: 'line'; text: string }
  /** A file chunk recognised in its canonical spelling (only when `fileChunks` is on). */
  | { kind: 'file_chunk'; frame: FileChunkFrame }
  | { kind: 'error'; code: FramingErrorCode; detail?: string };

/** `bad_binary_frame` loses the framing: nothing after it is decoded. */
export type FramingErrorCode = 'line_too_long' | 'bad_utf8' | 'bad_binary_frame';

/** The raw bytes of a binary chunk still to come. */
interface BinaryBody {
  file: string;
  index: number;
  bytes: Buffer;
  filled: number;
}

const NEWLINE = 0x0a;

export class LineDecoder {
  private parts: Buffer[] = [];
  private bufferedBytes = 0;
  /** True after an over-long line, until its newline has been skipped. */
  private discarding = false;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Recognise file chunks before decoding text (JSON connections; never plain text). */
  fileChunks = false;
  /** Read binary chunks (JSON connections where the feature is offered or negotiated). */
  binaryChunks = false;
  private body: BinaryBody | undefined;
  /** After a malformed binary frame: where frames start is no longer known. */
  private lost = false;

  constructor(readonly maxLineBytes: number) {}

  /** Feeds one chunk; returns the complete lines (and errors) it finished, in order. */
  push(chunk: Buffer): LineResult[] {
    const results: LineResult[] = [];
    let start = 0;
    while (start < chunk.length && !this.lost) {
      if (this.body) {
        start = this.fillBody(this.body, chunk, start, results);
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start), results);
        break;
      }
      this.finishLine(chunk.subarray(start, newline), results);
      start = newline + 1;
    }
    return results;
  }

  /** Copies body bytes from `chunk` at `start`; returns where the next frame starts. */
  private fillBody(body: BinaryBody, chunk: Buffer, start: number, results: LineResult[]): number {
    const wanted = body.bytes.length - body.filled;
    if (wanted > 0) {
      const taken = Math.min(wanted, chunk.length - start);
      chunk.copy(body.bytes, body.filled, start, start + taken);
      body.filled += taken;
      return start + taken;
    }
    this.body = undefined;
    if (chunk[start] !== NEWLINE) {
      this.lose(results, `chunk ${body.index} is not followed by a newline after its ${body.bytes.length} bytes`);
      return chunk.length;
    }
    // The bytes came raw: `data` is not used for such a frame (see chunkBytes).
    results.push({ kind: 'file_chunk', frame: { type: 'file_chunk', file: body.file, index: body.index, data: '', bytes: body.bytes } });
    return start + 1;
  }

  private lose(results: LineResult[], detail: string): void {
    this.lost = true;
    this.reset();
    results.push({ kind: 'error', code: 'bad_binary_frame', detail });
  }

  /** Bytes of the unfinished line (for callers that treat a pause as a line end). */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** Returns the unfinished line as if a newline had arrived (plain-text mode). */
  flushPending(): LineResult[] {
    if (this.bufferedBytes === 0 && !this.discarding) return [];
    const results: LineResult[] = [];
    this.finishLine(Buffer.alloc(0), results);
    return results;
  }

  private keep(part: Buffer, results: LineResult[]): void {
    if (this.discarding) return;
    if (this.bufferedBytes + part.length > this.maxLineBytes) {
      this.reset();
      this.discarding = true;
      results.push({ kind: 'error', code: 'line_too_long' });
      return;
    }
    // Copy: the caller's chunk buffer may be reused.
    this.parts.push(Buffer.from(part));
    this.bufferedBytes += part.length;
  }

  private finishLine(tail: Buffer, results: LineResult[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const total = this.bufferedBytes + tail.length;
    if (total > this.maxLineBytes) {
      this.reset();
      results.push({ kind: 'error', code: 'line_too_long' });
      return;
    }
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], total);
    this.reset();
    if (this.binaryChunks && isBinaryChunkHeader(bytes)) {
      const header = parseBinaryChunkHeader(bytes);
      if ('problem' in header) this.lose(results, header.problem);
      else this.body = { file: header.file, index: header.index, bytes: Buffer.allocUnsafe(header.length), filled: 0 };
      return;
    }
    const chunk = this.fileChunks ? parseFileChunkLine(bytes) : undefined;
    if (chunk) {
      results.push({ kind: 'file_chunk', frame: chunk });
      return;
    }
    try {
      results.push({ kind: 'line', text: this.utf8.decode(bytes) });
    } catch {
      results.push({ kind: 'error', code: 'bad_utf8' });
    }
  }

  private reset(): void {
    this.parts = [];
    this.bufferedBytes = 0;
  }
}
