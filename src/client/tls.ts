/**
 * TLS for the client: opening a socket that verifies the server against the system CAs, a
 * given CA, or a pinned SHA-256 certificate fingerprint, and TLS failures in plain words.
 */
import { connect as tcpConnect, Socket } from 'node:net';
import { connect as tlsConnect, PeerCertificate } from 'node:tls';
import { fingerprintOfDer, parseFingerprint } from '../protocol/cert-fingerprint';
import { ChatClientError } from './errors';

export interface ClientTlsOptions {
  /** PEM certificate(s) to trust instead of the system CAs (e.g. the server's own certificate). */
  ca?: string;
  /**
   * The server certificate's SHA-256 fingerprint (hex, with or without colons, any case). When
   * set, exactly that certificate is accepted, self-signed or not, whatever names it carries.
   */
  fingerprint?: string;
  /** The name to verify the certificate against (default: the host, unless it is an IP address). */
  servername?: string;
}

/** Checks the options once, up front; the fingerprint comes back canonical ("AB:CD:…"). */
export function checkTlsOptions(options: ClientTlsOptions): ClientTlsOptions {
  const checked: ClientTlsOptions = { ...options };
  if (options.fingerprint !== undefined) {
    const fingerprint = parseFingerprint(options.fingerprint);
    if (fingerprint === undefined) throw new RangeError(`the TLS fingerprint must be 64 hex digits (SHA-256, colons optional), not "${options.fingerprint}"`);
    checked.fingerprint = fingerprint;
  }
  if (options.ca !== undefined && !options.ca.includes('-----BEGIN CERTIFICATE-----')) throw new RangeError('the TLS CA must be PEM text containing a certificate');
  return checked;
}

/** A TCP socket, or a TLS socket that is destroyed with a `tls_failed` error when its certificate is not the pinned one. */
export function openSocket(host: string, port: number, tls: ClientTlsOptions | undefined): Socket {
  if (!tls) return tcpConnect({ host, port, noDelay: true });
  const pin = tls.fingerprint;
  const socket = tlsConnect({
    host,
    port,
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    // A pin replaces CA and name checks: it names the exact certificate (self-signed is fine).
    rejectUnauthorized: pin === undefined,
  });
  socket.setNoDelay(true);
  if (pin !== undefined) {
    socket.prependOnceListener('secureConnect', () => {
      const certificate: Partial<PeerCertificate> = socket.getPeerCertificate();
      const actual = certificate.raw ? fingerprintOfDer(certificate.raw) : '(none)';
      if (actual === pin) {
        // The pin names the certificate, dates included: an expired one is refused as without a pin.
        const expired = certificate.valid_to !== undefined && Date.parse(certificate.valid_to) < Date.now();
        const early = certificate.valid_from !== undefined && Date.parse(certificate.valid_from) > Date.now();
        if (expired || early) socket.destroy(new ChatClientError('tls_failed', describeTlsError({ name: 'Error', message: '', code: expired ? 'CERT_HAS_EXPIRED' : 'CERT_NOT_YET_VALID' }, host, port)));
        return;
      }
      socket.destroy(
        new ChatClientError(
          'tls_failed',
          `the TLS certificate of ${host}:${port} is not the pinned one: its SHA-256 fingerprint is ${actual}, expected ${pin}. ` +
            'Someone may be intercepting the connection, or the server has a new certificate: check the fingerprint with whoever runs the server.',
        ),
      );
    });
  }
  return socket;
}

/** OpenSSL verification codes that mean "nobody this client trusts signed that certificate". */
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED']);
/** What OpenSSL reports when the other side answers with something that is not TLS. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_RECORD_LAYER_FAILURE']);

/** A failure between TCP connect and a verified TLS session, in words a person can act on. */
export function describeTlsError(error: NodeJS.ErrnoException & { cert?: Partial<PeerCertificate>; host?: string }, host: string, port: number): string {
  const where = `${host}:${port}`;
  const code = error.code ?? '';
  if (UNTRUSTED.has(code)) {
    return (
      `the TLS certificate of ${where} is not trusted (${code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'self-signed' : 'signed by an authority this computer does not know'}). ` +
      'Ask whoever runs the server for its SHA-256 fingerprint and pin it (classchat --tls-fingerprint, VS Code: classchat.tls.fingerprint), or for its CA file (--tls-ca, classchat.tls.caFile).'
    );
  }
  if (code === 'CERT_HAS_EXPIRED') return `the TLS certificate of ${where} has expired; whoever runs the server must make a new one (classchat-server gen-cert)`;
  if (code === 'CERT_NOT_YET_VALID') return `the TLS certificate of ${where} is not valid yet: check this computer's date and time`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = error.cert?.subjectaltname ?? 'other names';
    // error.host is the name that was checked: the servername when one was given.
    return `the TLS certificate of ${where} is for ${names}, not "${error.host ?? host}": connect with one of those names, or pin the certificate's fingerprint`;
  }
  if (NOT_TLS.has(code)) return `${where} did not answer with TLS: it is probably a plain TCP ClassChat server. Connect without TLS, or ask for the server to be started with --tls-cert and --tls-key.`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${where} closed the connection during the TLS handshake (is it a plain TCP server, or not a ClassChat server?)`;
  return `TLS with ${where} failed: ${error.message}`;
}
