/**
 * One end of a protocol connection in tests: validated frames in (server or client frames,
 * depending on the parser), raw writes out, bounded waits. RawClient (a client speaking to the
 * real server) and the client tests' FakeConnection (a server speaking to the real client) share it.
 */
import type { Socket } from 'node:net';
import type { ParseResult } from '../../src/protocol/codec';
import { LineDecoder } from '../../src/protocol/line-decoder';
import { LIMITS } from '../../src/protocol/limits';
import { Signal } from './signal';

type Frame = { type: string };
type FrameOf<F extends Frame, T extends F['type']> = Extract<F, { type: T }>;

export class FrameSocket<F extends Frame> {
  readonly frames: F[] = [];
  /** Lines that failed framing or validation. */
  readonly invalid: string[] = [];
  closed = false;
  private readonly decoder = new LineDecoder(LIMITS.maxServerLineBytes);
  private readonly signal = new Signal();

  constructor(
    readonly socket: Socket,
    parse: (line: string) => ParseResult<F>,
    private readonly label: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) {
        if (result.kind === 'error') this.invalid.push(result.code);
        // A raw chunk is kept as the base64 frame it stands for, so tests compare either kind alike.
        else if (result.kind === 'file_chunk') this.frames.push({ ...result.frame, data: result.frame.bytes?.toString('base64') ?? result.frame.data, raw: true } as unknown as F);
        else if (result.kind === 'line') {
          const parsed = parse(result.text);
          if (parsed.ok) this.frames.push(parsed.frame);
          else this.invalid.push(result.text);
        }
      }
      this.signal.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.signal.notify();
    });
    socket.on('error', () => undefined);
  }

  /** Reads binary file chunks from now on (after logging in with login.features `binary-chunks`). */
  readBinaryChunks(): void {
    this.decoder.binaryChunks = true;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Frames of a type received so far (not consumed). */
  all<T extends F['type']>(type: T): FrameOf<F, T>[] {
    return this.frames.filter((frame): frame is FrameOf<F, T> => frame.type === type);
  }

  /** Waits for the first not-yet-consumed frame of `type` matching `where`, and consumes it. */
  async next<T extends F['type']>(type: T, where: (frame: FrameOf<F, T>) => boolean = () => true, timeoutMs = 10_000): Promise<FrameOf<F, T>> {
    return this.waitFor(() => {
      const index = this.frames.findIndex((frame) => frame.type === type && where(frame as FrameOf<F, T>));
      return index === -1 ? undefined : (this.frames.splice(index, 1)[0] as FrameOf<F, T>);
    }, `${type} frame`, timeoutMs);
  }

  /** Waits until `probe` returns a value (re-checked whenever data arrives). */
  waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = 10_000): Promise<R> {
    return this.signal.waitFor(probe, () => `${what} at the ${this.label}; got ${JSON.stringify(this.frames.map((frame) => frame.type))}`, timeoutMs);
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : undefined), 'socket close', timeoutMs);
  }
}
