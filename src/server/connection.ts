/**
 * One accepted socket: decides JSON or plain-text mode from the first byte, turns bytes into
 * lines, and runs them through the mode's handler strictly in order (an async handler, such as
 * login, pauses the socket until it finishes).
 */
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { FramingErrorCode, LineResult } from '../protocol/line-decoder';
import type { FileChunkFrame } from '../protocol/file-chunk-line';
import { ERROR_CODES, ErrorCode } from '../protocol/errors';
import type { Clock } from './clock';
import { TokenBucket } from './token-bucket';
import { Transport, TransportLimits } from './transport';
import type { UnsentBudget } from './unsent-budget';
import type { Session } from './session';
import { frameLine } from './message-lines';
import { TLS_HANDSHAKE_RECORD } from './tls-gate';

export type ConnectionMode = 'detect' | 'json' | 'plain';

export interface LineHandler {
  /** Handles one complete line; may return a promise to hold later lines until it settles. */
  line(connection: Connection, text: string): void | Promise<void>;
  /** Handles a file chunk the decoder recognised without parsing JSON (JSON mode only). */
  fileChunk?(connection: Connection, frame: FileChunkFrame): void | Promise<void>;
  /** A framing error (line too long, invalid UTF-8, a malformed binary chunk). */
  framingError(connection: Connection, code: FramingErrorCode, detail?: string): void;
}

export interface ConnectionOptions {
  limits: TransportLimits;
  clock: Clock;
  /** Errors allowed in a burst before the connection counts as abusive. */
  errorBurst: number;
  errorsPerSecond: number;
  plainIdleMs: number;
  chooseHandler(connection: Connection, mode: 'json' | 'plain'): LineHandler | undefined;
  /** The connection has too much unsent (its own bound, or the server's budget): close it. */
  onOverflow(connection: Connection, why: string): void;
  /** The server-wide bound on unsent output that every connection counts against. */
  unsentBudget?: UnsentBudget;
  /** The first bytes are a TLS ClientHello: a TLS client reached this plain TCP server. */
  onTlsHello(connection: Connection): void;
  /** While closed, connections stop reading (the store is behind); `onceOpen` calls back when it opens. */
  inputGate?: { readonly closed: boolean; onceOpen(callback: () => void): void };
}

export class Connection {
  mode: ConnectionMode = 'detect';
  session: Session | undefined;
  /** A device link of this (new, not yet logged-in) device is pending: the login deadline waits for it (devices/link-relay.ts). */
  linking = false;
  /** Fresh per connection and used for one login attempt only. */
  readonly challenge = randomBytes(32).toString('base64');
  readonly transport: Transport;
  readonly errors: TokenBucket;
  rateLimitedCount = 0;
  /** Plain-text login steps keep their state here. */
  plainState: { step: 'name' | 'joinCode' | 'chat'; pendingName?: string } = { step: 'name' };
  private handler: LineHandler | undefined;
  private pending: LineResult[] = [];
  private busy = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly socket: Socket,
    readonly address: string,
    private readonly options: ConnectionOptions,
  ) {
    this.transport = new Transport(socket, options.limits, options.clock, (why) => options.onOverflow(this, why), options.unsentBudget);
    this.errors = new TokenBucket(options.errorsPerSecond, options.errorBurst, options.clock);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** Sends a JSON error frame; fatal errors close the connection after it. */
  sendError(code: ErrorCode, extra: { detail?: string; id?: string; rid?: string; fatal?: boolean } = {}): void {
    const fatal = extra.fatal ?? false;
    const message = extra.detail ? `${ERROR_CODES[code]} (${extra.detail})` : ERROR_CODES[code];
    const line = frameLine({
      type: 'error',
      code,
      message,
      ...(extra.id !== undefined ? { id: extra.id } : {}),
      ...(extra.rid !== undefined ? { rid: extra.rid } : {}),
      fatal,
    });
    if (fatal) this.transport.end(line);
    else this.transport.write(line);
  }

  /** Starts a timer that dies with the connection. */
  timer(ms: number, callback: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  clearTimer(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Stops reading (shutdown). */
  pauseInput(): void {
    this.socket.pause();
    this.pending = [];
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.pending = [];
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'detect') {
      if (chunk[0] === TLS_HANDSHAKE_RECORD) {
        this.options.onTlsHello(this);
        return;
      }
      const mode = chunk[0] === 0x7b /* { */ ? 'json' : 'plain';
      this.mode = mode;
      this.transport.decoder.fileChunks = mode === 'json';
      this.transport.decoder.binaryChunks = mode === 'json';
      this.handler = this.options.chooseHandler(this, mode);
      if (!this.handler) return;
    }
    if (!this.handler) return;
    this.pending.push(...this.transport.decoder.push(chunk));
    this.process();
    if (this.mode === 'plain') this.armIdleFlush();
  }

  /** The seed's clients send no newline: text that stays unterminated briefly is one line. */
  private armIdleFlush(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.transport.decoder.pendingBytes === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.pending.push(...this.transport.decoder.flushPending());
      this.process();
    }, this.options.plainIdleMs);
    this.idleTimer.unref();
  }

  private process(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.busy && this.pending.length > 0 && this.isOpen) {
      const gate = this.options.inputGate;
      if (gate?.closed) {
        // What is unread waits in the kernel's buffers, not as objects on the heap.
        this.busy = true;
        this.socket.pause();
        gate.onceOpen(() => {
          this.busy = false;
          if (this.isOpen) this.socket.resume();
          this.process();
        });
        return;
      }
      const result = this.pending.shift()!;
      if (result.kind === 'error') {
        handler.framingError(this, result.code, result.detail);
        continue;
      }
      let outcome: void | Promise<void>;
      if (result.kind === 'file_chunk') outcome = handler.fileChunk?.(this, result.frame);
      else outcome = handler.line(this, this.mode === 'plain' ? result.text.replace(/\r$/, '') : result.text);
      if (outcome instanceof Promise) {
        this.busy = true;
        this.socket.pause();
        const resume = () => {
          this.busy = false;
          if (this.isOpen) this.socket.resume();
          this.process();
        };
        // Handlers report their own failures; this only keeps the line order.
        outcome.then(resume, resume);
      }
    }
  }
}
