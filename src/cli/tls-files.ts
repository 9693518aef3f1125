/** Reading TLS certificates and keys named on the command line, with errors that say what to fix. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { fingerprintOfPem } from '../protocol/cert-fingerprint';

/** A file named by an option that cannot be used: exit status 1, message printed as is. */
export class TlsFileError extends Error {}

type PemKind = 'certificate' | 'private key';

/** The text of a PEM file; `option` names the flag for the message ("--tls-cert"). */
export function readPemFile(path: string, kind: PemKind, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new TlsFileError(`${option} ${path}: cannot read the ${kind} (${why})`);
  }
  const marker = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!marker.test(text)) throw new TlsFileError(`${option} ${path}: not a PEM ${kind} (expected a "-----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----" block)`);
  return text;
}

export interface ServerTlsFiles {
  cert: string;
  key: string;
  fingerprint: string;
  validTo: Date;
}

/** Loads and checks the server's certificate and key: both readable, parseable, and a pair. */
export function loadServerTlsFiles(certPath: string, keyPath: string): ServerTlsFiles {
  const cert = readPemFile(certPath, 'certificate', '--tls-cert');
  const key = readPemFile(keyPath, 'private key', '--tls-key');
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (error) {
    throw new TlsFileError(`--tls-cert ${certPath}: the certificate cannot be parsed (${(error as Error).message})`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const message = (error as Error).message;
    if (/key values mismatch/i.test(message)) throw new TlsFileError(`--tls-key ${keyPath} is not the private key of the certificate in --tls-cert ${certPath}`);
    throw new TlsFileError(`cannot use --tls-cert ${certPath} with --tls-key ${keyPath}: ${message}`);
  }
  return { cert, key, fingerprint: fingerprintOfPem(cert), validTo: new Date(parsed.validTo) };
}
