/**
 * One TCP (or TLS) connection to a server: bytes go through the bounded line decoder, every line through
 * the frame validator; only valid frames come out. Tracks socket backpressure so the caller can
 * stop feeding the outbox while the socket is congested.
 */
import type { Socket } from 'node:net';
import { encodeBinaryChunk, encodeFileChunk, encodeFrame, parseServerFrame } from '../protocol/codec';
import { ClassChatError } from '../protocol/errors';
import type { ClientFrame, ServerFrame } from '../protocol/frames';
import { LineDecoder } from '../protocol/line-decoder';
import { LIMITS } from '../protocol/limits';
import { ChatClientError } from './errors';
import { ClientTlsOptions, describeTlsError, openSocket } from './tls';
import { TypedEmitter } from './typed-events';

/** Longest line accepted from a server (history pages are the longest lines it sends). */
export const CLIENT_MAX_LINE_BYTES = LIMITS.maxServerLineBytes;

export type ConnectionEvents = {
  /** A valid frame from the server. */
  frame: [frame: ServerFrame];
  /** A line from the server that is not a valid frame; the connection carries on. */
  invalid: [error: ClassChatError];
  /** Bytes arrived (valid or not): the server is alive. */
  activity: [];
  /** The socket accepts writes again after being congested. */
  drain: [];
  /** Emitted once; `error` when the socket failed rather than closed cleanly. */
  close: [error: Error | undefined];
};

export class Connection extends TypedEmitter<ConnectionEvents> {
  private readonly decoder = new LineDecoder(CLIENT_MAX_LINE_BYTES);
  private readonly socket: Socket;
  private failure: Error | undefined;
  private closedFlag = false;
  private congestedFlag = false;
  /** TCP is up (the TLS handshake may still be running). */
  private tcpConnected = false;
  /** Ready for frames: TCP is up and, with TLS, the server's certificate checked. */
  private connected = false;

  constructor(
    readonly host: string,
    readonly port: number,
    tls?: ClientTlsOptions,
  ) {
    super();
    this.decoder.fileChunks = true;
    this.socket = openSocket(host, port, tls);
    this.socket.once('connect', () => (this.tcpConnected = true));
    this.socket.once(tls ? 'secureConnect' : 'connect', () => (this.connected = !this.socket.destroyed));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => {
      this.congestedFlag = false;
      if (!this.closedFlag) this.emit('drain');
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof ChatClientError) this.failure ??= error;
      else if (this.connected) this.failure ??= new ChatClientError('connection_lost', describeSocketError(error, host, port));
      else if (tls && this.tcpConnected) this.failure ??= new ChatClientError('tls_failed', describeTlsError(error, host, port));
      else this.failure ??= new ChatClientError('connect_failed', describeSocketError(error, host, port));
    });
    this.socket.on('close', () => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      this.emit('close', this.failure);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** True while the socket's buffer is over its high-water mark. */
  get congested(): boolean {
    return this.congestedFlag;
  }

  /** Writes one frame. Small control frames are always written; callers pace bulk sends on `congested`. */
  write(frame: ClientFrame): void {
    if (this.closedFlag || this.socket.destroyed || this.socket.writableEnded) return;
    if (!this.socket.write(encodeFrame(frame))) this.congestedFlag = true;
  }

  /** Chunks go as raw bytes both ways (the server offered it and this client asks for it at login). */
  get binaryChunks(): boolean {
    return this.decoder.binaryChunks;
  }

  useBinaryChunks(on: boolean): void {
    this.decoder.binaryChunks = on;
  }

  /** Writes one file chunk, raw or as a base64 line. */
  writeChunk(file: string, index: number, data: Uint8Array): void {
    this.writeLine(this.decoder.binaryChunks ? encodeBinaryChunk(file, index, data) : encodeFileChunk(file, index, data));
  }

  /** Writes a line already encoded (bulk file chunks: see encodeFileChunk). */
  writeLine(line: Buffer): void {
    if (this.closedFlag || this.socket.destroyed || this.socket.writableEnded) return;
    if (!this.socket.write(line)) this.congestedFlag = true;
  }

  /** Sends the last frame (if any) and half-closes; the server closes its side in turn. */
  end(frame?: ClientFrame): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (frame) this.socket.end(encodeFrame(frame));
    else this.socket.end();
  }

  /** Closes at once; `reason` is reported by the `close` event. */
  destroy(reason?: Error): void {
    if (reason) this.failure ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.emit('activity');
    for (const result of this.decoder.push(chunk)) {
      // A listener may have destroyed the connection: drop what is left of the chunk.
      if (this.closedFlag || this.socket.destroyed) return;
      if (result.kind === 'error') {
        const error = new ClassChatError(result.code, `the server sent a bad line (${result.code}${result.detail ? `: ${result.detail}` : ''})`);
        this.emit('invalid', error);
        // The framing is lost: reconnecting (and resuming) is the only way on.
        if (result.code === 'bad_binary_frame') this.destroy(new ChatClientError('connection_lost', error.message));
        continue;
      }
      if (result.kind === 'file_chunk') {
        this.emit('frame', result.frame);
        continue;
      }
      const parsed = parseServerFrame(result.text);
      if (parsed.ok) this.emit('frame', parsed.frame);
      // Forward compatibility: a newer server may send frame types this client does not know.
      else if (parsed.code !== 'unknown_type') {
        this.emit('invalid', new ClassChatError(parsed.code, `the server sent an invalid frame: ${parsed.detail}`));
        if (parsed.code === 'bad_binary_frame') this.destroy(new ChatClientError('connection_lost', `the server sent an invalid frame: ${parsed.detail}`));
      }
    }
  }
}

/** A socket error in words a person can act on. */
export function describeSocketError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${where}: connection refused (is the server running on that port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${where}: unknown host "${host}"`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${where} (${error.code})`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection to ${where} was reset`;
    default:
      return `connection to ${where} failed: ${error.message}`;
  }
}
