/**
 * One TCP connection of a raw-protocol fuzz user (newline JSON), and what was seen on it: the
 * challenge, the last seq, pongs, replies to requests, and the writes still waiting for an answer.
 */
import type { Socket } from 'node:net';
import { parseServerFrame } from '../../src/protocol/codec';
import type { ServerFrame } from '../../src/protocol/frames';
import { LineDecoder } from '../../src/protocol/line-decoder';
import { LIMITS } from '../../src/protocol/limits';
import { Signal } from '../helpers/signal';

export const WAIT_MS = 5000;

/** One TCP connection and what was seen on it. */
export class RawConnection {
  readonly signal = new Signal();
  challenge: string | undefined;
  loggedIn = false;
  closed = false;
  /** Closed by us (bye, destroy): a close the server starts is a violation. */
  closing = false;
  /** `login.ackedSeq` sent; undefined when the login carried none (redelivery allowed). */
  loginAckedSeq: number | undefined;
  lastSeq = 0;
  pongs = 0;
  /** `error` frames received here: the server closes a connection after about 20 (its error budget). */
  errors = 0;
  /** Per id, writes here not answered yet, and what the model expected of the latest (checked only within one epoch). */
  readonly unanswered = new Map<string, { count: number; risky: number; expect?: string; epoch: number }>();
  /** Replies to requests (room, room_list, room_members, done, or an error), by rid. */
  readonly replies = new Map<string, ServerFrame>();
  /** Per id, the places of its writes here not refused, and the seqs of non-duplicate `sent`s. */
  readonly writeOrder = new Map<string, number[]>();
  writes = 0;
  readonly storedOrder: Array<{ index: number; seq: number }> = [];
  private readonly decoder = new LineDecoder(LIMITS.maxServerLineBytes);

  constructor(
    readonly socket: Socket,
    onFrame: (frame: ServerFrame) => void,
    onInvalid: (text: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.decoder.push(chunk)) {
        if (result.kind === 'error') onInvalid(result.code);
        else if (result.kind === 'file_chunk') onFrame(result.frame);
        else {
          const parsed = parseServerFrame(result.text);
          if (parsed.ok) onFrame(parsed.frame);
          else onInvalid(`${parsed.code}: ${result.text.slice(0, 200)}`);
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

  write(frame: Record<string, unknown>): void {
    this.socket.write(JSON.stringify(frame) + '\n');
  }

  /** Writes that may yet be answered with an error, and errors already received. */
  get errorRisk(): number {
    let risky = 0;
    for (const entry of this.unanswered.values()) risky += entry.risky;
    return this.errors + risky;
  }

  waitFor<R>(probe: () => R | undefined, what: string, timeoutMs = WAIT_MS): Promise<R> {
    return this.signal.waitFor(probe, () => what, timeoutMs);
  }
}
