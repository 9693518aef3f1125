/**
 * TLS in front of ChatServer: each accepted TCP socket waits for its first bytes. A TLS
 * ClientHello is handshaken (bounded by a timeout) and the secure socket goes on to the same
 * connection code as plain TCP; a client that speaks first without TLS (nc, a plain-text user)
 * or stays silent (a JSON client waiting for `hello`) gets a plain-text `error tls_required`
 * line it can read, then the socket closes.
 */
import type { Socket } from 'node:net';
import { createSecureContext, SecureContext, TLSSocket } from 'node:tls';
import type { Logger } from './logger';
import { frameLine } from './message-lines';
import { ERROR_CODES } from '../protocol/errors';

/** First byte of a TLS record carrying a handshake message (the ClientHello). */
export const TLS_HANDSHAKE_RECORD = 0x16;

export interface TlsGateOptions {
  /** PEM certificate (chain) and private key. */
  cert: string;
  key: string;
  /** From the first byte to a finished handshake. */
  handshakeTimeoutMs: number;
  /** A client that sends nothing this long is taken for a plain client waiting for `hello`. */
  firstByteTimeoutMs: number;
  log: Logger;
  onSecure(socket: TLSSocket): void;
}

const TLS_REQUIRED_LINE = frameLine({
  type: 'error',
  code: 'tls_required',
  message: `${ERROR_CODES.tls_required} (classchat: --tls or --tls-fingerprint; VS Code: the setting classchat.tls.enabled)`,
  fatal: true,
});

export class TlsGate {
  private readonly context: SecureContext;
  /** Sockets still before or inside their handshake; closed at once on shutdown. */
  private readonly pending = new Set<Socket>();

  /** Throws (from node:tls) when the certificate or key is unusable or they do not match. */
  constructor(private readonly options: TlsGateOptions) {
    this.context = createSecureContext({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2' });
  }

  admit(raw: Socket): void {
    const address = raw.remoteAddress ?? 'unknown';
    this.pending.add(raw);
    raw.once('close', () => this.pending.delete(raw));
    const silent = setTimeout(() => this.refusePlain(raw, `${address} sent nothing (a client without TLS?)`), this.options.firstByteTimeoutMs);
    silent.unref();
    raw.once('data', (chunk: Buffer) => {
      clearTimeout(silent);
      raw.pause();
      if (chunk[0] !== TLS_HANDSHAKE_RECORD) return this.refusePlain(raw, `${address} spoke without TLS`);
      // The TLS socket reads what was put back first (node:tls handles bytes buffered before it wraps a socket).
      raw.unshift(chunk);
      this.handshake(raw, address);
    });
    raw.once('close', () => clearTimeout(silent));
  }

  /** Closes every socket that has not finished its handshake (server shutdown). */
  closePending(): void {
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
  }

  private handshake(raw: Socket, address: string): void {
    const secure = new TLSSocket(raw, { isServer: true, secureContext: this.context });
    const timer = setTimeout(() => {
      this.options.log.debug(`TLS handshake from ${address} did not finish in ${this.options.handshakeTimeoutMs} ms`);
      secure.destroy();
    }, this.options.handshakeTimeoutMs);
    timer.unref();
    const onHandshakeError = (error: Error) => this.options.log.debug(`TLS handshake from ${address} failed: ${error.message}`);
    secure.on('error', onHandshakeError);
    secure.once('close', () => clearTimeout(timer));
    secure.once('secure', () => {
      clearTimeout(timer);
      this.pending.delete(raw);
      secure.off('error', onHandshakeError);
      secure.on('error', (error) => this.options.log.debug(`TLS socket error from ${address}: ${error.message}`));
      this.options.onSecure(secure);
    });
  }

  private refusePlain(raw: Socket, why: string): void {
    if (raw.destroyed) return;
    this.options.log.debug(`refused ${why}: this server requires TLS`);
    raw.end(TLS_REQUIRED_LINE);
    setTimeout(() => raw.destroy(), 2000).unref();
  }
}
